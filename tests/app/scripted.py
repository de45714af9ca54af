"""A scripted event source, for the tests that are about rendering alone.

Every other app test runs the real act and kfp.local through ``CoreSources``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.app.checks import CHECKS
from tui.app.pipeline_side import ParamInfo, PipelineEntry, PipelineOptions
from tui.app.run_model import PlannedNode
from tui.app.sources import Check
from tui.app.workflow_side import Discovered, WorkflowOptions, discover
from tui.core import events as ev
from tui.core.runner import Runner
from tui.core.store import RunRecord
from tui.core.workflows.discovery import Workflow

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FIXED_CHECKS: dict[str, tuple[str, bool | None]] = {
    "docker": ("27.5.1", True),
    "image": ("0123456", True),
    "act": ("0.2.89", True),
    "kfp": ("2.17.0", True),
}


class ScriptedRunner:
    def __init__(self, run_id: str, script: Sequence[ev.Event], delay: float = 0.0) -> None:
        self.run_id = run_id
        self.script = list(script)
        self.delay = delay
        self.cancelled = False
        self.pid: int | None = None  # nothing runs locally

    async def events(self) -> AsyncIterator[ev.Event]:
        for event in self.script:
            if self.cancelled:
                break
            if self.delay:
                await asyncio.sleep(self.delay)
            yield event
        if self.cancelled:
            yield ev.RunFinished(
                run_id=self.run_id, ts=T0, status="cancelled", exit_code=130, duration=1.0
            )

    async def cancel(self) -> None:
        self.cancelled = True


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


PIPELINE = PipelineEntry(
    target="pipelines/train.py:train",
    name="train",
    tasks=("make-data", "train"),
    params=(ParamInfo("epochs", "int", "3", False), ParamInfo("lr", "float", "", True)),
    planned=(PlannedNode("make-data", "make-data", "task"), PlannedNode("train", "train", "task")),
)


class ScriptedSources:
    """Real workflow discovery (pure YAML), scripted runs and fixed environment checks."""

    def __init__(self, fail: bool = False, delay: float = 0.0) -> None:
        self.fail = fail
        self.delay = delay
        self.started: list[str] = []

    def discover_workflows(self, project: Path) -> Discovered:
        return discover(project)

    def discover_pipelines(self, project: Path) -> tuple[list[PipelineEntry], list[str]]:
        return [PIPELINE], []

    def start_workflow(
        self, project: Path, workflow: Workflow, job: str | None, options: WorkflowOptions
    ) -> tuple[Runner, RunRecord | None]:
        run_id = f"20260102-030405-{len(self.started):04d}"
        self.started.append(run_id)
        target = workflow.path.name
        return ScriptedRunner(run_id, workflow_script(run_id, target, self.fail), self.delay), None

    def start_pipeline(
        self, project: Path, entry: PipelineEntry, options: PipelineOptions
    ) -> tuple[Runner, RunRecord | None]:
        run_id = f"20260102-030405-p{len(self.started):03d}"
        self.started.append(run_id)
        return ScriptedRunner(run_id, pipeline_script(run_id, entry.target), self.delay), None

    def checks(self) -> Mapping[str, Check]:
        assert set(FIXED_CHECKS) == set(CHECKS)
        return {name: (lambda v=value: v) for name, value in FIXED_CHECKS.items()}

    def run_pid(self, runner: Runner) -> int | None:
        return None
