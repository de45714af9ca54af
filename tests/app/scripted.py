"""A scripted event source, for the tests that are about rendering alone.

Every other app test runs the real act and kfp.local through ``CoreSources``. Scripted runs
are recorded in the app's store like real ones (the lifecycle wraps them the same way).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from tests.runners import T0, RaisingRunner, ScriptedRunner, broken_script
from tui.app.app import PipedeckApp
from tui.app.checks import CHECKS
from tui.app.sources import Check
from tui.core import events as ev
from tui.core.launch import PipelineRequest
from tui.core.pipelines.discovery import PipelineTarget
from tui.core.pipelines.spec import Param
from tui.core.run_state import PlannedNode
from tui.core.runner import Run
from tui.core.store import RunStore
from tui.core.workflows.act_argv import WorkflowRequest
from tui.core.workflows.discovery import Discovered, discover_all

FIXED_CHECKS: dict[str, tuple[str, bool | None]] = {
    "docker": ("27.5.1", True),
    "image": ("0123456", True),
    "act": ("0.2.89", True),
    "kfp": ("2.17.0", True),
}


def workflow_script(run_id: str, target: str, fail: bool = False) -> list[ev.Event]:
    """A chain-like run: build → test, the second step of test failing when ``fail``."""
    out: list[ev.Event] = [
        ev.RunStarted(run_id=run_id, ts=T0, kind="workflow", target=target, mode="host")
    ]
    ts = T0

    def tick() -> datetime:
        nonlocal ts
        ts += timedelta(seconds=1)
        return ts

    for job, steps in (("build", ["compute version"]), ("test", ["unit tests", "lint"])):
        out.append(ev.NodeStarted(run_id=run_id, ts=tick(), node_id=job, name=job, kind="job"))
        job_status: ev.NodeStatus = "success"
        for i, step in enumerate(steps):
            node = f"{job}/{i}"
            out.append(
                ev.NodeStarted(
                    run_id=run_id, ts=tick(), node_id=node, name=step, kind="step", parent_id=job
                )
            )
            failing = fail and job == "test" and i == 1
            for n in range(3):
                text = f"\x1b[32m{step}\x1b[0m line {n}"
                out.append(ev.Log(run_id=run_id, ts=tick(), node_id=node, text=text))
            if failing:
                out.append(
                    ev.Log(run_id=run_id, ts=tick(), node_id=node, stream="stderr", text="E501")
                )
            status: ev.NodeStatus = "failure" if failing else "success"
            job_status = "failure" if failing else job_status
            out.append(
                ev.NodeFinished(
                    run_id=run_id,
                    ts=tick(),
                    node_id=node,
                    name=step,
                    kind="step",
                    status=status,
                    duration=1.5,
                    parent_id=job,
                )
            )
        out.append(
            ev.NodeFinished(
                run_id=run_id,
                ts=tick(),
                node_id=job,
                name=job,
                kind="job",
                status=job_status,
                duration=4.0,
            )
        )
    out.append(
        ev.RunFinished(
            run_id=run_id,
            ts=tick(),
            status="failure" if fail else "success",
            exit_code=1 if fail else 0,
            duration=9.5,
            error="failed job(s): test" if fail else "",
        )
    )
    return out


def pipeline_script(run_id: str, target: str) -> list[ev.Event]:
    out: list[ev.Event] = [
        ev.RunStarted(run_id=run_id, ts=T0, kind="pipeline", target=target, mode="subprocess")
    ]
    for task in ("make-data", "train"):
        out.append(ev.NodeStarted(run_id=run_id, ts=T0, node_id=task, name=task, kind="task"))
        out.append(ev.Log(run_id=run_id, ts=T0, node_id=task, text=f"{task}: working"))
        out.append(
            ev.NodeFinished(
                run_id=run_id,
                ts=T0,
                node_id=task,
                name=task,
                kind="task",
                status="success",
                duration=2.0,
            )
        )
    for step, (acc, loss) in enumerate([(0.5, 0.9), (0.7, 0.6), (0.8, 0.4)]):
        out.append(
            ev.Metric(
                run_id=run_id,
                ts=T0,
                name="accuracy",
                value=acc,
                step=step,
                source="kfp",
                node_id="train",
            )
        )
        out.append(
            ev.Metric(
                run_id=run_id,
                ts=T0,
                name="loss",
                value=loss,
                step=step,
                source="kfp",
                node_id="train",
            )
        )
    out.append(ev.RunFinished(run_id=run_id, ts=T0, status="success", exit_code=0, duration=4.0))
    return out


PIPELINE = PipelineTarget(
    target="pipelines/train.py:train",
    name="train",
    tasks=("make-data", "train"),
    params=(
        Param("epochs", "NUMBER_INTEGER", 3, has_default=True),
        Param("lr", "NUMBER_DOUBLE"),
    ),
    planned=(PlannedNode("make-data", "make-data", "task"), PlannedNode("train", "train", "task")),
)


class ScriptedSources:
    """Real workflow discovery (pure YAML), scripted runs and fixed environment checks.
    Runs get fixed ids, so snapshots do not change from one run to the next."""

    def __init__(
        self, store: RunStore, fail: bool = False, delay: float = 0.0, broken: bool = False
    ) -> None:
        self.store = store
        self.fail = fail
        self.delay = delay
        self.broken = broken  # workflow runs raise midway
        self.started: list[str] = []

    def discover_workflows(self, project: Path) -> Discovered:
        return discover_all(project)

    def discover_pipelines(self, project: Path) -> tuple[list[PipelineTarget], list[str]]:
        return [PIPELINE], []

    def start_workflow(self, request: WorkflowRequest) -> Run:
        run_id = f"20260102-030405-{len(self.started):04d}"
        target = request.workflow.path.name
        if self.broken:
            self.started.append(run_id)
            record = self.store.create("workflow", target, request.project, "host", run_id=run_id)
            error = RuntimeError("the act log parser broke")
            return Run(RaisingRunner(run_id, broken_script(run_id, target), error), record)
        script = workflow_script(run_id, target, self.fail)
        return self._run(run_id, "workflow", request.target, request.project, script)

    def start_pipeline(self, request: PipelineRequest) -> Run:
        run_id = f"20260102-030405-p{len(self.started):03d}"
        script = pipeline_script(run_id, request.target)
        return self._run(run_id, "pipeline", request.target, request.project, script)

    def _run(
        self, run_id: str, kind: str, target: str, project: Path, script: list[ev.Event]
    ) -> Run:
        self.started.append(run_id)
        record = self.store.create(kind, target, project, "host", run_id=run_id)
        return Run(ScriptedRunner(run_id, script, self.delay), record)

    def checks(self) -> Mapping[str, Check]:
        assert set(FIXED_CHECKS) == set(CHECKS)
        return {name: (lambda v=value: v) for name, value in FIXED_CHECKS.items()}


def scripted_app(project: Path, *, tour: bool = False, **kwargs: object) -> PipedeckApp:
    """The app on ``project`` with scripted runs recorded in a temporary store (the test's
    own XDG state dir)."""
    store = RunStore()
    sources = ScriptedSources(store, **kwargs)  # type: ignore[arg-type]
    return PipedeckApp(project, sources=sources, store=store, tour=tour)
