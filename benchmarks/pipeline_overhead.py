"""`pipedeck run pipeline` against a plain Python script calling kfp.local on the same pipeline,
the component environment cold against warm, and docker mode warm against subprocess warm.

    python benchmarks/pipeline_overhead.py [--runs N] [--pipeline simple.py:simple]
        [--docker-pipeline sample_project/pipeline.py:ml_pipeline | --no-docker]

The plain side runs with this interpreter (it has kfp and pip: kfp.local pip-checks each
task); pipedeck runs tasks in its component environment. No cache on either side. Prints the
median of each side over N paired runs (default 5) and their ratio, then the time to build
the component environment from nothing and to find it ready.

The docker row runs ``--docker-pipeline`` (a path from the repository root; default the
sample project's pipeline, whose components pip-install scikit-learn) with ``--runner docker``
and ``--runner subprocess``, both warm: one untimed run of each first (it builds the component
environment and, the first time, the derived component image with the packages preinstalled),
then N paired runs. It needs an engine and ``pipedeck image build component``; the host's CA
bundle is the ``ca_bundle`` setting unless PIPEDECK_CA_BUNDLE names one (an intercepting
proxy: the derived image's pip needs it).
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
SAMPLE = "sample_project/pipeline.py:ml_pipeline"
sys.path.insert(0, str(REPO))

from projects import local_stack  # noqa: E402

from tui.core.images.container_https import host_bundle  # noqa: E402
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


def docker_unavailable() -> str:
    """Why docker mode cannot run here ('' when it can)."""
    from tui.core.images import docker_engine, local_images

    engine = docker_engine.engine_status()
    if not engine.answers:
        return engine.detail
    image = local_images.component_image()
    if not local_images.image_present(image):
        return f"{image} is not built: run `pipedeck image build component`"
    return ""


def docker_row(target: str, runs: int, env: dict[str, str]) -> list[str]:
    """Docker warm against subprocess warm on ``target`` (a path from the repo root): the
    lines to print."""
    why = docker_unavailable()
    if why:
        return [f"docker warm      skipped: {why}"]
    file, _, func = target.partition(":")
    path = REPO / file
    env = dict(env)
    bundle = host_bundle()
    if not env.get("PIPEDECK_CA_BUNDLE") and bundle is not None:
        env["PIPEDECK_CA_BUNDLE"] = str(bundle)
    base = [
        sys.executable,
        "-m",
        "tui",
        "run",
        "pipeline",
        f"{path.name}:{func}" if func else path.name,
    ]
    base += ["--no-cache", "--json", "--runner"]
    with local_stack(path.parent, env):  # the sample's preprocess reads its data from S3
        first_docker = timed([*base, "docker"], env, path.parent)  # may build the image
        first_subprocess = timed([*base, "subprocess"], env, path.parent)  # builds the venv
        docker_times, subprocess_times = [], []
        for _ in range(runs):
            docker_times.append(timed([*base, "docker"], env, path.parent))
            subprocess_times.append(timed([*base, "subprocess"], env, path.parent))
    dock, sub = statistics.median(docker_times), statistics.median(subprocess_times)
    ratios = [a / b for a, b in zip(docker_times, subprocess_times, strict=True)]
    return [
        f"docker pipeline: {target}, {runs} paired warm runs, no cache",
        f"subprocess warm  median {sub:6.2f} s   (first run {first_subprocess:.1f} s)",
        f"docker warm      median {dock:6.2f} s   (first run {first_docker:.1f} s)",
        f"ratio of medians {dock / sub:.2f}x   "
        f"(paired ratios {min(ratios):.2f}..{max(ratios):.2f}; target <= 1.5x)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pipeline", default="simple.py:simple")
    parser.add_argument("--docker-pipeline", default=SAMPLE)
    parser.add_argument("--no-docker", action="store_true", help="leave out the docker row")
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
            "--runner",
            "subprocess",  # as plain kfp.local's SubprocessRunner (auto could pick docker)
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
        docker = [] if args.no_docker else docker_row(args.docker_pipeline, args.runs, env)
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
    for line in docker:
        print(line)


if __name__ == "__main__":
    main()
