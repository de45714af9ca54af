"""A finished task's outputs as events: artifacts (with their metadata), the values of an
``Output[Metrics]`` as metrics, and plain output parameters as ``system`` log lines.

Runs inside the driver (it needs kfp's ``dsl``), called by ``hooks.py``.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core.digests import uri_sha256


def output_events(run_id: str, node_id: str, outputs: dict[str, Any] | None) -> list[ev.Event]:
    from kfp import dsl

    out: list[ev.Event] = []
    for key, value in (outputs or {}).items():
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, dsl.Artifact) for v in items):
            text = f"output {key} = {json.dumps(value, default=str)}"
            out.append(ev.Log(run_id=run_id, node_id=node_id, stream="system", text=text))
            continue
        for artifact in items:
            schema = type(artifact).schema_title
            metadata = _jsonable(dict(artifact.metadata or {}))
            out.append(
                ev.Artifact(
                    run_id=run_id,
                    node_id=node_id,
                    name=key,
                    uri=str(artifact.uri),
                    artifact_type=schema,
                    metadata=metadata,
                    sha256=uri_sha256(str(artifact.uri)),
                )
            )
            if schema == "system.Metrics":
                out += metric_events(run_id, node_id, metadata)
    return out


def metric_events(run_id: str, node_id: str, metadata: dict[str, Any]) -> list[ev.Event]:
    """The numbers an ``Output[Metrics]`` logged (``log_metric``), one metric event each."""
    return [
        ev.Metric(run_id=run_id, name=name, value=float(value), source="kfp", node_id=node_id)
        for name, value in metadata.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


METRICS_TYPES = (
    "system.Metrics",
    "system.ClassificationMetrics",
    "system.SlicedClassificationMetrics",
)


def keep_metrics(outputs: dict[str, Any]) -> None:
    """A metrics artifact lives in its metadata: kfp's executor writes no file at its URI,
    and kfp.local's cache takes the missing file for a deleted artifact — so a task with an
    ``Output[Metrics]`` never hits the cache. Its metadata, as JSON, at the URI fixes that."""
    for value in outputs.values():
        for artifact in value if isinstance(value, list) else [value]:
            schema = getattr(type(artifact), "schema_title", "")
            uri = str(getattr(artifact, "uri", "") or "")
            if schema not in METRICS_TYPES or not uri or "://" in uri or Path(uri).exists():
                continue
            with contextlib.suppress(OSError):
                Path(uri).parent.mkdir(parents=True, exist_ok=True)
                Path(uri).write_text(json.dumps(getattr(artifact, "metadata", {}) or {}))
