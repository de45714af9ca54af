"""``pipedeck rerun RUN --failed``: a finished workflow run's failed jobs run again, with every
job that depends on them, as GitHub's "Re-run failed jobs" does.

Which jobs: those of RUN that did not succeed (failed, cancelled, not run, never reported —
act does not start a job whose needs failed) and, transitively, every job that needs one of
them. The jobs that succeeded do not run again. Those a re-run job needs are replaced, in a
temporary copy of the workflow in the run's scratch folder (the user's file is never touched),
by stand-ins that only set the outputs RUN recorded (its ``job.outputs`` events), so that
``needs.<job>.outputs`` is what it was in RUN; a stand-in is hidden from every view (no node,
no log: ``job_outputs.OutputsWatch``). The others are left out of the copy. The jobs that run
again are copied as the file has them now: a fix made since RUN is what runs.

The new run starts with RUN's options as they were recorded (``meta.extra["request"]``, see
:func:`recorded_options`; secrets never are: a ``-s`` secret is given again or taken from the
environment) in RUN's mode, and links to it: ``meta.extra["rerun_of"]``, with the jobs that
ran (``rerun_jobs``) and the jobs that came from RUN (``reused_jobs``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.errors import BadInput
from tui.core.workflows.act_argv import (
    DEFAULT_LABEL,
    WorkflowRequest,
    foreign_platform,
    runnable_labels,
)
from tui.core.workflows.mode import RunnerMode

if TYPE_CHECKING:
    from tui.core import events as ev
    from tui.core.store import RunRecord
    from tui.core.workflows.plan import JobPlan, Workflow
    from tui.core.workflows.rerun_copy import Standin

MASK = "***"  # as tui.core.masking masks a secret
LOG_PREFIX = b'{"type":"log"'  # a stored log event's line (its type comes first)
MAX_CHAIN = 50  # re-runs of re-runs followed back for recorded outputs
_DONE = ("success", "skipped")


@dataclass(frozen=True)
class RerunPlan:
    """What a re-run runs: ``jobs`` again, with ``standins`` for the jobs they need that
    succeeded in ``of_run``; ``reused``: every job whose result comes from ``of_run``."""

    of_run: str
    jobs: tuple[str, ...]
    reused: tuple[str, ...]
    standins: Mapping[str, Standin] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # lines for the run's log: outputs not passed on, and why

    def meta(self) -> dict[str, Any]:
        """What the new run's meta.json records of it."""
        return {
            "rerun_of": self.of_run,
            "rerun_jobs": list(self.jobs),
            "reused_jobs": list(self.reused),
        }

    def lines(self) -> list[str]:
        """The system log lines the new run starts with."""
        reused = ", ".join(self.reused) or "none"
        head = f"rerun of {self.of_run} (--failed): runs {', '.join(self.jobs)};"
        return [f"{head} jobs {reused} came from it", *self.notes]

    def write_copy(self, source: Path, folder: Path) -> Path:
        """The workflow act is given (``folder/workflow/<name>``): see :func:`write_copy`."""
        from tui.core.workflows.rerun_copy import write_copy

        return write_copy(source, folder, self.jobs, self.standins)


@dataclass(frozen=True)
class RerunRequest(WorkflowRequest):
    """A workflow request that re-runs part of a stored run: the runner gives act the copy
    ``rerun`` writes, and hides its stand-ins."""

    rerun: RerunPlan = field(kw_only=True)


