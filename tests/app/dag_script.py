"""The sample project's pipeline (compiled by kfp, so its plan is the real one) with a scripted
run: no drift, so the ``drift-detected`` branch is skipped and ``no-drift`` runs."""

from __future__ import annotations

import runpy
import tempfile
from datetime import timedelta
from pathlib import Path

from tests.app.scripted import ScriptedSources
from tests.runners import T0
from tui.app.app import PipedeckApp
from tui.core import events as ev
from tui.core.launch import PipelineRequest
from tui.core.pipelines.discovery import PipelineTarget, planned_nodes
from tui.core.pipelines.spec import load_spec
from tui.core.runner import Run
from tui.core.store import RunStore

SAMPLE = Path(__file__).resolve().parents[2] / "sample_project" / "pipeline.py"
_TARGET: list[PipelineTarget] = []


def iris_target() -> PipelineTarget:
    """The sample pipeline as discovery lists it (compiled once per test process)."""
    if not _TARGET:
        from kfp import compiler

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "iris.yaml"
            compiler.Compiler().compile(runpy.run_path(str(SAMPLE))["ml_pipeline"], str(out))
            spec = load_spec(out)
        _TARGET.append(
            PipelineTarget(
                target="pipeline.py:ml_pipeline",
                name="iris-ml-pipeline",
                tasks=tuple(n.name for n in spec.nodes() if n.kind == "task"),
                params=spec.params,
                planned=planned_nodes(spec),
            )
        )
    return _TARGET[0]


def iris_script(run_id: str, target: str) -> list[ev.Event]:
    out: list[ev.Event] = [
        ev.RunStarted(run_id=run_id, ts=T0, kind="pipeline", target=target, mode="subprocess")
    ]
    ts = T0

    def node(node_id: str, status: ev.NodeStatus = "success", kind: str = "task") -> None:
        nonlocal ts
        name = node_id.rpartition("/")[2]
        parent = node_id.rpartition("/")[0]
        ts += timedelta(seconds=1)
        if status != "skipped":
            out.append(
                ev.NodeStarted(
                    run_id=run_id, ts=ts, node_id=node_id, name=name, kind=kind, parent_id=parent
                )
            )
            out.append(ev.Log(run_id=run_id, ts=ts, node_id=node_id, text=f"{name}: working"))
        out.append(
            ev.NodeFinished(
                run_id=run_id,
                ts=ts,
                node_id=node_id,
                name=name,
                kind=kind,
                status=status,
                duration=1.0,
                parent_id=parent,
            )
        )

    for task in ("preprocess", "drift-check", "train", "evaluate"):
        node(task)
    node("condition-branches-1/condition-2", "skipped", "group")
    node("condition-branches-1/condition-3/report-no-drift")
    node("condition-branches-1/condition-3", kind="group")
    node("condition-branches-1", kind="group")
    node("deploy")
    out.append(ev.RunFinished(run_id=run_id, ts=ts, status="success", exit_code=0, duration=8.0))
    return out


class IrisSources(ScriptedSources):
    def discover_pipelines(self, project: Path) -> tuple[list[PipelineTarget], list[str]]:
        return [iris_target()], []

    def start_pipeline(self, request: PipelineRequest) -> Run:
        run_id = f"20260102-030405-p{len(self.started):03d}"
        script = iris_script(run_id, request.target)
        return self._run(run_id, "pipeline", request.target, request.project, script)


def iris_app(project: Path) -> PipedeckApp:
    store = RunStore()
    return PipedeckApp(project, sources=IrisSources(store), store=store)
