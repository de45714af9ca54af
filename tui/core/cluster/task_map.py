"""KFP's ``run_details.task_details`` → the user's tasks as node events.

KFP 2.x lists one task detail per Argo node of the run's workflow: the workflow itself,
``root-driver``/``root``, and for each pipeline task ``<task>-driver`` (the driver pod) and
``<task>`` (a DAG holding the ``executor`` pod, or the sub-DAG of a group). The user's task is
the node named like its DAG key; its driver only tells that it started, or why it failed before
running. Everything else is plumbing and is not shown. A task inside a ``ParallelFor`` appears
once per iteration: each gets ``iteration`` and the node id ``<loop>/iteration-<i>/<task>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.core import events as ev
from tui.core.pipelines.spec import PipelineSpec, PlanNode

FINAL = {"SUCCEEDED": "success", "FAILED": "failure", "SKIPPED": "skipped", "CANCELED": "cancelled"}
RUN_FINAL = frozenset(FINAL)
PLUMBING = frozenset({"root", "root-driver", "executor"})
_ITERATION = re.compile(r"^(?P<name>.+?)\((?P<index>\d+)(:\d+)?\)$")


@dataclass
class _Open:
    started: ev.NodeStarted
    begun: datetime | None


def node_status(state: str) -> ev.NodeStatus | None:
    """The node status for a final KFP runtime state; None while it is not final."""
    status = FINAL.get(state)
    return status  # type: ignore[return-value]


class TaskTracker:
    """Feed it each ``get_run``'s task details; it returns the node events that happened."""

    def __init__(self, run_id: str, spec: PipelineSpec) -> None:
        self.run_id = run_id
        self.by_key: dict[str, list[PlanNode]] = {}
        self.parent: dict[str, str] = {}
        self.in_loop: dict[str, str] = {}  # node id → the id of the loop group around it
        for node in spec.tasks:
            self._index(node, "", "")
        self.open: dict[str, _Open] = {}
        self.done: set[str] = set()
        self.iterations: dict[tuple[str, str], int] = {}  # (plan id, detail identity) → i

    def _index(self, node: PlanNode, parent: str, loop: str) -> None:
        key = node.id.rsplit("/", 1)[-1]
        self.by_key.setdefault(key, []).append(node)
        self.parent[node.id] = parent
        if loop:
            self.in_loop[node.id] = loop
        for child in node.children:
            self._index(child, node.id, node.id if node.loop else loop)

    def known(self, key: str) -> bool:
        return key in self.by_key

    # -- feeding ------------------------------------------------------------------------

    def update(self, details: Iterable[Mapping[str, Any]]) -> list[ev.Event]:
        out: list[ev.Event] = []
        for detail in details:
            name = str(detail.get("display_name") or "")
            state = str(detail.get("state") or "")
            if not name or name in PLUMBING or state in ("", "RUNTIME_STATE_UNSPECIFIED"):
                continue
            driver = name.endswith("-driver") and self.known(name[: -len("-driver")])
            key = name[: -len("-driver")] if driver else name
            match = _ITERATION.match(key)
            if match and self.known(match["name"]):
                key = match["name"]
            if not self.known(key):
                continue
            plan = self.by_key[key][0]
            if driver and plan.id in self.in_loop:
                continue  # an iteration is told apart by its main node only
            node_id, iteration = self._node_id(plan, detail, driver)
            out.extend(self._start(plan, node_id, iteration, detail))
            status = node_status(state)
            if driver:
                if status == "failure":
                    out.extend(self._finish(node_id, "failure", detail))
                continue
            if status is not None:
                out.extend(self._finish(node_id, status, detail))
        return out

    def close(self, status: ev.NodeStatus) -> list[ev.NodeFinished]:
        """Every node still open when the run ended, children first."""
        out = []
        for node_id in reversed(list(self.open)):
            out.extend(self._finish(node_id, status, {}))
        return out

    # -- internals ----------------------------------------------------------------------

    def _node_id(
        self, plan: PlanNode, detail: Mapping[str, Any], driver: bool
    ) -> tuple[str, int | None]:
        loop = self.in_loop.get(plan.id)
        if not loop:
            return plan.id, None
        identity = str(detail.get("task_id") or "") or _identity(detail, driver)
        key = (plan.id, identity)
        if key not in self.iterations:
            index = sum(1 for (pid, _) in self.iterations if pid == plan.id)
            self.iterations[key] = index
        index = self.iterations[key]
        rest = plan.id[len(loop) + 1 :]
        return f"{loop}/iteration-{index}/{rest}", index

    def _start(
        self, plan: PlanNode, node_id: str, iteration: int | None, detail: Mapping[str, Any]
    ) -> list[ev.Event]:
        if node_id in self.open or node_id in self.done:
            return []
        out: list[ev.Event] = []
        parent = self.parent.get(plan.id, "")
        if parent and node_id.startswith(parent + "/") and parent not in self.open:
            parent_plan = next(p for ps in self.by_key.values() for p in ps if p.id == parent)
            if parent not in self.done:
                out.extend(self._start(parent_plan, parent, None, {}))
        started = ev.NodeStarted(
            run_id=self.run_id,
            node_id=node_id,
            name=plan.name,
            kind="group" if plan.kind == "group" else "task",
            parent_id=_parent_of(node_id),
            iteration=iteration,
        )
        self.open[node_id] = _Open(started, _time(detail, "start_time"))
        out.append(started)
        return out

    def _finish(
        self, node_id: str, status: ev.NodeStatus, detail: Mapping[str, Any]
    ) -> list[ev.NodeFinished]:
        entry = self.open.pop(node_id, None)
        if entry is None:
            return []
        self.done.add(node_id)
        begun = _time(detail, "start_time") or entry.begun
        ended = _time(detail, "end_time")
        duration = None
        if begun is not None and ended is not None and ended >= begun:
            duration = round((ended - begun).total_seconds(), 3)
        s = entry.started
        return [
            ev.NodeFinished(
                run_id=self.run_id,
                node_id=node_id,
                name=s.name,
                kind=s.kind,
                status=status,
                duration=duration,
                parent_id=s.parent_id,
                iteration=s.iteration,
            )
        ]


