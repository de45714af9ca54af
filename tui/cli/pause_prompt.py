"""In a terminal, a paused step's keys on one line under the live tree: ``c`` continue, ``e``
a shell where the step runs, ``k`` skip, ``r`` retry (after a failure), ``a`` abort — the same
pauses ``pipedeck continue|shell|skip|retry|stop`` answer from anywhere else."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import termios
import tty
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.pause_channel import Pause, enter, shown_pauses

if TYPE_CHECKING:
    from tui.cli.render import RunView
    from tui.core.runner import Run

KEYS = {"c": "continue", "k": "skip", "r": "retry"}


class PausePrompt:
    def __init__(self, run: Run, view: RunView) -> None:
        self.run = run
        self.view = view
        self.fd: int | None = None
        self.saved: list[Any] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: asyncio.Task[None] | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read keys from the terminal, one at a time (only when stdin is one)."""
        if not sys.stdin.isatty():
            return
        self.loop, self.fd = loop, sys.stdin.fileno()
        self.saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        loop.add_reader(self.fd, self._key)
        self.view.footer = self.line

    def stop(self) -> None:
        if self.fd is None or self.loop is None:
            return
        self.loop.remove_reader(self.fd)
        with contextlib.suppress(termios.error):
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
        self.fd = None

    def line(self) -> str:
        """The prompt, while a step waits ('' otherwise)."""
        pauses = self._pauses()
        if not pauses:
            return ""
        pause = pauses[0]
        shell = "e debug (pdb)" if pause.reason == "exception" else "e shell"
        keys = f"c continue · {shell} · k skip" + (" · r retry" if pause.failed else "")
        more = f" (1 of {len(pauses)} paused)" if len(pauses) > 1 else ""
        where = self.view.state.path(pause.node_id())
        return f"⏸ {where} ({pause.reason}){more} — {keys} · a abort › \n"

    def _pauses(self) -> list[Pause]:
        return shown_pauses(self.run.record.meta.extra.get("debug"))

    def _key(self) -> None:
        assert self.fd is not None
        key = os.read(self.fd, 1).decode("utf-8", "ignore")
        pauses = self._pauses()
        if not pauses:
            return
        pause = pauses[0]
        if key == "r" and pause.failed:
            pause.retry(Path(self.run.record.meta.project), self.run.record.meta.started)
        elif key in ("c", "k"):
            pause.send(KEYS[key])
        elif key == "e":
            self._shell(pause)
        elif key == "a" and self.loop is not None and self.stopping is None:
            self.stopping = self.loop.create_task(self.run.cancel())

    def _shell(self, pause: Pause) -> None:
        """The terminal is the shell's (or pdb's) until it exits (the run waits meanwhile)."""
        assert self.fd is not None
        self.view.tick(force=True, tree=False)  # the tree's lines off the screen
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
        try:
            enter(pause)
        finally:
            tty.setcbreak(self.fd)
            self.view.tick(force=True)
