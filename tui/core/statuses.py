"""The one table of statuses: what each means and how it is drawn, in the CLI and the TUI alike.

Node statuses are what ``node.finished`` carries (plus ``pending``/``running`` before that);
run statuses are what ``run.finished`` carries (plus ``running``, and ``interrupted`` for a run
whose process died). ``style`` is a Rich style, which Textual draws too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    name: str
    glyph: str
    style: str
    meaning: str


_TABLE = (
    Status("pending", "○", "dim", "planned, not started yet"),
    Status("running", "●", "bold yellow", "started, not finished"),
    Status("paused", "⏸", "bold cyan", "waits for you: a breakpoint, or stopped after failing"),
    Status("success", "✓", "bold green", "finished and succeeded"),
    Status("failure", "✗", "bold red", "finished and failed"),
    Status("skipped", "–", "dim", "left out: its condition was false (if:, a branch not taken)"),
    Status("cancelled", "⊘", "magenta", "stopped before it finished (Ctrl-C, stop, a crash)"),
    Status("not run", "◌", "dim", "never ran to a result: upstream failed, or the tool gave none"),
    Status("interrupted", "!", "magenta", "the run's process died; events up to then are kept"),
    Status("planned", "◇", "cyan", "a dry run: planned and checked, nothing ran"),
)

STATUSES: dict[str, Status] = {s.name: s for s in _TABLE}
UNKNOWN = Status("unknown", "?", "", "a status this version of pipedeck does not know")
IDLE = Status("idle", " ", "", "nothing has run yet")

PENDING = "pending"
RUNNING = "running"
PAUSED = "paused"
INTERRUPTED = "interrupted"
PLANNED = "planned"
DRY_RUN = "dry-run"  # the mode a dry run records (run.started, meta.json)
# What ``node.finished`` may say (the event model's NodeStatus).
FINISHED_NODE = ("success", "failure", "skipped", "cancelled", "not run")
NOT_RUN = "not run"


def status(name: str | None) -> Status:
    """The row for ``name``; ``None`` or ``""`` is idle (never ran)."""
    if not name or name == IDLE.name:
        return IDLE
    return STATUSES.get(name, UNKNOWN)


def shown_status(name: str, mode: str) -> str:
    """The status a run or node of a run in ``mode`` is shown with: what succeeded in a dry
    run was only planned (run.finished says ``success``; the store says ``planned``)."""
    return PLANNED if mode == DRY_RUN and name == "success" else name


def is_done(name: str) -> bool:
    return name not in (PENDING, RUNNING, PAUSED, "")


def legend() -> list[Status]:
    """Every status a user can meet, for help screens."""
    return list(_TABLE)
