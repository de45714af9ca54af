"""`pipedeck run pipeline` against a plain Python script calling kfp.local on the same pipeline,
and the component environment cold against warm.

    python benchmarks/pipeline_overhead.py [--runs N] [--pipeline simple.py:simple]

The plain side runs with this interpreter (it has kfp and pip: kfp.local pip-checks each
task); pipedeck runs tasks in its component environment. No cache on either side. Prints the
median of each side over N paired runs (default 5) and their ratio, then the time to build
the component environment from nothing and to find it ready.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PIPELINES = REPO / "tests" / "fixtures" / "pipelines"
sys.path.insert(0, str(REPO))

from tui.core.pipelines import env as component_env  # noqa: E402
from tui.core.pipelines.compile import load_pipeline  # noqa: E402

PLAIN = """
import importlib.util, sys
from kfp import local
spec = importlib.util.spec_from_file_location("bench", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=sys.argv[3])
getattr(module, sys.argv[2])()
"""


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pipeline", default="simple.py:simple")
    args = parser.parse_args()
    file, _, func = args.pipeline.partition(":")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {
            **os.environ,
            "XDG_STATE_HOME": str(root / "state"),
            component_env.ENV_DIR_VAR: str(root / "envs"),
        }
        os.environ.update({k: env[k] for k in ("XDG_STATE_HOME", component_env.ENV_DIR_VAR)})
        loaded = load_pipeline(f"{file}:{func}", PIPELINES, root / "probe")
        venv = component_env.component_env(loaded.spec.packages, loaded.spec.pip_options)
        cold = component_env.ensure(venv)
        start = time.perf_counter()
        ready = venv.is_ready()
        warm = time.perf_counter() - start
        assert ready
        pipedeck = [
            sys.executable,
            "-m",
            "tui",
            "run",
            "pipeline",
            f"{file}:{func}",
            "--no-cache",
            "--json",
        ]
        pd_times, plain_times = [], []
        for i in range(args.runs):
            pd_times.append(timed(pipedeck, env, PIPELINES))
            plain = [
                sys.executable,
                "-c",
                PLAIN,
                str(PIPELINES / file),
                func,
                str(root / f"plain-root-{i}"),
            ]
            plain_times.append(timed(plain, env, PIPELINES))
    pd, plain = statistics.median(pd_times), statistics.median(plain_times)
    ratios = [a / b for a, b in zip(pd_times, plain_times, strict=True)]
    print(f"pipeline: {file}:{func}, {args.runs} paired runs, no cache")
    print(f"plain kfp.local  median {plain:6.2f} s")
    print(f"pipedeck         median {pd:6.2f} s")
    print(
        f"ratio of medians {pd / plain:.2f}x   (paired ratios {min(ratios):.2f}..{max(ratios):.2f})"
    )
    print(
        f"component env    cold {cold:.1f} s (venv + pip install), warm check {warm * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
