"""Where the app gets projects' targets and runs from: ``tui.core`` by default, injected.

Tests about rendering alone pass a scripted :class:`Sources`; everything else (and every
user) gets :class:`CoreSources`, which goes through the real act and kfp.local.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from tui.app import checks, pipeline_side, workflow_side
from tui.app.pipeline_side import PipelineEntry, PipelineOptions
from tui.app.workflow_side import Discovered, WorkflowOptions
from tui.core.runner import Runner
from tui.core.store import RunRecord
from tui.core.workflows.discovery import Workflow

Check = Callable[[], tuple[str, bool | None]]


class Sources(Protocol):
    def discover_workflows(self, project: Path) -> Discovered: ...

    def discover_pipelines(self, project: Path) -> tuple[list[PipelineEntry], list[str]]: ...

    def start_workflow(
        self, project: Path, workflow: Workflow, job: str | None, options: WorkflowOptions
    ) -> tuple[Runner, RunRecord | None]: ...

    def start_pipeline(
        self, project: Path, entry: PipelineEntry, options: PipelineOptions
    ) -> tuple[Runner, RunRecord | None]: ...

    def checks(self) -> Mapping[str, Check]: ...

    def run_pid(self, runner: Runner) -> int | None: ...


class CoreSources:
    """The real thing: discovery, act and kfp.local through ``tui.core``."""

    def discover_workflows(self, project: Path) -> Discovered:
        return workflow_side.discover(project)

    def discover_pipelines(self, project: Path) -> tuple[list[PipelineEntry], list[str]]:
        return pipeline_side.discover(project)

    def start_workflow(
        self, project: Path, workflow: Workflow, job: str | None, options: WorkflowOptions
    ) -> tuple[Runner, RunRecord | None]:
        return workflow_side.start(project, workflow, job, options)

    def start_pipeline(
        self, project: Path, entry: PipelineEntry, options: PipelineOptions
    ) -> tuple[Runner, RunRecord | None]:
        return pipeline_side.start(project, entry, options)

    def checks(self) -> Mapping[str, Check]:
        return checks.CHECKS

    def run_pid(self, runner: Runner) -> int | None:
        return workflow_side.run_pid(runner)
