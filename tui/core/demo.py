"""``pipedeck demo``: the sample project's workflow and pipeline, side by side, on the local
stack. The TUI and the headless CLI both drive it through :func:`prepare` and :func:`drive`.

The bundled sample runs from its git copy (:mod:`tui.core.demo_workspace`); its DVC remote,
a bucket of the local S3 server, gets the tracked data it lacks before the runs start
(:mod:`tui.core.stack.dvc_remote`), so the workflow's ``dvc pull`` and the pipeline's
preprocess read it there."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import tui
from tui.core import config, demo_workspace
from tui.core import events as ev
from tui.core.errors import BadInput
from tui.core.images import container_https
from tui.core.launch import PipelineRequest, start_pipeline, start_workflow
from tui.core.run_state import RunState
from tui.core.runner import Run
from tui.core.stack import dvc_remote, s3
from tui.core.store import RunStore
from tui.core.workflows.act_argv import WorkflowRequest
from tui.core.workflows.discovery import WORKFLOW_DIR
from tui.core.workflows.mode import RunnerMode, choose_mode, parse_mode
from tui.core.workflows.plan import load_workflow

WORKFLOW = "ml-pipeline.yml"
PIPELINE = "pipeline.py"
MODEL_KEY = "model.pkl"


def sample_project() -> Path:
    """``sample_project/`` of a source checkout, or the copy bundled into a wheel."""
    package = Path(tui.__file__).resolve().parent
    bundled = package / "_sample_project"
    return bundled if bundled.is_dir() else package.parent / "sample_project"


@dataclass
class Side:
    """One of the two runs. What it reported is its run's state (the lifecycle's fold)."""

    kind: str
    run: Run

    @property
    def state(self) -> RunState:
        return self.run.state

    @property
    def ok(self) -> bool:
        return self.state.status == "success"


@dataclass
class Demo:
    project: Path
    endpoint: str
    sides: list[Side]
    note: str = ""  # why the workflow runs in the mode it does, when that is not obvious
    source: Path | None = None  # the bundled sample ``project`` is the git copy of
    data: list[dvc_remote.Seeded] = field(default_factory=list)  # what the DVC remote got

    @property
    def model_uri(self) -> str:
        for side in self.sides:
            for artifact in side.state.artifacts:
                if artifact.uri.startswith("s3://") and artifact.name == MODEL_KEY:
                    return artifact.uri
        return ""

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sides) and bool(self.model_uri) and self.has_metrics

    @property
    def has_metrics(self) -> bool:
        return all(side.state.metrics for side in self.sides)


def prepare(
    project: Path | None = None, runner: str = "auto", store: RunStore | None = None
) -> Demo:
    """Bring up the local S3 server, then make (not start) the workflow run and the pipeline run."""
    if project is not None and not project.is_dir():
        raise BadInput(f"--project {project}: no such directory")
    source = None
    if project is None:  # the bundled sample, as a git repository of its own
        source = sample_project().resolve()
        project = demo_workspace.workspace(source)
    project = project.resolve()
    workflow_file = project / WORKFLOW_DIR / WORKFLOW
    if not workflow_file.is_file() or not (project / PIPELINE).is_file():
        raise BadInput(f"{project}: not the sample project (no {WORKFLOW} or {PIPELINE})")
    settings = config.load(project, runner=None if runner == "auto" else runner)
    status, _ = s3.start(settings)
    data = dvc_remote.seed(project, s3.client(status.endpoint), status.endpoint)
    workflow_mode, pipeline_mode, note = _modes(settings)
    note = "; ".join([*(d.line for d in data if not d.ok), *([note] if note else [])])
    request = WorkflowRequest(
        project=project,
        workflow=load_workflow(workflow_file),
        mode=workflow_mode,
        offline=settings.offline,
        ca_bundle=settings.ca_bundle,
    )
    workflow_run = start_workflow(request, store)
    pipeline_run = start_pipeline(PipelineRequest(project, PIPELINE, mode=pipeline_mode), store)
    return Demo(
        project=project,
        endpoint=status.endpoint,
        note=note,
        sides=[Side("workflow", workflow_run), Side("pipeline", pipeline_run)],
        source=source,
        data=data,
    )


def _modes(settings: config.Settings) -> tuple[RunnerMode, str, str]:
    """The modes the demo runs in, and a note when a container mode was passed over.

    The workflow uses docker mode only when its containers can reach the package index (it
    pip-installs its requirements). The pipeline runs with the subprocess runner: its
    component environment (scikit-learn, boto3) is built once and reused, where docker mode installs
    the packages again in every task's container (measured: ~100 s against ~6 s warm);
    `pipedeck run pipeline pipeline.py --runner docker` shows that mode.
    """
    workflow = parse_mode(settings.runner)
    if workflow != "auto" or choose_mode("auto").mode != "docker":
        return workflow, "subprocess", ""
    from tui.core.images import local_images

    probe = container_https.probe(local_images.runner_image(), settings.ca_bundle)
    if probe.ok:
        return "auto", "subprocess", ""  # auto picks docker mode, and says why
    note = (
        f"docker mode skipped: containers cannot reach the package index ({probe.detail});"
        " `pipedeck doctor` says how to fix it"
    )
    return "host", "subprocess", note


async def drive(demo: Demo, on_event: Callable[[Side, ev.Event], Awaitable[None] | None]) -> None:
    """Run both sides at once through the lifecycle; ``on_event`` sees each event."""

    async def one(side: Side) -> None:
        async with contextlib.aclosing(side.run.events()) as events:
            async for event in events:
                result = on_event(side, event)
                if result is not None:
                    await result

    await asyncio.gather(*(one(side) for side in demo.sides))


async def cancel(demo: Demo) -> None:
    await asyncio.gather(*(side.run.cancel() for side in demo.sides))
