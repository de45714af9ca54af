"""Several runs at once from the CLI (``pipedeck prepush``): they run side by side, their log
lines interleaved as they come, each line's ``[…]`` naming its run first; on a terminal their
trees are drawn next to each other below the lines, redrawn at most ``FPS`` times a second.
Ctrl-C (or a kill, or the terminal closing) stops them all; each ends with its summary.

Each run is a group of runs started one after another (a workflow pushed on two refs runs
twice, never at once: act names a docker-mode job's containers by workflow and job alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, cast

from tui.cli.common import console, is_tty, one_line
from tui.cli.execute import Flushed, SignalStop, event_line
from tui.core import events as ev
from tui.core.errors import EXIT_BAD_INPUT, EXIT_CANCELLED, EXIT_MISSING_PREREQ, PipedeckError

if TYPE_CHECKING:
    from tui.cli.render import RunView
    from tui.core.runner import Run

FPS = 8


@dataclass
class Started:
    """One run of a group, once it started: its name, its run and its exit code."""

    name: str
    run: Run
    view: RunView | None = None
    exit_code: int | None = None


@dataclass
class Outcome:
    """A run's end: its name and exit code; ``run`` is None when it could not start."""

    name: str
    exit_code: int
    run: Run | None = None


# A group: (name, start) pairs run in order; start() starts the run (act begins) or raises
# PipedeckError (bad input: said, the next one goes on).
Group = Sequence[tuple[str, Callable[[], "Run"]]]


@dataclass
class _Screen:
    """What is on the terminal: the lines written, and the trees drawn under them."""

    live: bool
    pending: list[str] = field(default_factory=list)
    drawn: int = 0

    def write(self, text: str) -> None:
        self.pending.append(text)


class _Sink:
    """A run view's output: whole lines, kept for the next frame."""

    def __init__(self, screen: _Screen, tty: bool) -> None:
        self.screen = screen
        self.tty = tty

    def write(self, text: str) -> int:
        self.screen.write(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:  # colour as stdout gets it (tui.cli.lines.wants_color)
        return self.tty


def run_together(groups: Sequence[Group], *, json_out: bool) -> list[Outcome]:
    """Run the groups side by side (each group's runs in order); every run's outcome."""
    return asyncio.run(_together(groups, json_out=json_out))


async def _together(groups: Sequence[Group], *, json_out: bool) -> list[Outcome]:
    loop = asyncio.get_running_loop()
    started: list[Started] = []
    outcomes: list[Outcome] = []
    stop = SignalStop(
        "stopping the runs…", lambda: [one.run.cancel() for one in started if one.exit_code is None]
    )
    screen = _Screen(live=not json_out and is_tty())
    out = Flushed(sys.stdout.buffer, loop) if json_out else None

    async def drive(one: Started) -> None:
        async with contextlib.aclosing(one.run.events()) as events:
            async for event in events:
                if out is not None:
                    out.write(event_line(one.run, event))
                elif one.view is not None:
                    one.view.handle(event)
                if isinstance(event, ev.RunFinished):
                    one.exit_code = event.exit_code

    async def group_runs(group: Group) -> None:
        for name, start in group:
            if stop.stopped:
                return
            try:
                run = start()
            except PipedeckError as exc:
                print(f"pipedeck: {name}: {one_line(exc.message)}", file=sys.stderr)
                outcomes.append(Outcome(name, exc.exit_code))
                continue
            one = Started(name, run)
            if out is None:
                from tui.cli.render import RunView

                tty = sys.stdout.isatty()
                sink = cast("IO[str]", _Sink(screen, tty))
                one.view = RunView(console(), live=False, out=sink, label=name)
                one.view.node_lines = not screen.live  # the trees below show them
            started.append(one)
            await drive(one)
            code = one.exit_code if one.exit_code is not None else EXIT_CANCELLED
            outcomes.append(Outcome(name, code, run))

    order = {name: i for i, name in enumerate(name for group in groups for name, _ in group)}
    ticker = loop.create_task(_redraw(screen, started)) if out is None else None
    try:
        async with stop:
            await asyncio.gather(*(group_runs(group) for group in groups))
    finally:
        if ticker is not None:
            ticker.cancel()
        if out is not None:
            out.flush()
    outcomes.sort(key=lambda o: order.get(o.name, len(order)))  # as asked, not as ended
    started.sort(key=lambda one: order.get(one.name, len(order)))
    if out is None:
        for one in started:
            if one.view is not None:
                one.view.tick(force=True, tree=False)
        _frame(screen, [], final=True)
        for one in started:
            if one.view is not None:
                console().rule(one.name, style="dim")
                one.view.summary()
    for outcome in outcomes:
        run = outcome.run
        if outcome.exit_code in (EXIT_BAD_INPUT, EXIT_MISSING_PREREQ) and run and run.state.error:
            print(f"pipedeck: {outcome.name}: {one_line(run.state.error)}", file=sys.stderr)
    if stop.stopped and not any(o.exit_code == EXIT_CANCELLED for o in outcomes):
        outcomes.append(Outcome("(stopped)", EXIT_CANCELLED))  # before a run could start
    return outcomes


async def _redraw(screen: _Screen, started: list[Started]) -> None:
    while True:
        await asyncio.sleep(1 / FPS)
        for one in started:
            if one.view is not None:
                one.view.tick(force=True, tree=False)
        _frame(screen, [one.view for one in started if one.view is not None])


def _frame(screen: _Screen, views: Sequence[RunView], final: bool = False) -> None:
    """Write the pending lines; on a terminal, the runs' trees next to each other below."""
    parts: list[str] = []
    if screen.live and screen.drawn:
        parts.append(f"\x1b[{screen.drawn}F\x1b[J")  # up to the trees' first line; clear
        screen.drawn = 0
    parts += screen.pending
    screen.pending = []
    if screen.live and views and not final:
        drawing = _trees(views)
        parts.append(drawing)
        screen.drawn = drawing.count("\n")
    if not parts:
        return
    try:
        sys.stdout.write("".join(parts))
        sys.stdout.flush()
    except (OSError, ValueError):
        pass  # nobody reads any more


def _trees(views: Sequence[RunView]) -> str:
    """The runs' trees side by side, a column each, cut to the terminal's height."""
    from rich.table import Table

    from tui.cli.render import screen_text

    grid = Table.grid(expand=True, padding=(0, 2))
    for _ in views:
        grid.add_column(ratio=1)
    grid.add_row(*(view.tree() for view in views))
    return screen_text(views[0].console, grid)
