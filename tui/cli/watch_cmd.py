"""``pipedeck watch``: run targets, and run each again when a file it depends on changes."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from tui.cli.app import app
from tui.cli.common import ProjectOption, console, note, project_dir
from tui.core import config
from tui.core.errors import BadInput
from tui.core.launch import PipelineRequest, start_pipeline, start_workflow
from tui.core.runner import Run
from tui.core.watch import Watched, watched_pipeline, watched_workflow
from tui.core.watch_loop import DEBOUNCE_MS, Start, WatchLoop
from tui.core.workflows import discovery
from tui.core.workflows.act_argv import WorkflowRequest
from tui.core.workflows.mode import parse_mode

PIPELINE_RUNNERS = ("subprocess", "docker", "auto")


@app.command("watch")
def watch(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Workflows (FILE, or name in .github/workflows/) and pipelines (FILE[:FUNC]);"
            " default: every workflow and pipeline of the project."
        ),
    ] = None,
    runner: Annotated[
        str | None,
        typer.Option("--runner", help="Workflows: host, docker or auto (default: auto)."),
    ] = None,
    pipeline_runner: Annotated[
        str,
        typer.Option("--pipeline-runner", help="Pipelines: subprocess, docker or auto."),
    ] = "subprocess",
    offline: Annotated[
        bool | None, typer.Option("--offline", help="Workflows: the local stand-ins.")
    ] = None,
    debounce: Annotated[
        int, typer.Option("--debounce", help="Milliseconds a change settles before a run.")
    ] = DEBOUNCE_MS,
    json_out: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
    project: ProjectOption = Path(),
) -> None:
    """Run the targets, then again each time a file one depends on changes (its file, what a
    pipeline imports, what a workflow's run: steps name); a run still going is cancelled. A
    pipeline's run again takes unchanged tasks from the cache. Ctrl-C stops."""
    root = project_dir(project)
    settings = config.load(root, runner=runner, offline=offline or None)
    mode = parse_mode(settings.runner)
    if pipeline_runner not in PIPELINE_RUNNERS:
        choices = ", ".join(PIPELINE_RUNNERS)
        raise BadInput(f"--pipeline-runner {pipeline_runner}: choose one of {choices}")
    if debounce < 0:
        raise BadInput(f"--debounce {debounce}: give milliseconds, 0 or more")
    watched = resolve(root, targets or [])
    if not watched:
        raise BadInput(f"{root}: no workflows or pipelines to watch")

    async def start(entry: Watched) -> Run:
        if entry.kind == "pipeline":
            request = PipelineRequest(root, entry.target, {}, True, pipeline_runner)
            return await asyncio.to_thread(start_pipeline, request)
        workflow = discovery.resolve(root, str(entry.path), lenient=True)[0]
        return start_workflow(
            WorkflowRequest(
                project=root,
                workflow=workflow,
                mode=mode,
                offline=settings.offline,
                ca_bundle=settings.ca_bundle,
            )
        )

    sys.exit(asyncio.run(_watch(root, watched, start, json_out, debounce)))


def resolve(root: Path, targets: list[str]) -> list[Watched]:
    """What to watch: each TARGET as a workflow or a pipeline (every one, with none)."""
    if not targets:
        from tui.core.pipelines.discovery import discover, display_path

        out = [watched_workflow(root, p.name, p) for p in discovery.find_workflow_files(root)]
        for info in discover(root).pipelines:
            name = display_path(info.file, root) + (f":{info.func}" if info.func else "")
            out.append(watched_pipeline(root, name, info.file))
        return out
    out = []
    workflows = (root / discovery.WORKFLOW_DIR).resolve()
    for target in targets:
        file = target.rpartition(":")[0] if ":" in target else target
        path = Path(file) if Path(file).is_absolute() else root / file
        compiled = path.suffix in (".yaml", ".yml") and path.is_file()
        if compiled and path.resolve().is_relative_to(workflows):
            compiled = False  # a workflow file, named by its path
        if path.suffix == ".py" or compiled:
            if not path.is_file():
                raise BadInput(f"{target}: no such pipeline file")
            out.append(watched_pipeline(root, target, path))
            continue
        for workflow in discovery.resolve(root, target, lenient=True):
            out.append(watched_workflow(root, workflow.path.name, workflow.path))
    return out


async def _watch(
    root: Path, watched: list[Watched], start: Start, json_out: bool, debounce: int
) -> int:
    from tui.cli.execute import Flushed, event_line, tick
    from tui.cli.render import RunView

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    out = Flushed(sys.stdout.buffer, loop) if json_out else None

    async def show(entry: Watched, run: Run) -> None:
        if out is not None:
            async for event in run.events():
                out.write(event_line(run, event))
            out.flush()
            return
        with RunView(console(), live=False) as view:
            ticker = loop.create_task(tick(view))
            try:
                async for event in run.events():
                    view.handle(event)
            finally:
                ticker.cancel()

    def say(entry: Watched, line: str) -> None:
        note(f"pipedeck: {line}")

    names = ", ".join(w.target for w in watched)
    note(f"pipedeck: watching {names} (Ctrl-C stops)")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    watcher = WatchLoop(root, watched, start, show, say, debounce_ms=debounce)
    try:
        await watcher.run(stop)
    finally:
        if out is not None:
            out.flush()
    with contextlib.suppress(OSError):
        print("pipedeck: watch stopped", file=sys.stderr)
    return 0
