"""Log pane figures: ingest rate under a 100k-line burst, time to first paint, peak RSS.

    python benchmarks/log_pane.py [--lines 100000] [--stream 1000000]

Each figure is measured in a fresh child process running the real app headless (Textual's
test driver: layout and rendering happen, nothing is written to a terminal). Runs come from a
scripted runner that yields ``log`` events as fast as the event loop takes them, through the
same path as a real run: runner → 20 Hz batching worker → ``EventBatch`` → run column → log
view. The longest event-loop stall during the burst says whether the UI froze.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

T_START = time.perf_counter()
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORKFLOW = """name: bench
on: push
jobs:
  noisy:
    runs-on: ubuntu-latest
    steps:
      - run: yes
"""


def make_project() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="pipedeck-bench-"))
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "bench.yml").write_text(WORKFLOW)
    return folder


def sources(lines: int, store: object) -> object:
    from tui.app.checks import CHECKS
    from tui.core import events as ev
    from tui.core.runner import Run
    from tui.core.workflows.discovery import discover_all

    class Runner:
        run_id = "bench"
        pid = None

        async def events(self) -> AsyncIterator[ev.Event]:
            yield ev.RunStarted(run_id="bench", kind="workflow", target="bench.yml", mode="host")
            yield ev.NodeStarted(run_id="bench", node_id="noisy", name="noisy", kind="job")
            for i in range(lines):
                text = f"\x1b[32m{i:>8}\x1b[0m step output with \x1b[1msome\x1b[0m colour"
                yield ev.Log(run_id="bench", node_id="noisy", text=text)
                if i % 2000 == 0:
                    await asyncio.sleep(0)  # a pipe delivers lines in chunks
            yield ev.NodeFinished(
                run_id="bench", node_id="noisy", name="noisy", kind="job", status="success"
            )
            yield ev.RunFinished(run_id="bench", status="success", exit_code=0, duration=1.0)

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


async def burst(lines: int) -> dict[str, float]:
    from tui.app.app import PipedeckApp
    from tui.app.widgets.run_column import RunColumn
    from tui.core.store import RunStore

    store = RunStore(Path(tempfile.mkdtemp(prefix="pipedeck-bench-runs-")))
    app = PipedeckApp(make_project(), sources=sources(lines, store), store=store)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 45)) as pilot:
        tree = app.main.query_one("ProjectTree")
        while tree.target is None:  # type: ignore[attr-defined]
            await pilot.pause(0.01)
        column = app.main.query_one("#workflow", RunColumn)
        stalls: list[float] = []
        last = time.perf_counter()

        def tick() -> None:
            nonlocal last
            now = time.perf_counter()
            if column.model.log_count:  # only while lines stream in
                stalls.append(now - last)
            last = now

        timer = app.set_interval(0.01, tick)
        start = time.perf_counter()
        await pilot.press("r")
        while column.model.status != "success":
            await pilot.pause(0.01)
        await pilot.pause()  # the last paint
        elapsed = time.perf_counter() - start
        timer.stop()
        view = column.log_pane.view
        assert view.total >= lines, (view.total, lines)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "lines": lines,
        "seconds": elapsed,
        "lines_per_s": lines / elapsed,
        "max_stall_ms": max(stalls, default=0) * 1000,
        "peak_rss_mib": peak,
        "kept_in_view": view.line_count,
    }


async def first_paint() -> dict[str, float]:
    from tui.app.app import PipedeckApp

    painted = asyncio.Event()
    app = PipedeckApp(make_project())
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.call_after_refresh(painted.set)
        await painted.wait()
        seconds = time.perf_counter() - T_START
        await pilot.pause()
    return {"first_paint_s": seconds}


def child(mode: str, lines: int) -> dict[str, float]:
    argv = [sys.executable, __file__, "--child", mode, "--lines", str(lines)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--stream", type=int, default=1_000_000)
    parser.add_argument("--child", choices=("burst", "first-paint"))
    args = parser.parse_args()
    if args.child == "burst":
        print(json.dumps(asyncio.run(burst(args.lines))))
        return
    if args.child == "first-paint":
        print(json.dumps(asyncio.run(first_paint())))
        return
    paint = child("first-paint", 0)
    print(
        f"time to first paint (process start → main screen painted): {paint['first_paint_s']:.2f} s"
    )
    small = child("burst", args.lines)
    print(
        f"{small['lines']:,}-line burst: {small['lines_per_s']:,.0f} lines/s ingested "
        f"({small['seconds']:.2f} s), longest event-loop stall {small['max_stall_ms']:.0f} ms"
    )
    big = child("burst", args.stream)
    print(
        f"{big['lines']:,} streamed lines: peak RSS {big['peak_rss_mib']:.0f} MiB "
        f"({big['lines_per_s']:,.0f} lines/s; {big['kept_in_view']:,} lines kept in the view)"
    )


if __name__ == "__main__":
    main()
