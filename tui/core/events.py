"""The event model: the one vocabulary every runner, the store, the CLI and the TUI share.

Each event is a frozen dataclass with ``type``, ``run_id`` and ``ts`` (UTC). ``to_dict`` /
``from_dict`` are the JSON form written by ``--json`` and stored in ``events.jsonl``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import UnionType
from typing import Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

try:
    import orjson
except ImportError:  # the kfp.local driver runs in a component environment, without it
    orjson = None  # type: ignore[assignment]

RunKind = Literal["workflow", "pipeline"]
NodeKind = Literal["job", "step", "task", "group", "attempt"]
# What each status means, and how it is drawn: tui.core.statuses (the one table).
NodeStatus = Literal["success", "failure", "skipped", "cancelled", "not run"]
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
    display_name: str = ""  # a pipeline task's display name, where it is not its name


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
    """One or more consecutive lines of one node and stream: ``text`` holds them joined by
    ``\n`` (a burst is a few events, not one per line); every consumer splits it."""

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
    """``sha256``: the hex sha256 of the content where pipedeck can read it, a local file or
    folder, or an S3 object (how: :mod:`tui.core.digests`); ``None`` where it cannot (a
    remote URI) and in runs stored before artifacts carried it (their lines lack the field).
    ``pipedeck diff`` tells changed artifacts by it."""

    type: ClassVar[str] = "artifact"
    node_id: str
    name: str
    uri: str
    artifact_type: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    sha256: str | None = None


@dataclass(frozen=True, kw_only=True)
class NodePaused(Event):
    """A node waits for the user: before it ran (``reason`` ``breakpoint``) or after it
    failed (``failure``, with the step's ``exit_code``); ``detail`` says how to go on."""

    type: ClassVar[str] = "node.paused"
    node_id: str
    reason: str
    exit_code: int = 0
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class NodeResumed(Event):
    """The pause ended: ``action`` is ``continue``, ``skip`` or ``retry``."""

    type: ClassVar[str] = "node.resumed"
    node_id: str
    action: str


@dataclass(frozen=True, kw_only=True)
class JobOutputs(Event):
    """A workflow job's ``outputs:`` as it finished: its mapping evaluated over its steps'
    outputs (act logs those, not the job's). ``node_id`` is the job's node (a matrix leg's
    own); an output pipedeck cannot evaluate is left out, and a log line says so.
    ``pipedeck rerun --failed`` hands these to the jobs it runs again."""

    type: ClassVar[str] = "job.outputs"
    node_id: str
    outputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TriggerDecided(Event):
    """``pipedeck prepush``: does the push (or pull request) about to be made trigger one
    workflow, and why: the filter and the branch, tag or path that decided
    (``paths: src/** matched src/app.py``, ``no on.push``). It belongs to no run, so
    ``run_id`` is empty; ``--json`` prints one per workflow (and ref pushed, ``ref``) before
    the runs' events, and no run's ``events.jsonl`` holds it."""

    type: ClassVar[str] = "trigger.decided"
    workflow: str  # the workflow file, as the project names it (.github/workflows/ci.yml)
    triggered: bool
    reason: str
    ref: str = ""  # refs/heads/<branch>, refs/tags/<tag>


@dataclass(frozen=True, kw_only=True)
class RunFinished(Event):
    type: ClassVar[str] = "run.finished"
    status: RunStatus
    exit_code: int
    duration: float
    error: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        RunStarted,
        NodeStarted,
        NodeFinished,
        NodePaused,
        NodeResumed,
        Log,
        Metric,
        Artifact,
        JobOutputs,
        TriggerDecided,
        RunFinished,
    )
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


def from_dict(data: Any) -> Event:
    """Inverse of :func:`to_dict`. Raises ``ValueError`` on anything that is not an event:
    not an object, an unknown type, a missing field, or a field of the wrong type."""
    if not isinstance(data, Mapping):
        raise ValueError(f"not an event object: {type(data).__name__}")
    kind = data.get("type")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown event type {kind!r}")
    checks = field_checks(cls)
    kwargs = {k: v for k, v in data.items() if k in checks}
    try:
        if "ts" in kwargs:
            kwargs["ts"] = datetime.fromisoformat(kwargs["ts"])
        for name, value in kwargs.items():
            if name != "ts" and not checks[name](value):
                raise ValueError(f"field {name} has the wrong type ({type(value).__name__})")
        if "argv" in kwargs:
            kwargs["argv"] = tuple(kwargs["argv"])
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"bad {kind} event: {exc}") from exc


_CHECKS: dict[type, dict[str, Callable[[Any], bool]]] = {}


def field_checks(cls: type) -> dict[str, Callable[[Any], bool]]:
    """Per field of the dataclass ``cls``: does a decoded JSON value fit its annotation?"""
    checks = _CHECKS.get(cls)
    if checks is None:
        hints = get_type_hints(cls)
        checks = _CHECKS[cls] = {f.name: _check(hints[f.name]) for f in dataclasses.fields(cls)}
    return checks


def _check(hint: Any) -> Callable[[Any], bool]:
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        return lambda v: v in args
    if origin in (Union, UnionType):
        parts = [_check(a) for a in args]
        return lambda v: any(p(v) for p in parts)
    if hint is type(None):
        return lambda v: v is None
    if hint is str:
        return lambda v: isinstance(v, str)
    if hint is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if hint is float:
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if origin is tuple:
        return lambda v: isinstance(v, list | tuple) and all(isinstance(i, str) for i in v)
    if origin in (Mapping, dict) or hint in (Mapping, dict):
        return lambda v: isinstance(v, Mapping)
    return lambda v: True  # datetime (parsed above), Any


def _default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode(event: Event) -> bytes:
    """One event as a JSON line's bytes (no newline): ``to_dict``'s form, by orjson."""
    if orjson is None:
        return _JSON(to_dict(event)).encode("utf-8")
    return orjson.dumps(to_dict(event), default=_default)


def dumps(event: Event) -> str:
    return encode(event).decode("utf-8")


def loads(line: str | bytes) -> Event:
    return from_dict(orjson.loads(line) if orjson is not None else json.loads(line))


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default).encode
