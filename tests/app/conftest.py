"""Helpers for driving the app as a user: wait for what the screen shows."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tui.app.app import PipedeckApp
from tui.app.widgets.project_tree import ProjectTree
from tui.app.widgets.run_column import RunColumn

SIZE = (160, 45)


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await pilot.pause(0.05)


def column(app: PipedeckApp, side: str = "workflow") -> RunColumn:
    return app.main.query_one(f"#{side}", RunColumn)


async def select_target(pilot: Pilot[None], app: PipedeckApp, name: str) -> None:
    """Move the project tree's cursor to ``name`` with the arrow keys, as a user does."""
    tree = app.main.query_one(ProjectTree)
    # the tree fills in as discovery answers (workflows and pipelines apart): wait for it
    named = lambda: any(getattr(t, "name", None) == name for t in _targets(tree))  # noqa: E731
    await wait_for(pilot, named, 30)
    tree.focus()
    for _ in range(tree.last_line + 1):
        target = tree.target
        node = tree.cursor_node
        if target is not None and target.name == name and node is not None and node.data is target:
            return
        await pilot.press("down")
    raise AssertionError(f"{name} is not in the project tree")


async def run_train(pilot: Pilot[None], app: PipedeckApp) -> None:
    """Start the scripted ``train`` pipeline as a user does: select it, ``r``, its required
    ``lr`` typed into the parameters form, ``ctrl+r``."""
    await select_target(pilot, app, "pipelines/train.py:train")
    await pilot.press("r")
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen")
    await pilot.click("#param-lr")
    await pilot.press(*"0.01", "ctrl+r")


def _targets(tree: ProjectTree) -> list[object]:
    out: list[object] = []
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        out.append(node.data)
        stack.extend(node.children)
    return out


def log_text(app: PipedeckApp, side: str = "workflow") -> str:
    return "\n".join(line.text for line in column(app, side).log_pane.view.lines())


@pytest.fixture
def host_app() -> Callable[[Path], PipedeckApp]:
    def make(project: Path) -> PipedeckApp:
        return PipedeckApp(project, runner_mode="host")

    return make
