"""The runner's watch on a run's pauses says a decision made just before act ended: the step
went on and act exited between two of the watch's polls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

from tui.core import events as ev
from tui.core import pause_channel
from tui.core.workflows.act_log import ActLogParser
from tui.core.workflows.pauses import PauseWatch


class EndedProcess:
    """act that has printed everything already: its output ends at once."""

    async def batches(self) -> AsyncIterator[list[Any]]:
        return
        yield  # an async generator that yields nothing


def test_a_continue_just_before_act_ends_is_said(tmp_path: Path) -> None:
    watch = PauseWatch("r", tmp_path, docker=False)
    watch.folder.mkdir(parents=True)
    (watch.folder / "p1.pause").write_text("breakpoint\n0\nbuild/second\n/w\nhost\n")
    parser = ActLogParser("r", "CI")
    paused = watch.poll(parser)
    assert [type(e) for e in paused if isinstance(e, ev.NodePaused)] == [ev.NodePaused]
    pause_channel.write_file(watch.folder, "p1.cmd", "continue")  # then act ran to its end

    async def collect() -> list[ev.Event]:
        out: list[ev.Event] = []
        async for batch in watch.beside(cast("Any", EndedProcess()), parser):
            out.extend(batch)
        return out

    resumed = [e for e in asyncio.run(collect()) if isinstance(e, ev.NodeResumed)]
    assert [(e.node_id, e.action) for e in resumed] == [("build/second", "continue")]