def node_for_pod(node_name: str, tracker: TaskTracker) -> tuple[str, bool] | None:
    """Argo's ``workflows.argoproj.io/node-name`` of a pod → (node id, is the executor).

    ``simple-x7k2p.root.make-data.executor`` → ``("make-data", True)``;
    ``….root.make-data-driver`` → ``("make-data", False)``. None for plumbing pods.
    """
    parts = node_name.split(".")[1:]
    segments: list[str] = []
    executor = bool(parts) and parts[-1] == "executor"
    for part in parts:
        if part in PLUMBING:
            continue
        if part.endswith("-driver") and tracker.known(part[: -len("-driver")]):
            part = part[: -len("-driver")]
        match = _ITERATION.match(part)
        if match:
            part = match["name"] if tracker.known(match["name"]) else part
            if not tracker.known(part):
                segments.append(f"iteration-{match['index']}")
                continue
        if tracker.known(part):
            segments.append(part)
    if not segments:
        return None
    return "/".join(segments), executor


def _identity(detail: Mapping[str, Any], driver: bool) -> str:
    start = _time(detail, "start_time") or _time(detail, "create_time")
    return f"{'driver' if driver else 'main'}@{start.isoformat() if start else ''}"


def _time(detail: Mapping[str, Any], name: str) -> datetime | None:
    value = detail.get(name)
    if isinstance(value, datetime):
        return value if value.year > 1970 else None
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.year > 1970 else None
    return None


def _parent_of(node_id: str) -> str:
    head, sep, _ = node_id.rpartition("/")
    if not sep:
        return ""
    if re.fullmatch(r"iteration-\d+", head.rsplit("/", 1)[-1]):
        return head.rpartition("/")[0]
    return head
