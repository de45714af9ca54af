"""``report_for(record)``: the fidelity report of one stored run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.fidelity.items import Item

if TYPE_CHECKING:
    from tui.core.store import RunRecord

SERVICES = {"workflow": "GitHub", "pipeline": "the cluster"}


def report_for(record: RunRecord) -> list[Item]:
    """What will differ on the real service for ``record`` (a workflow or pipeline run), in
    the order the run met it; [] when nothing recorded says so."""
    events = list(record.events())
    if record.meta.kind == "workflow":
        from tui.core.fidelity.workflow import workflow_items

        return workflow_items(record.meta, events)
    if record.meta.kind == "pipeline":
        from tui.core.fidelity.pipeline import pipeline_items

        return pipeline_items(record.meta, events, record.path)
    return []


def service_of(kind: str) -> str:
    """Where a run of ``kind`` runs for real ("GitHub", "the cluster")."""
    return SERVICES.get(kind, "the real service")
