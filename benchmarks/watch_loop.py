"""The inner loop users feel: edit → result for the sample pipeline when only `evaluate`
changed, with `pipedeck watch` (warm: its cache holds the other tasks) against plain kfp.local
run by hand after the same edit (warm too: same cache, same component environment).

    python benchmarks/watch_loop.py [--runs N]

pipedeck: from the moment the edit is written to the moment `run.finished` of the run it
triggered is read from `pipedeck watch --json` (so detection, the debounce and the run).
Plain kfp.local: the wall time of a script that runs the pipeline with kfp.local's cache on,
started right after the same edit (a user who re-runs by hand pays at least that). Prints the
median of each over N edits (default 5) and their ratio; the issue's target is ≤ 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from projects import GIT_ENV, REPO, local_stack, pipedeck_command

sys.path.insert(0, str(REPO))

from tui.core.pipelines import env as component_env
from tui.core.pipelines.compile import load_pipeline
from tui.core.workflows.host_venv import bundled_pip_wheel

PLAIN = """
import importlib.util, sys
from kfp import local
spec = importlib.util.spec_from_file_location("bench", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=sys.argv[2],
           enable_caching=True, cache_root=sys.argv[3])
module.ml_pipeline()
"""
MARK = "def evaluate("


def edit(pipeline: Path, n: int) -> None:
    """Change only `evaluate`'s source (a comment in its body: a new cache key for it alone)."""
    text = pipeline.read_text()
    head, _, rest = text.partition(MARK)
    body_start = rest.index('"""', rest.index('"""') + 3) + 3  # after its docstring
    rest = rest[:body_start] + f"\n    # edit {n}" + rest[body_start:]
    pipeline.write_text(head + MARK + rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    envs = component_env.envs_root()  # this machine's: the sample's packages take minutes
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        root = Path(tmp)
        project = root / "project"  # the one pipedeck watches
        other = root / "plain"  # the plain side's (an edit there is none of the watch's)
        git = {**os.environ, **GIT_ENV}
        for folder in (project, other):
            shutil.copytree(REPO / "sample_project", folder)
            for argv in (
                ["git", "init", "-q"],
                ["git", "add", "-A"],
                ["git", "commit", "-qm", "b"],
            ):
                subprocess.run(argv, cwd=folder, env=git, check=True)
        env = {
            **os.environ,
            "XDG_STATE_HOME": str(root / "state"),
            component_env.ENV_DIR_VAR: str(envs),
        }
        os.environ.update(env)
        loaded = load_pipeline("pipeline.py:ml_pipeline", project, root / "probe")
        venv = component_env.component_env(loaded.spec.packages, loaded.spec.pip_options)
        component_env.ensure(venv, on_line=lambda line: None)
        pipeline = project / "pipeline.py"
        # plain kfp.local pip-installs each task's packages_to_install (here already there: a
        # check); the component environment has no pip of its own, so it runs from its wheel
        wheel = bundled_pip_wheel()
        plain_env = {**env, "PYTHONPATH": str(wheel)} if wheel else env
        # preprocess reads the DVC-tracked data from the local S3 server: both sides reach it
        plain_env.update(stack.enter_context(local_stack(project, env)))

        watch = subprocess.Popen(
            pipedeck_command("watch", "pipeline.py", "--json", "--debounce", "100"),
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert watch.stdout is not None

        def finished(why: str) -> float:
            """When the run that says ``why`` (watch's first log line) has finished."""
            mine = ""
            for line in watch.stdout:  # type: ignore[union-attr]
                event = json.loads(line)
                if event["type"] == "log" and event.get("text") == f"watch: {why}":
                    mine = event["run_id"]
                elif event["type"] == "run.finished" and event["run_id"] == mine:
                    if event["status"] != "success":
                        raise SystemExit(f"the run {mine} failed: {event.get('error')}")
                    return time.perf_counter()
            raise SystemExit("pipedeck watch ended early")

        plain_file = other / "pipeline.py"
        plain = [
            str(venv.python),
            "-c",
            PLAIN,
            str(plain_file),
            str(root / "plain-root"),
            str(root / "plain-cache"),
        ]
        try:
            finished("first run")  # the cache is warm from here on
            subprocess.run(plain, cwd=other, env=plain_env, check=True, capture_output=True)
            watch_times, plain_times = [], []
            for n in range(args.runs):
                time.sleep(0.5)
                edit(pipeline, n)
                start = time.perf_counter()
                watch_times.append(finished("pipeline.py changed") - start)
                time.sleep(0.5)
                edit(plain_file, n)
                start = time.perf_counter()
                subprocess.run(plain, cwd=other, env=plain_env, check=True, capture_output=True)
                plain_times.append(time.perf_counter() - start)
        finally:
            watch.terminate()
            watch.wait(timeout=30)
    pd, raw = statistics.median(watch_times), statistics.median(plain_times)
    print(f"sample pipeline, only `evaluate` edited, {args.runs} edits each, warm cache")
    print(f"plain kfp.local re-run by hand  median {raw:6.2f} s")
    print(f"pipedeck watch, edit → result   median {pd:6.2f} s   (target ≤ 2 s)")
    print(f"ratio                           {pd / raw:.2f}x")


if __name__ == "__main__":
    main()
