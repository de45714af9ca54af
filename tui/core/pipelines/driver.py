"""The driver: the child process that runs one compiled pipeline with ``kfp.local``.

``python -m tui.core.pipelines.driver --spec P.yaml --run-id ID --pipeline-root DIR ...``,
started by ``runner.py`` with the component environment's Python; with ``--docker-image`` tasks
run in containers of that image (``docker_tasks.py``). kfp.local replaces
``builtins.print`` and the root logger's handlers, which is why it only ever runs here.

Framing: the driver keeps the original stdout (fd 1) for itself and points fd 1 at stderr, so
the pipe the runner reads as stdout carries nothing but the driver's JSON lines — the event
model (``tui.core.events``) plus one closing ``{"type": "driver.result", ...}`` line. Whatever
else is written (kfp's banners, warnings, a component's stray output) is either turned into
attributed ``log`` events or lands on stderr, never in the event stream.

With ``--cache``, ``cache_index.CachePolicy`` records which run wrote each cache entry and says
so on a hit; ``--from TASK --rerun NAME…`` (``from_task.py``) bypass the cache for those tasks.

Exit codes: 0 the pipeline succeeded, 1 it failed, 3 unsupported kfp, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import warnings
from pathlib import Path
from typing import IO, Any, TextIO

from tui.core import events as ev
from tui.core.pipelines.capture import KfpChatter, TaskStream

RESULT = "driver.result"


class Channel:
    """The event pipe: whole lines, written atomically from any thread."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._lock = threading.Lock()

    def send(self, data: dict[str, Any]) -> None:
        line = (json.dumps(data, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            self._out.write(line)
            self._out.flush()

    def event(self, event: ev.Event) -> None:
        self.send(ev.to_dict(event))


def take_stdout() -> IO[bytes]:
    """Keep fd 1 for the events; everything else written to fd 1 goes to stderr."""
    events_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(events_fd, "wb", buffering=0)


def _drop_own_path() -> None:
    """Tasks inherit the environment: take pipedeck's driver path off their PYTHONPATH."""
    own = os.environ.pop("PIPEDECK_DRIVER_PATH", "")
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != own]
    if parts:
        os.environ["PYTHONPATH"] = os.pathsep.join(parts)
    else:
        os.environ.pop("PYTHONPATH", None)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tui.core.pipelines.driver")
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--pipeline-root", required=True, type=Path)
    parser.add_argument("--arguments", default="{}", help="pipeline arguments as JSON")
    parser.add_argument("--cache", action="store_true")
    parser.add_argument("--cache-root", type=Path)
    parser.add_argument("--from", dest="from_task", default="", help="--from TASK, as given")
    parser.add_argument(
        "--rerun", action="append", default=[], help="--from: a top-level task to run again"
    )
    parser.add_argument("--skip-pip", action="store_true")
    parser.add_argument("--docker-image", default="", help="docker mode: the component image")
    parser.add_argument(
        "--mount", action="append", default=[], help="docker mode: HOST:CONTAINER[:MODE]"
    )
    return parser.parse_args(argv)


def _route_output(hooks: Any) -> TaskStream:
    """kfp.local's prints and logs, and warnings, become system logs of the current task."""
    stream = TaskStream(lambda line: hooks.log(hooks.current_task(), "system", line))
    sys.stdout = stream
    root = logging.getLogger()
    root.handlers[:] = [logging.StreamHandler(stream)]
    root.setLevel(logging.INFO)
    root.addFilter(KfpChatter())

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        hooks.log(hooks.current_task(), "system", f"{category.__name__}: {message}")

    warnings.showwarning = show
    return stream


def _local_runner(args: argparse.Namespace, hooks: Any) -> Any:
    from kfp import local

    if not args.docker_image:
        return local.SubprocessRunner(use_venv=False)
    from tui.core.pipelines import docker_tasks

    tasks = docker_tasks.DockerTasks(
        args.run_id,
        args.docker_image,
        hooks.log,
        hooks.current_task,
        mounts=dict(docker_tasks.parse_mount(m) for m in args.mount),
        env=json.loads(os.environ.pop(docker_tasks.CONTAINER_ENV_VAR, "") or "{}"),
        emit=hooks.emit,  # a paused task's node.paused / node.resumed (docker_pause.py)
    )
    tasks.install()
    return tasks.runner()


def run(args: argparse.Namespace, channel: Channel) -> int:
    import kfp

    from tui.core.pipelines.hooks import Hooks, UnsupportedKfp

    hooks = Hooks(args.run_id, channel.event, skip_pip=args.skip_pip)
    try:
        hooks.install()
    except UnsupportedKfp as exc:
        channel.send({"type": RESULT, "status": "error", "error": str(exc)})
        return 3
    from tui.core.pipelines.cache_index import CachePolicy

    # which run wrote each cache entry, said on a hit; --from: the tasks to run again miss
    CachePolicy(hooks, args.run_id, args.from_task, tuple(args.rerun)).install()
    runner = _local_runner(args, hooks)  # before the routing: its set-up chatter is dropped
    stream = _route_output(hooks)
    from kfp import components, local

    local.init(
        runner=runner,
        pipeline_root=str(args.pipeline_root),
        raise_on_error=False,
        enable_caching=args.cache,
        cache_root=str(args.cache_root) if args.cache_root else None,
    )
    pipeline = components.load_component_from_file(str(args.spec))
    error = ""
    try:
        pipeline(**json.loads(args.arguments))
    except Exception as exc:  # kfp.local itself failed (not a task: those only set status)
        error = f"kfp {kfp.__version__} failed: {type(exc).__name__}: {exc}"
    finally:
        stream.flush_all()
    status = hooks.root_status or "failure"
    if error:
        status = "failure"
    channel.send({"type": RESULT, "status": status, "failed": hooks.failed_tasks, "error": error})
    return 0 if status == "success" else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    channel = Channel(take_stdout())
    _drop_own_path()
    try:
        return run(args, channel)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