def plan_rerun(
    record: RunRecord,
    *,
    secrets: Iterable[tuple[str, str]] = (),
    secret_file: Path | None = None,
) -> RerunRequest:
    """The request that re-runs ``record``'s failed jobs and those that depend on them
    (``pipedeck rerun RUN --failed``; the TUI's ``F``): start it with ``launch.start_workflow``.
    ``secrets`` (``-s``) and ``secret_file`` stand for RUN's, which are never stored. A run
    this cannot re-run is a one-line BadInput."""
    import tempfile

    from tui.core.run_state import RunState
    from tui.core.workflows.plan import load_workflow
    from tui.core.workflows.rerun_copy import Standin

    meta = record.meta
    run = meta.run_id
    _check_rerunnable(record)
    path = Path(str(meta.extra.get("workflow") or ""))
    if not meta.extra.get("workflow") or not path.is_file():
        raise BadInput(f"run {run}: its workflow file {path} is not there any more")
    workflow = load_workflow(path, lenient=True)
    options: dict[str, Any] = dict(meta.extra.get("request") or {})
    events = _stored_events(record)
    state = RunState.of(events)
    universe = _universe(record, workflow, options, state.argv)
    reused_before = {str(j) for j in meta.extra.get("reused_jobs") or ()}
    statuses: dict[str, list[str]] = {}
    for node in state.nodes.values():
        job = job_of(node.node_id, workflow.jobs) if not node.parent_id else None
        if job is not None and node.kind in ("job", "group"):
            statuses.setdefault(job, []).append(node.status)

    def done(job: str) -> bool:
        seen = statuses.get(job)
        return job in reused_before or bool(seen and all(s in _DONE for s in seen))

    to_run = {job for job in universe if not done(job)}
    grew = True
    while grew:  # and everything that needs one of them
        grew = False
        for job in universe:
            if job not in to_run and any(n in to_run for n in workflow.jobs[job].needs):
                to_run.add(job)
                grew = True
    if not to_run:
        raise BadInput(f"run {run}: nothing failed to re-run (its jobs succeeded)")
    jobs = tuple(job for job in workflow.jobs if job in to_run)
    recorded = _recorded_outputs(record, events, workflow.jobs)
    standins: dict[str, Standin] = {}
    notes: list[str] = []
    for need in (n for job in jobs for n in workflow.jobs[job].needs):
        if need in to_run or need in standins:
            continue
        plan_job = workflow.jobs[need]
        values = recorded.get(need, {})
        kept = tuple((k, v) for k, v in values.items() if MASK not in v)
        for name in (k for k, v in values.items() if MASK in v):
            notes.append(
                f"needs.{need}.outputs.{name}: its value in run {run} held a secret (masked"
                " there), so it is not passed on (GitHub does not pass on such outputs)"
            )
        for name in (k for k, _ in plan_job.outputs if k not in values):
            notes.append(f"needs.{need}.outputs.{name}: not recorded in run {run}; empty here")
        was_skipped = need not in reused_before and set(statuses.get(need, ())) == {"skipped"}
        standins[need] = Standin(need, _label(plan_job, workflow), kept, was_skipped)
    plan = RerunPlan(
        of_run=run,
        jobs=jobs,
        reused=tuple(job for job in universe if job not in to_run),
        standins=standins,
        notes=tuple(notes),
    )
    with tempfile.TemporaryDirectory(prefix="pipedeck-rerun-") as folder:
        plan.write_copy(path, Path(folder))  # a copy that cannot be made fails here, not later
    return _request(record, workflow, options, state.argv, plan, dict(secrets), secret_file)


def job_of(node_id: str, jobs: Mapping[str, object]) -> str | None:
    """The workflow job a job node is (a matrix leg ``<job>-<n>`` is its job's)."""
    if node_id in jobs:
        return node_id
    base, dash, leg = node_id.rpartition("-")
    return base if dash and leg.isdigit() and base in jobs else None


def _check_rerunnable(record: RunRecord) -> None:
    from tui.core.store import RUNNING

    meta = record.meta
    run = meta.run_id
    if meta.kind != "workflow":
        raise BadInput(
            f"run {run} is a {meta.kind} run, not a workflow run: rerun --failed re-runs the"
            " failed jobs of a workflow run"
        )
    if meta.status == RUNNING:
        raise BadInput(f"run {run} is still running: re-run it once it has finished")
    if meta.status == "success":
        raise BadInput(f"run {run} succeeded: nothing failed to re-run")
    if meta.target.endswith("/"):
        raise BadInput(
            f"run {run} ran a folder of workflows ({meta.target}): rerun --failed re-runs a"
            " run of one workflow file"
        )


def _stored_events(record: RunRecord) -> list[ev.Event]:
    """The run's stored events but its log lines (not decoded: a big run has millions)."""
    from tui.core.events import loads

    out: list[ev.Event] = []
    try:
        fh = record.events_path.open("rb")
    except FileNotFoundError:
        return out
    with fh:
        for raw in fh:
            if raw.startswith(LOG_PREFIX) or not raw.endswith(b"\n"):
                continue
            try:
                out.append(loads(raw))
            except (ValueError, RecursionError):
                continue  # as the store's reader: skipped
    return out


