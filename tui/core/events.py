"""The event model: the one vocabulary every runner, the store, the CLI and the TUI share.

Each event is a frozen dataclass with ``type``, ``run_id`` and ``ts`` (UTC). ``to_dict`` /
``from_dict`` are the JSON form written by ``--json`` and stored in ``events.jsonl``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

RunKind = Literal["workflow", "pipeline"]
NodeKind = Literal["job", "step", "task", "group"]
# What each status means, and how it is drawn: tui.core.statuses (the one table).
NodeStatus = Literal["success", "failure", "skipped", "cancelled"]
RunStatus = Literal["success", "failure", "cancelled"]
Stream = Literal["stdout", "stderr", "system"]
MetricSource = Literal["kfp", "workflow", "resource"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str] = ""
    run_id: str
    ts: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, kw_only=True)
class RunStarted(Event):
    type: ClassVar[str] = "run.started"
    kind: RunKind
    target: str
    mode: str
    argv: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class NodeStarted(Event):
    type: ClassVar[str] = "node.started"
    node_id: str
    name: str
    kind: NodeKind
    parent_id: str = ""
    matrix: Mapping[str, Any] | None = None
    iteration: int | None = None


@dataclass(frozen=True, kw_only=True)
class NodeFinished(Event):
    type: ClassVar[str] = "node.finished"
    node_id: str
    name: str
    kind: NodeKind
    status: NodeStatus
    duration: float | None = None
    parent_id: str = ""
    matrix: Mapping[str, Any] | None = None
    iteration: int | None = None


@dataclass(frozen=True, kw_only=True)
class Log(Event):
    type: ClassVar[str] = "log"
    node_id: str = ""
    stream: Stream = "stdout"
    text: str


@dataclass(frozen=True, kw_only=True)
class Metric(Event):
    type: ClassVar[str] = "metric"
    name: str
    value: float
    step: int | None = None
    source: MetricSource = "workflow"
    node_id: str = ""


@dataclass(frozen=True, kw_only=True)
class Artifact(Event):
    type: ClassVar[str] = "artifact"
    node_id: str
    name: str
    uri: str
    artifact_type: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RunFinished(Event):
    type: ClassVar[str] = "run.finished"
    status: RunStatus
    exit_code: int
    duration: float
    error: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (RunStarted, NodeStarted, NodeFinished, Log, Metric, Artifact, RunFinished)
}


_FIELD_NAMES: dict[type[Event], tuple[str, ...]] = {}
_PLAIN = (str, int, float, bool, type(None))


def _field_names(cls: type[Event]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_dict(event: Event) -> dict[str, Any]:
    """The JSON-ready form: ``type`` first, ``ts`` as ISO 8601 UTC."""
    out: dict[str, Any] = {"type": event.type}
    for name in _field_names(type(event)):
        value = getattr(event, name)
        if value.__class__ in _PLAIN:
            pass
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[name] = value
    return out


def from_dict(data: Mapping[str, Any]) -> Event:
    """Inverse of :func:`to_dict`. Raises ``ValueError`` on an unknown type or bad fields."""
    kind = data.get("type")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown event type {kind!r}")
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in data.items() if k in names}
    if "ts" in kwargs:
        kwargs["ts"] = datetime.fromisoformat(kwargs["ts"])
    if "argv" in kwargs:
        kwargs["argv"] = tuple(kwargs["argv"])
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"bad {kind} event: {exc}") from exc


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # built once


def dumps(event: Event) -> str:
    return _ENCODE(to_dict(event))


def loads(line: str) -> Event:
    return from_dict(json.loads(line))
