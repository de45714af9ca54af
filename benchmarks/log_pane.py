"""Log pane figures against Textual's own ``Log`` widget, measured in the same run: ingest rate
and longest event-loop stall under a 100k-line burst, time to first paint, peak RSS.

    python benchmarks/log_pane.py [--lines 100000] [--stream 1000000] [--per-event 500] [--runs 3]

Each figure is the median of ``--runs`` runs (the worst run's stall is printed too), each in a
fresh child process running an app headless (Textual's test driver at 160×45: layout and
rendering happen, nothing is written to a terminal).

*pipedeck* is the real app. Its run comes from a scripted runner that yields ``log`` events as
fast as the event loop takes them, through the same path as a real run: runner → run lifecycle
(every event appended to the run store) → 20 Hz batching worker → ``EventBatch`` → run column →
log view.

*textual Log* is the raw tool: an app holding one ``textual.widgets.Log`` of the size of
pipedeck's log view, fed the same events from the same runner through the same 20 Hz batching
(``write_lines`` once per batch); it has no run store, no run tree and no ANSI colour (it shows
the escape codes' text), so the ratio includes what pipedeck does beyond showing lines.

The burst is realistic by default: act's output is read from a pipe in 256 KiB chunks and a
node's consecutive lines become one multi-line ``log`` event (``merge_logs``), so the runner
yields events of ``--per-event`` lines (500), one pipe read each. The targets (≥ 400,000
lines/s, no stall over 50 ms) apply to that burst. The one-line-per-event burst (a runner that
does not merge; a pipe read every 2,000 lines) is measured too, for comparison.

The rate is the burst's lines over the time from the key press (``r``; for the textual Log:
the feed's start) to the last lines painted. The stall is the longest gap between two ticks of
a 10 ms interval timer while lines stream in; a gap over 50 ms is a frozen UI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

T_START = time.perf_counter()
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SIZE = (160, 45)
WORKFLOW = """name: bench
on: push
jobs:
  noisy:
    runs-on: ubuntu-latest
    steps:
      - run: yes