def _universe(
    record: RunRecord, workflow: Workflow, options: Mapping[str, Any], argv: Iterable[str]
) -> list[str]:
    """The jobs RUN was to run, in the file's order: a re-run's own and those it reused;
    ``--job J``: J and what it needs (act runs those too); else every job."""
    extra = record.meta.extra
    if "rerun_jobs" in extra:
        named = {str(j) for j in [*extra["rerun_jobs"], *(extra.get("reused_jobs") or ())]}
        return [job for job in workflow.jobs if job in named]
    argv = list(argv)
    job = options.get("job")
    if job is None and "request" not in extra and "-j" in argv[:-1]:
        job = argv[argv.index("-j") + 1]  # a run stored before options were recorded
    if not job:
        return list(workflow.jobs)
    if job not in workflow.jobs:
        name = workflow.path.name
        raise BadInput(f"run {record.run_id} ran job {job}, which {name} no longer has")
    wanted: set[str] = set()
    stack = [str(job)]
    while stack:
        current = stack.pop()
        if current not in wanted:
            wanted.add(current)
            stack += workflow.jobs[current].needs
    return [j for j in workflow.jobs if j in wanted]


def _recorded_outputs(
    record: RunRecord, events: list[ev.Event], jobs: Mapping[str, JobPlan]
) -> dict[str, dict[str, str]]:
    """Each job's outputs as RUN recorded them (a matrix's legs merged, the last one's
    values winning), then, for jobs RUN reused, as the run it re-ran did, and so back."""
    from tui.core import events as ev
    from tui.core.store import RunStore

    found: dict[str, dict[str, str]] = {}
    seen = {record.run_id}
    for _ in range(MAX_CHAIN):
        local: dict[str, dict[str, str]] = {}
        for event in events:
            if isinstance(event, ev.JobOutputs):
                job = job_of(event.node_id, jobs)
                if job is not None:
                    local.setdefault(job, {}).update(event.outputs)
        for job, values in local.items():
            found.setdefault(job, values)
        parent = str(record.meta.extra.get("rerun_of") or "")
        if not parent or parent in seen:
            break
        seen.add(parent)
        try:
            record = RunStore(record.path.parent).get(parent)
        except BadInput:  # the run it re-ran is gone
            break
        events = _stored_events(record)
    return found


def _label(job: JobPlan, workflow: Workflow) -> str:
    """A ``runs-on`` label for a stand-in that the run maps: its job's, else the workflow's."""
    for label in job.runs_on:
        if not foreign_platform(label) and "${{" not in label:
            return label
    labels = [label for label in runnable_labels(workflow) if "${{" not in label]
    return labels[0] if labels else DEFAULT_LABEL


def _request(
    record: RunRecord,
    workflow: Workflow,
    options: Mapping[str, Any],
    argv: tuple[str, ...],
    plan: RerunPlan,
    given: dict[str, str],
    secret_file: Path | None,
) -> RerunRequest:
    """The re-run's request: RUN's options as recorded, in RUN's mode."""
    meta = record.meta
    run = meta.run_id
    project = Path(meta.project)
    if not project.is_dir():
        raise BadInput(f"run {run}: its project {project} is not there any more")
    event = options.get("event")
    if "request" not in meta.extra and len(argv) > 1 and not argv[1].startswith("-"):
        event = argv[1]  # act's command line: `act EVENT -W …` (a run stored before options)
    secrets = []
    for name in options.get("secret_names") or ():
        value = given.pop(name, "") or os.environ.get(str(name).upper(), "")
        if not value:
            raise BadInput(
                f"run {run} was given secret {name} with -s, and secrets are never stored:"
                f" give it again (-s {name}=VALUE, or {str(name).upper()} in the environment)"
            )
        secrets.append((str(name), value))
    secrets += given.items()

    def path(name: str, flag: str) -> Path | None:
        value = options.get(name)
        if value is None:
            return None
        if not Path(value).is_file():
            raise BadInput(f"{flag} {value} (of run {run}): no such file now")
        return Path(value)

    mode: RunnerMode = "auto"  # a dry run's ("dry-run") too: it plans again
    if meta.mode in ("host", "docker"):
        mode = "host" if meta.mode == "host" else "docker"
    return RerunRequest(
        project=project,
        workflow=workflow,
        event=event,
        matrix=tuple((str(k), str(v)) for k, v in options.get("matrix") or ()),
        secret_file=secret_file or path("secret_file", "--secret-file"),
        var_file=path("var_file", "--var-file"),
        env_file=path("env_file", "--env-file"),
        payload=path("payload", "--eventpath"),
        inputs={str(k): str(v) for k, v in (options.get("inputs") or {}).items()},
        mode=mode,
        dry_run=meta.mode == "dry-run",
        offline=bool(options.get("offline")),
        ca_bundle=path("ca_bundle", "--ca-bundle"),
        platforms=tuple((str(k), str(v)) for k, v in options.get("platforms") or ()),
        secrets=tuple(secrets),
        variables=tuple(str(v) for v in options.get("variables") or ()),
        local_repositories=tuple(str(r) for r in options.get("local_repositories") or ()),
        rerun=plan,
    )
