"""The app's door to the pipeline side of ``tui.core`` (``tui.core.pipelines``).

Discovery imports the project's pipeline files in a child process and starting a run
compiles the pipeline and prepares its component environment: both block, so screens call
them from workers (``asyncio.to_thread``). This is the only module of the app that knows the
pipeline side's API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.app.run_model import PlannedNode
from tui.core.runner import Runner
from tui.core.store import RunRecord


@dataclass(frozen=True)
class ParamInfo:
    name: str
    type_name: str
    default: str  # JSON text of the default; "" when required
    required: bool


@dataclass(frozen=True)
class PipelineEntry:
    target: str  # ``pipelines/train.py:train_pipeline`` (relative to the project)
    name: str
    tasks: tuple[str, ...] = ()
    params: tuple[ParamInfo, ...] = ()
    planned: tuple[PlannedNode, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class PipelineOptions:
    params: dict[str, str] = field(default_factory=dict)
    cache: bool = True


def discover(project: Path) -> tuple[list[PipelineEntry], list[str]]:
    """Every pipeline of the project and the problems found (``file:line: message``)."""
    from tui.core.pipelines.discovery import discover as find
    from tui.core.pipelines.discovery import display_path

    found = find(project)
    entries = []
    for info in found.pipelines:
        if info.spec is None:
            continue
        shown = display_path(info.file, project)
        target = f"{shown}:{info.func}" if info.func else shown
        planned: list[PlannedNode] = []
        for top in info.spec.tasks:
            stack: list[tuple[Any, str]] = [(top, "")]
            while stack:
                node, parent = stack.pop(0)
                planned.append(PlannedNode(node.id, node.name, node.kind, parent))
                stack.extend((child, node.id) for child in node.children)
        params = tuple(
            ParamInfo(p.name, p.type_name, p.default_text(), p.required) for p in info.spec.params
        )
        tasks = tuple(n.name for n in info.spec.nodes() if n.kind == "task")
        entries.append(PipelineEntry(target, info.name or info.func, tasks, params, tuple(planned)))
    return entries, [problem.text(project) for problem in found.problems]


def start(
    project: Path, entry: PipelineEntry, options: PipelineOptions
) -> tuple[Runner, RunRecord]:
    """A runner for one kfp.local run, recorded in the run store (``tui.core.launch``)."""
    from tui.core.launch import start_pipeline

    return start_pipeline(project, entry.target, options.params, cache=options.cache)
