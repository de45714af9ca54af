"""act's JSON log (``act --json -v``) → pipedeck events.

A state machine over act's log records:

- jobs are keyed on ``job`` (matrix legs share ``jobID`` but each has its own ``job``);
- steps on (job, stage, ``stepID`` — or lowercase ``stepid`` for the set-up/complete steps);
- ``raw_output`` lines become ``log`` events of the step;
- ``stepResult`` / ``jobResult`` become ``node.finished`` (``executionTime`` is nanoseconds);
- no result act did not give: a step it started and gave no result ends ``not run`` with its
  job, and so does a job when act ends without its result (``finish``), with act's error;
- a job on a platform act does not support (windows, macOS) is ``skipped``, with act's reason;
- a reusable workflow's jobs (``<caller>/<workflow>/<job>``) sit in a group node for the
  calling job, which act itself never reports;
- ``command`` records (warning, error, group, endgroup, summary, set-output, add-mask) become
  the matching events; ``add-mask`` values are masked from then on;
- as a job ends, its ``outputs:`` evaluated over its steps' outputs are a ``job.outputs``
  event (``job_outputs.py``); a hidden job (a re-run's stand-in) gives that event only;
- lines that are not JSON (act's final ``Error: …``) are kept as ``system`` log lines.

Every field of every record is masked before it is parsed (act prints secrets in clear in its
``step`` and ``arg`` fields), and every event leaves through the :class:`Masker` too, so no
secret reaches a consumer or the store.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from tui.core import events as ev
from tui.core import metric_lines
from tui.core.masking import Masker
from tui.core.run_state import merge_logs
from tui.core.workflows.job_outputs import OutputsWatch

_RESULTS: dict[str, ev.NodeStatus] = {
    "success": "success",
    "failure": "failure",
    "skipped": "skipped",
    "cancelled": "cancelled",
}
# act's status chatter that node events already convey.
_CHATTER = ("⭐ Run ", "🏁  Job ", "🧪  Matrix:", "LocalRepositoryCache ")
_FIXED_STEPS = {"--setup-job": "Set up job", "--complete-job": "Complete job"}
_UNSUPPORTED = "🚧  Skipping unsupported platform"


@dataclass
class _Node:
    node_id: str
    name: str
    kind: ev.NodeKind
    parent_id: str
    matrix: Mapping[str, Any] | None
    started: float = field(default_factory=time.monotonic)
    finished: bool = False
    status: str = ""
    job_id: str = ""  # a job's id in the workflow file (act's jobID)


class ActLogParser:
    """Feed it act's output lines; it returns the events each line means."""

    def __init__(
        self,
        run_id: str,
        workflow_name: str,
        masker: Masker | None = None,
        callers: Mapping[str, str] | None = None,
        outputs: Mapping[str, Mapping[str, str]] | None = None,
        hidden: Collection[str] = (),
    ) -> None:
        """``callers``: the jobs that call a reusable workflow (``uses:``), id -> name: act
        reports only the called jobs (``<caller>/<called workflow>/<job>``), shown here in a
        group node for the caller. ``outputs``: each job's ``outputs:`` mapping, keyed
        ``<workflow name>/<job id>``; ``hidden``: the jobs (so keyed) of which only
        ``job.outputs`` is reported (``job_outputs.for_parser``)."""
        self.run_id = run_id
        self.watch = OutputsWatch(run_id, outputs or {}, hidden)
        self.prefix = f"{workflow_name}/" if workflow_name else ""  # "": keep act's whole key
        self.callers = dict(callers or {})
        self.groups: dict[str, _Node] = {}
        self.masker = masker or Masker()
        self.jobs: dict[str, _Node] = {}
        self.steps: dict[str, _Node] = {}
        self.outputs: dict[str, dict[str, str]] = {}
        self.summaries: dict[str, list[str]] = {}
        self._group_depth: dict[str, int] = {}
        self._warned: set[str] = set()
        self.last_error = ""  # act's last error line (Error: …)
        # Set when the user cancels: act then reports the steps it stops as failures.
        self.cancelling = False

    # -- entry points -------------------------------------------------------------------

    def feed(self, line: str, stream: ev.Stream = "stdout") -> list[ev.Event]:
        record = _as_record(line)
        if record is None:
            if not line.strip():
                return []
            if line.startswith("Error: "):
                self.last_error = self.masker.text(line.removeprefix("Error: ").strip())
            return self._out([ev.Log(run_id=self.run_id, stream="system", text=line)])
        if record.get("command") == "add-mask":  # mask it whole before anything is masked
            self.masker.add(str(record.get("arg", "")))
        if self.masker.hit(line):  # act's own fields hold secrets in clear (script, args)
            record = self.masker.value(record)
        return self._out(self._record(record))

    def feed_batch(self, lines: Iterable[tuple[str, ev.Stream]]) -> list[ev.Event]:
        """:meth:`feed` for many lines; a node's consecutive log lines become one ``log``
        event (its text the lines joined by newlines)."""
        out: list[ev.Event] = []
        for text, stream in lines:
            out += self.feed(text, stream)
        return merge_logs(out)

    def finish(self) -> list[ev.Event]:
        """After act ended: what it never gave a result is ``not run`` (with act's error),
        not invented; a reusable workflow's group ends as its jobs did."""
        out: list[ev.Event] = []
        for job in list(self.jobs.values()):
            if not job.finished:
                if self.last_error:
                    out += self._lines(job, f"not run: {self.last_error}", "system")
                out += self._finish_job(job, "not run")
        out += self._finish_groups()
        return self._out(out)

    # -- records ------------------------------------------------------------------------

    def _record(self, rec: dict[str, Any]) -> list[ev.Event]:
        if "job" not in rec:
            return self._global(rec)
        if self.watch.hidden and str(rec["job"]).strip() in self.watch.hidden:  # a stand-in
            return self.watch.hidden_record(rec, self._status)
        out: list[ev.Event] = []
        job = self._job(rec, out)
        if "jobResult" in rec:
            if job.kind == "group":  # act's result for a calling job: the group's
                if not job.finished:
                    job.status = self._status(rec["jobResult"])
                    out.append(self._finished(job, job.status, time.monotonic() - job.started))
                return out
            out += self._outputs_of(job, rec)
            return out + self._finish_job(job, self._status(rec["jobResult"]))
        if str(rec.get("msg", "")).startswith(_UNSUPPORTED):  # act skips the job, says why
            reason = str(rec["msg"]).removeprefix("🚧").strip()
            return out + self._lines(job, reason, "system") + self._finish_job(job, "skipped")
        if rec.get("level") == "debug" and "stepResult" not in rec:
            return out  # act's chatter; but a skipped step's result comes at debug level
        step = self._step(job, rec, out)
        command = rec.get("command")
        if command:
            return out + self._command(job, step, rec, str(command))
        if "stepResult" in rec and step is not None:
            duration = _seconds(rec.get("executionTime"), step.started)
            out.append(self._finished(step, self._status(rec["stepResult"]), duration))
            return out
        msg = str(rec.get("msg", ""))
        node = step or job
        if rec.get("raw_output"):
            out += self._lines(node, msg, "stdout")
        elif rec.get("level") == "error":
            out += self._lines(node, msg, "stderr")
        elif rec.get("level") == "warning":
            if msg not in self._warned:  # act repeats some warnings once per expression
                self._warned.add(msg)
                out += self._lines(node, msg, "system")
        elif rec.get("level") == "info" and not msg.lstrip().startswith(_CHATTER):
            out += self._lines(node, msg.strip(), "system")
        return out

    def _outputs_of(self, job: _Node, rec: dict[str, Any]) -> list[ev.Event]:
        """A job that ends: its ``job.outputs``, and a line for each output left out."""
        mine = job.node_id + "/"
        steps = {k.removeprefix(mine): v for k, v in self.outputs.items() if k.startswith(mine)}
        key = str(rec["job"]).strip()
        event, left_out = self.watch.job_ended(key, job.job_id, job.node_id, steps)
        lines = [e for text in left_out for e in self._lines(job, text, "system")]
        return [event, *lines] if event is not None else lines

    def _global(self, rec: dict[str, Any]) -> list[ev.Event]:
        level = rec.get("level")
        if level in ("warning", "error", "fatal", "panic"):
            stream: ev.Stream = "stderr" if level != "warning" else "system"
            return [ev.Log(run_id=self.run_id, stream=stream, text=str(rec.get("msg", "")))]
        return []  # debug/info chatter from act's planner

    def _job(self, rec: dict[str, Any], out: list[ev.Event]) -> _Node:
        key = str(rec["job"]).strip()  # act pads job names to align its text log
        job = self.jobs.get(key)
        if job is None:
            node_id = key.removeprefix(self.prefix)
            if node_id in self.callers:  # act's chatter about a calling job: its group's
                return self.groups[self._group(f"{node_id}/", out)]
            matrix = rec.get("matrix") or None
            name = str(rec.get("jobID") or node_id)
            if matrix:
                name = f"{name} ({', '.join(str(v) for v in matrix.values())})"
            parent = self._group(node_id, out)
            if not self.prefix and not parent and "/" in node_id:  # a folder's: say whose
                name = f"{node_id.split('/', 1)[0]} › {name}"
            job_id = str(rec.get("jobID") or "")
            job = _Node(node_id, name, "job", parent, matrix, job_id=job_id)
            self.jobs[key] = job
            out.append(self._started(job))
        return job

    def _group(self, node_id: str, out: list[ev.Event]) -> str:
        """The group a called workflow's job belongs to ("" for the workflow's own jobs)."""
        caller = node_id.split("/", 1)[0]
        if "/" not in node_id or caller not in self.callers:
            return ""
        if caller not in self.groups:
            group = _Node(caller, self.callers[caller], "group", "", None, job_id=caller)
            self.groups[caller] = group
            out.append(self._started(group))
        return caller

    def _finish_groups(self) -> list[ev.Event]:
        out: list[ev.Event] = []
        for group in self.groups.values():
            if group.finished:
                continue
            results = {j.status for j in self.jobs.values() if j.parent_id == group.node_id}
            status: ev.NodeStatus = "success"
            for worst in ("failure", "cancelled", "not run"):
                if worst in results:
                    status = worst
                    break
            else:
                if results == {"skipped"}:
                    status = "skipped"
            out.append(self._finished(group, status, time.monotonic() - group.started))
        return out

    def _step(self, job: _Node, rec: dict[str, Any], out: list[ev.Event]) -> _Node | None:
        ids = rec.get("stepID") or rec.get("stepid")
        if not ids:
            return None
        step_key = ".".join(str(i) for i in ids)
        stage = str(rec.get("stage") or "")
        local = step_key if stage in ("", "Main") else f"{stage.lower()}:{step_key}"
        node_id = f"{job.node_id}/{local}"
        step = self.steps.get(node_id)
        if step is None and not _announces_step(rec):
            return None  # e.g. a warning about a Pre stage act then skips: keep it on the job
        if step is None:
            raw = str(rec.get("step") or _FIXED_STEPS.get(step_key, step_key))
            title = raw.strip().splitlines()[0] if raw.strip() else step_key
            if stage not in ("", "Main"):
                title = f"{stage} {title}"
            # A composite action's own steps (stepID ["0", "1"]) nest under the action's step.
            parent = f"{job.node_id}/{'.'.join(str(i) for i in ids[:-1])}"
            parent_id = parent if len(ids) > 1 and parent in self.steps else job.node_id
            step = _Node(node_id, title, "step", parent_id, None)
            self.steps[node_id] = step
            out.append(self._started(step))
        return step

    def _command(
        self, job: _Node, step: _Node | None, rec: dict[str, Any], command: str
    ) -> list[ev.Event]:
        node = step or job
        arg = str(rec.get("arg", ""))
        if command == "add-mask":  # taken in feed(), before the record was masked
            return []
        if command in ("warning", "error", "notice", "debug"):
            kv = rec.get("kvPairs") or {}
            where = f" ({kv['file']}:{kv.get('line', '?')})" if kv.get("file") else ""
            stream: ev.Stream = "stderr" if command == "error" else "system"
            return self._lines(node, f"{command}{where}: {arg}", stream)
        if command == "group":
            self._group_depth[node.node_id] = self._group_depth.get(node.node_id, 0) + 1
            return self._lines(node, f"▸ {arg}", "system")
        if command == "endgroup":
            self._group_depth[node.node_id] = max(0, self._group_depth.get(node.node_id, 0) - 1)
            return []
        if command == "summary":
            content = str(rec.get("content", ""))
            self.summaries.setdefault(job.node_id, []).append(content)
            return self._lines(node, f"step summary:\n{content.rstrip()}", "system")
        if command == "metric":
            metric = metric_lines.from_command(
                {str(k): str(v) for k, v in (rec.get("kvPairs") or {}).items()}, arg
            )
            if metric is not None:
                return [
                    ev.Metric(
                        run_id=self.run_id,
                        name=metric.name,
                        value=metric.value,
                        step=metric.step,
                        source="workflow",
                        node_id=node.node_id,
                    )
                ]
        if command == "set-env":
            return self._lines(node, f"env {rec.get('name', '')}={arg}", "system")
        if command == "add-path":
            return self._lines(node, f"PATH += {arg}", "system")
        if command == "set-output":
            name = str(rec.get("name", ""))
            self.outputs.setdefault(node.node_id, {})[name] = arg
            return self._lines(node, f"output {name}={arg}", "system")
        return self._lines(node, f"::{command}::{arg}", "system")

    # -- helpers ------------------------------------------------------------------------

    def _status(self, result: object) -> ev.NodeStatus:
        status = _RESULTS.get(str(result), "failure")
        return "cancelled" if self.cancelling and status == "failure" else status

    def _finish_job(self, job: _Node, status: ev.NodeStatus) -> list[ev.Event]:
        out: list[ev.Event] = []
        for step in self.steps.values():  # steps act started and gave no result of their own
            if step.node_id.startswith(job.node_id + "/") and not step.finished:
                step_status: ev.NodeStatus = "cancelled" if status == "cancelled" else "not run"
                out.append(self._finished(step, step_status, time.monotonic() - step.started))
        out.append(self._finished(job, status, time.monotonic() - job.started))
        job.status = status
        return out

    def _started(self, node: _Node) -> ev.NodeStarted:
        return ev.NodeStarted(
            run_id=self.run_id,
            node_id=node.node_id,
            name=node.name,
            kind=node.kind,
            parent_id=node.parent_id,
            matrix=node.matrix,
        )

    def _finished(self, node: _Node, status: ev.NodeStatus, duration: float) -> ev.NodeFinished:
        node.finished = True
        return ev.NodeFinished(
            run_id=self.run_id,
            node_id=node.node_id,
            name=node.name,
            kind=node.kind,
            parent_id=node.parent_id,
            matrix=node.matrix,
            status=status,
            duration=round(duration, 3),
        )

    def _lines(self, node: _Node, text: str, stream: ev.Stream) -> list[ev.Event]:
        text = text.rstrip("\n")
        return [
            ev.Log(run_id=self.run_id, node_id=node.node_id, stream=stream, text=part)
            for part in text.split("\n")
        ]

    def _out(self, events: list[ev.Event]) -> list[ev.Event]:
        return [self.masker.event(e) for e in events]


def _announces_step(rec: dict[str, Any]) -> bool:
    """Records that mean a step really runs: act's "⭐ Run", output, a command, a result. An
    error about a step act never ran (an action it could not fetch) stays on the job."""
    return bool(
        str(rec.get("msg", "")).startswith("⭐ Run ")
        or rec.get("raw_output")
        or rec.get("command")
        or "stepResult" in rec
    )


def _as_record(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        rec = orjson.loads(line)
    except ValueError:
        return None
    return rec if isinstance(rec, dict) and "msg" in rec else None


def _seconds(nanos: Any, started: float) -> float:
    if isinstance(nanos, int | float) and nanos >= 0:
        return nanos / 1e9
    return time.monotonic() - started
