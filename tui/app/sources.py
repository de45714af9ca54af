"""Where the app gets a project's targets and its runs from: ``tui.core``, injected.

Every user, and every app test that runs something, gets :class:`CoreSources` (the real act
and kfp.local); tests about rendering alone pass a scripted :class:`Sources`. Runs come back
as :class:`~tui.core.runner.Run`: recorded in the app's run store, driven by the lifecycle.
Everything here may block (YAML, a child process importing pipeline files, compiling,
asking the Docker engine): screens call it from workers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.app import checks
from tui.core import launch
from tui.core.launch import PipelineRequest
from tui.core.runner import Run
from tui.core.store import RunStore
from tui.core.workflows import discovery
from tui.core.workflows.act_argv import WorkflowRequest
from tui.core.workflows.discovery import Discovered

if TYPE_CHECKING:  # the pipeline side loads when a pipeline is discovered or run
    from tui.core.pipelines.discovery import PipelineTarget

Check = Callable[[], tuple[str, bool | None]]


class Sources(Protocol):
    def discover_workflows(self, project: Path) -> Discovered: ...

    def discover_pipelines(self, project: Path) -> tuple[list[PipelineTarget], list[str]]: ...

    def start_workflow(self, request: WorkflowRequest) -> Run: ...

    def start_pipeline(self, request: PipelineRequest) -> Run: ...

    def checks(self) -> Mapping[str, Check]: ...


class CoreSources:
    """The real thing: discovery, act and kfp.local through ``tui.core``."""

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def discover_workflows(self, project: Path) -> Discovered:
        return discovery.discover_all(project)

    def discover_pipelines(self, project: Path) -> tuple[list[PipelineTarget], list[str]]:
        from tui.core.pipelines.discovery import project_targets  # a child process imports

        return project_targets(project)

    def start_workflow(self, request: WorkflowRequest) -> Run:
        return launch.start_workflow(request, self.store)

    def start_pipeline(self, request: PipelineRequest) -> Run:
        return launch.start_pipeline(request, self.store)

    def checks(self) -> Mapping[str, Check]:
        return checks.CHECKS
