"""The app's door to the workflow side of ``tui.core``: discovery, planning, starting act.

Everything here may block (YAML parsing, asking the Docker engine): screens call it from
workers (``asyncio.to_thread``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.app.run_model import PlannedNode
from tui.core import launch
from tui.core.errors import BadInput
from tui.core.runner import Runner
from tui.core.store import RunRecord
from tui.core.workflows import discovery as workflows
from tui.core.workflows.act_argv import WorkflowRequest

MODES = ("auto", "host", "docker")


@dataclass(frozen=True)
class WorkflowOptions:
    """What the run form (or plain ``r``) asks for."""

    event: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    mode: str = "auto"
    dry_run: bool = False


@dataclass(frozen=True)
class Discovered:
    workflows: list[workflows.Workflow]
    names: list[str]
    problems: list[str]


def target_name(project: Path, workflow: workflows.Workflow) -> str:
    folder = project / workflows.WORKFLOW_DIR
    path = workflow.path
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else path.name


def discover(project: Path) -> Discovered:
    found: list[workflows.Workflow] = []
    problems: list[str] = []
    for path in workflows.find_workflow_files(project):
        try:
            found.append(workflows.load_workflow(path))
        except BadInput as exc:
            problems.append(exc.message)
    return Discovered(found, [target_name(project, w) for w in found], problems)


def plan(workflow: workflows.Workflow, job: str | None = None) -> list[PlannedNode]:
    """The jobs (matrix legs as act names them: ``job-1``, ``job-2``…) before act starts."""
    out: list[PlannedNode] = []
    for job_id, plan_job in workflow.jobs.items():
        if job is not None and job_id != job:
            continue
        if plan_job.matrix:
            for i, leg in enumerate(plan_job.matrix, start=1):
                values = ", ".join(str(v) for v in leg.values())
                out.append(PlannedNode(f"{job_id}-{i}", f"{job_id} ({values})", "job"))
        else:
            out.append(PlannedNode(job_id, job_id, "job"))
    return out


def start(
    project: Path, workflow: workflows.Workflow, job: str | None, options: WorkflowOptions
) -> tuple[Runner, RunRecord]:
    """A runner for one workflow run, recorded in the run store (``tui.core.launch``, as the
    CLI and the demo do it: the project's settings fill in the CA bundle and offline mode)."""
    request = WorkflowRequest(
        project=project,
        workflow=workflow,
        event=options.event,
        job=job,
        inputs=dict(options.inputs),
        mode=options.mode,
        dry_run=options.dry_run,
    )
    return launch.start_workflow(request)


def run_pid(runner: Runner) -> int | None:
    """The pid of the run's child process (act, or the kfp.local driver) for the resource
    metrics; None before it starts."""
    return runner.pid
