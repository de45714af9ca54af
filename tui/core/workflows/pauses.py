"""A run's pauses as events: the runner polls the pauses' folder (``breakpoints.py``) while
act runs, and says when a step paused (``node.paused``, with how to go on) and when someone
decided (``node.resumed``); a step skipped at a pause is shown ``skipped``."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core import events as ev
from tui.core import pause_channel
from tui.core.workflows import act_names

if TYPE_CHECKING:
    from tui.core.process import GroupProcess
    from tui.core.workflows.act_log import ActLogParser


class PauseWatch:
    def __init__(
        self, run_id: str, debug: Path, *, docker: bool, timeouts: dict[str, str] | None = None
    ) -> None:
        self.run_id = run_id
        self.timeouts = timeouts or {}  # step key -> the timeout that ends it, paused or not
        self.docker = docker  # steps run in job containers
        self.folder = pause_channel.pauses_dir(debug)
        self.seen: dict[str, pause_channel.Pause] = {}  # pause id -> the pause
        self.pauses: dict[str, str] = {}  # pause id -> the node it paused
        self.resumed: set[str] = set()
        self.skipped: set[str] = set()  # nodes the user skipped: shown skipped

    def poll(self, parser: ActLogParser) -> list[ev.Event]:
        """New pauses (node.paused, with how to go on) and decided ones (node.resumed)."""
        out: list[ev.Event] = []
        for path in sorted(self.folder.glob("*.pause")) + sorted(self.folder.glob("*.done")):
            pause_id = path.stem
            pause = self.seen.get(pause_id)
            if pause is None:
                pause = pause_channel.read_pause(path)
                if pause is None:
                    continue
                self.seen[pause_id] = pause
                node_id, job_key = paused_node(parser, pause.key)
                self.pauses[pause_id] = node_id
                if self.docker:  # act names a job's container by its key
                    container = act_names.job_container(job_key)
                    pause_channel.write_file(self.folder, f"{pause_id}.container", container)
                pause_channel.write_file(self.folder, f"{pause_id}.node", node_id)
                also = ""
                if pause.key in self.timeouts:  # act's clock runs on while the step waits
                    also = f"act ends it when {self.timeouts[pause.key]} runs out, paused or not"
                out += pause_channel.paused_events(
                    self.run_id, node_id, pause.reason, pause.code, also
                )
            action = pause.command()
            if action and pause_id not in self.resumed:
                self.resumed.add(pause_id)
                node_id = self.pauses[pause_id]
                if action == "skip":
                    self.skipped.add(node_id)
                out.append(ev.NodeResumed(run_id=self.run_id, node_id=node_id, action=action))
        return out

    async def beside(
        self, proc: GroupProcess, parser: ActLogParser
    ) -> AsyncIterator[list[ev.Event]]:
        """``proc``'s output as events, with the pauses' events as they happen (act prints
        nothing while a step waits, so the folder is polled beside its output)."""
        import asyncio

        queue: asyncio.Queue[list[ev.Event] | None] = asyncio.Queue()

        async def pump() -> None:
            try:
                async for batch in proc.batches():
                    queue.put_nowait(parser.feed_batch((line.text, line.stream) for line in batch))
            finally:
                queue.put_nowait(None)

        async def watch() -> None:
            while True:
                await asyncio.sleep(pause_channel.POLL)
                found = self.poll(parser)
                if found:
                    queue.put_nowait(found)

        tasks = [asyncio.create_task(pump()), asyncio.create_task(watch())]
        try:
            while (item := await queue.get()) is not None:
                yield item
            # act ended between two polls: what the watcher found after the end, and a
            # decision act acted on since the last poll (a quick `continue` to the end)
            while not queue.empty():
                if (item := queue.get_nowait()) is not None:
                    yield item
            if last := self.poll(parser):
                yield last
        finally:
            for task in tasks:
                task.cancel()

    def shown(self, event: ev.Event) -> ev.Event:
        """A step the user skipped at a pause is skipped, whatever act says of its wrapper."""
        if isinstance(event, ev.NodeFinished) and event.node_id in self.skipped:
            return dataclasses.replace(event, status="skipped")
        return event


def paused_node(parser: ActLogParser, key: str) -> tuple[str, str]:
    """The node a pause of step ``key`` (``<job id>/<step id>``, or ``<caller>/<job id>/<step
    id>`` in a local reusable workflow) is, and act's key of its job: the running step of that
    id in a job of that id (under that caller; the first one, for matrix legs)."""
    parts = key.split("/")
    caller = parts[0] if len(parts) == 3 else ""
    job_id, step_id = parts[-2], parts[-1]
    candidates = [
        (f"{job.node_id}/{step_id}", job_key)
        for job_key, job in parser.jobs.items()
        if job.job_id == job_id
        and not job.finished
        and (not caller or job.node_id.startswith(f"{caller}/"))
    ]
    running = [c for c in candidates if c[0] in parser.steps and not parser.steps[c[0]].finished]
    return (running or candidates or [(key, job_id)])[0]