"""
ONE_LINE_READ = 2000  # lines between two pipe reads when each event holds one line


def make_project() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="pipedeck-bench-"))
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "bench.yml").write_text(WORKFLOW)
    return folder


def line(i: int) -> str:
    return f"\x1b[32m{i:>8}\x1b[0m step output with \x1b[1msome\x1b[0m colour"


async def runner_events(lines: int, per_event: int) -> AsyncIterator[Any]:
    """The scripted run: ``lines`` lines of one job, ``per_event`` lines to a ``log`` event."""
    from tui.core import events as ev

    yield ev.RunStarted(run_id="bench", kind="workflow", target="bench.yml", mode="host")
    yield ev.NodeStarted(run_id="bench", node_id="noisy", name="noisy", kind="job")
    for start in range(0, lines, per_event):
        text = "\n".join(line(i) for i in range(start, min(lines, start + per_event)))
        yield ev.Log(run_id="bench", node_id="noisy", text=text)
        if per_event > 1 or (start + 1) % ONE_LINE_READ == 0:
            await asyncio.sleep(0)  # the next pipe read
    yield ev.NodeFinished(
        run_id="bench", node_id="noisy", name="noisy", kind="job", status="success"
    )
    yield ev.RunFinished(run_id="bench", status="success", exit_code=0, duration=1.0)


def sources(lines: int, per_event: int, store: object) -> object:
    from tui.app.checks import CHECKS
    from tui.core.runner import Run
    from tui.core.workflows.discovery import discover_all

    class Runner:
        run_id = "bench"
        pid = None

        def events(self) -> AsyncIterator[Any]:
            return runner_events(lines, per_event)

        async def cancel(self) -> None:
            return None

    class Sources:
        def discover_workflows(self, project: Path) -> object:
            return discover_all(project)

        def discover_pipelines(self, project: Path) -> tuple[list[object], list[str]]:
            return [], []

        def start_workflow(self, request: object) -> object:
            record = store.create("workflow", "bench.yml", Path(), "host", run_id="bench")  # type: ignore[attr-defined]
            return Run(Runner(), record)  # type: ignore[arg-type]

        def start_pipeline(self, request: object) -> object:
            raise NotImplementedError

        def checks(self) -> Mapping[str, object]:
            return {name: (lambda: ("bench", None)) for name in CHECKS}

    return Sources()


class Stalls:
    """The gaps between the ticks of a 10 ms timer, counted while ``streaming()``."""

    def __init__(self, app: Any, streaming: Callable[[], bool]) -> None:
        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.streaming = streaming
        self.timer = app.set_interval(0.01, self.tick)

    def tick(self) -> None:
        now = time.perf_counter()
        if self.streaming():
            self.gaps.append(now - self.last)
        self.last = now

    def longest_ms(self) -> float:
        self.timer.stop()
        return max(self.gaps, default=0) * 1000


async def painted(widget: Any) -> None:
    """Until the screen has painted what ``widget`` shows now."""
    done = asyncio.Event()
    widget.refresh()
    widget.call_after_refresh(done.set)
    await done.wait()


def press(app: Any, key: str) -> None:
    """A key press as the test driver sends it (``Pilot.press`` then waits until the
    process looks idle, which during a burst is when the burst is over, and adds its own
    20–40 ms of idle detection: the time is taken here, not there)."""
    from textual import events

    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)


def figures(lines: int, elapsed: float, stall_ms: float, kept: int) -> dict[str, float]:
    return {
        "lines": lines,
        "seconds": elapsed,
        "lines_per_s": lines / elapsed,
        "max_stall_ms": stall_ms,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "kept_in_view": kept,
    }


async def burst(lines: int, per_event: int) -> dict[str, float]:
    from tui.app.app import PipedeckApp
    from tui.app.widgets.run_column import RunColumn
    from tui.core.store import RunStore

    store = RunStore(Path(tempfile.mkdtemp(prefix="pipedeck-bench-runs-")))
    project = make_project()
    app = PipedeckApp(project, sources=sources(lines, per_event, store), store=store)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        tree = app.main.query_one("ProjectTree")
        while tree.target is None:  # type: ignore[attr-defined]
            await pilot.pause(0.01)
        column = app.main.query_one("#workflow", RunColumn)
        stalls = Stalls(app, lambda: bool(column.model.log_count))
        view = column.log_pane.view
        start = time.perf_counter()
        press(app, "r")
        while column.model.status != "success":
            await asyncio.sleep(0.005)
        await painted(view)  # the last lines on screen
        elapsed = time.perf_counter() - start
        stall = stalls.longest_ms()
        assert view.total >= lines, (view.total, lines)
        result = figures(lines, elapsed, stall, view.line_count)
        result["view_width"], result["view_height"] = view.size.width, view.size.height
    return result


async def textual_burst(lines: int, per_event: int, width: int, height: int) -> dict[str, float]:
    """The same burst into Textual's ``Log`` (``max_lines``: pipedeck's window)."""
    from textual.app import App, ComposeResult
    from textual.widgets import Log

    from tui.app.batching import batched
    from tui.app.widgets.log_view import DEFAULT_WINDOW
    from tui.core import events as ev

    class LogApp(App[None]):
        CSS = f"Log {{ width: {width}; height: {height}; }}"

        def compose(self) -> ComposeResult:
            yield Log(max_lines=DEFAULT_WINDOW)

    app = LogApp()
    async with app.run_test(size=SIZE):
        log = app.query_one(Log)
        written = 0

        def deliver(events: list[Any]) -> None:
            nonlocal written
            texts = [e.text for e in events if isinstance(e, ev.Log)]
            if texts:
                batch = "\n".join(texts).split("\n")
                written += len(batch)
                log.write_lines(batch)

        stalls = Stalls(app, lambda: written > 0)
        start = time.perf_counter()
        feed = app.run_worker(batched(runner_events(lines, per_event), deliver))
        await feed.wait()
        await painted(log)  # the last lines on screen
        elapsed = time.perf_counter() - start
        stall = stalls.longest_ms()
        assert written >= lines, (written, lines)
        return figures(lines, elapsed, stall, log.line_count)


async def first_paint(raw: bool) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Log

    class LogApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Log()

    app: App[None]
    if raw:
        app = LogApp()
    else:
        from tui.app.app import PipedeckApp

        app = PipedeckApp(make_project())
    painted = asyncio.Event()
    async with app.run_test(size=SIZE) as pilot:
        (app.screen if raw else app.main).call_after_refresh(painted.set)  # type: ignore[attr-defined]
        await painted.wait()
        seconds = time.perf_counter() - T_START
        await pilot.pause()
    return {"first_paint_s": seconds}


def child(mode: str, *args: object) -> dict[str, float]:
    argv = [sys.executable, __file__, "--child", mode, *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


Figures = dict[str, float]


def median_of(runs: list[Figures]) -> Figures:
    """Each figure's median over the runs, and the worst run's stall."""
    out = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    out["worst_stall_ms"] = max(run["max_stall_ms"] for run in runs)
    return out


def pair(lines: int, per_event: int, runs: int) -> tuple[Figures, Figures]:
    """pipedeck and the textual Log on the same burst, alternating, ``runs`` times each."""
    ours: list[Figures] = []
    raw: list[Figures] = []
    for _ in range(runs):
        ours.append(child("burst", "--lines", lines, "--per-event", per_event))
        view = ("--view", f"{ours[-1]['view_width']:.0f}x{ours[-1]['view_height']:.0f}")
        raw.append(child("textual-log", "--lines", lines, "--per-event", per_event, *view))
    return median_of(ours), median_of(raw)


def rows(title: str, ours: Figures, raw: Figures) -> None:
    print(title)
    for name, got in (("pipedeck", ours), ("textual Log", raw)):
        print(
            f"  {name:<12} {got['lines_per_s']:>10,.0f} lines/s ({got['seconds']:.2f} s), "
            f"longest stall {got['max_stall_ms']:>3.0f} ms (worst {got['worst_stall_ms']:.0f}), "
            f"peak RSS {got['peak_rss_mib']:>4.0f} MiB, {got['kept_in_view']:,.0f} lines kept"
        )
    print(
        f"  {'ratio':<12} {ours['lines_per_s'] / raw['lines_per_s']:>9.2f}× the lines/s, "
        f"{ours['max_stall_ms'] / max(raw['max_stall_ms'], 1e-9):.2f}× the stall, "
        f"{ours['peak_rss_mib'] / raw['peak_rss_mib']:.2f}× the RSS"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--stream", type=int, default=1_000_000)
    parser.add_argument("--per-event", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure (median)")
    parser.add_argument("--view", default="80x20", help="the textual Log's size (WxH)")
    parser.add_argument(
        "--child", choices=("burst", "textual-log", "first-paint", "textual-first-paint")
    )
    args = parser.parse_args()
    if args.child is not None:
        width, height = map(int, args.view.split("x"))
        modes = {
            "burst": lambda: burst(args.lines, args.per_event),
            "textual-log": lambda: textual_burst(args.lines, args.per_event, width, height),
            "first-paint": lambda: first_paint(raw=False),
            "textual-first-paint": lambda: first_paint(raw=True),
        }
        print(json.dumps(asyncio.run(modes[args.child]())))
        return
    runs, per = args.runs, args.per_event
    paints = [(child("first-paint"), child("textual-first-paint")) for _ in range(runs)]
    ours = statistics.median(p[0]["first_paint_s"] for p in paints)
    raw = statistics.median(p[1]["first_paint_s"] for p in paints)
    print(f"medians of {runs} runs, each in a fresh process")
    print(
        "time to first paint (process start → first screen painted): "
        f"pipedeck {ours:.2f} s, a textual Log app {raw:.2f} s, ratio {ours / raw:.2f}×"
    )
    target = "the target: ≥ 400,000 lines/s, no stall over 50 ms"
    rows(
        f"{args.lines:,}-line burst, {per} lines per log event ({target}):",
        *pair(args.lines, per, runs),
    )
    rows(f"{args.lines:,}-line burst, 1 line per log event:", *pair(args.lines, 1, runs))
    rows(
        f"{args.stream:,} streamed lines, {per} lines per log event:",
        *pair(args.stream, per, runs),
    )


if __name__ == "__main__":
    main()
