"""One stored run, read through every view pipedeck has — the CLI's live output and summary,
``show``, ``logs``, the TUI's replay and the demo's summary — shows the same statuses and
durations: they all read the one run state and the one status table."""

from __future__ import annotations

import re

from rich.console import Console

from tests.app.conftest import SIZE, column, wait_for
from tests.conftest import run_cli
from tui.app.screens.history import HistoryScreen
from tui.app.widgets.run_tree import RunTree
from tui.cli.demo_cmd import summary_table
from tui.core.run_state import RunState
from tui.core.statuses import status
from tui.core.store import RunStore


def label(glyph_of: str, name: str, duration: float | None) -> str:
    return f"{status(glyph_of).glyph} {name}  {duration:.1f}s"


def table_row(text: str, name: str, state: str, duration: float | None) -> bool:
    """A row of a Rich table holding ``name``, ``✓ success`` and ``1.2s``, in that order."""
    took = f"{duration:.1f}s" if duration is not None else "-"
    row = rf"{re.escape(name)}\s.*{re.escape(status(state).glyph)} {state}\s.*{re.escape(took)}"
    return re.search(row, text) is not None


async def test_every_view_of_a_stored_run_agrees(workflow_project, host_app) -> None:
    project = workflow_project("failing")
    live = run_cli("run", "workflow", "failing.yml", "--runner", "host", cwd=project)
    assert live.code == 1, live.stderr
    record = RunStore().get("last")
    truth = RunState.of(record.events())
    nodes = list(truth.nodes.values())
    assert {n.status for n in nodes} >= {"success", "failure", "skipped"}
    assert all(n.duration is not None for n in nodes)

    # the CLI while it ran (plain output): one line per finished node, then the summary
    for node in nodes:
        assert label(node.status, truth.path(node.node_id), node.duration) in live.stdout
    for top in truth.roots():
        assert table_row(live.stdout, top.title, top.status, top.duration), top.node_id
    assert f"run {truth.status} in {truth.duration:.1f}s (exit 1)" in live.stdout

    # pipedeck show: the tree and the same summary
    shown = run_cli("show", record.run_id)
    for node in nodes:
        assert label(node.status, node.title, node.duration) in shown.stdout
    for top in truth.roots():
        assert table_row(shown.stdout, top.title, top.status, top.duration), top.node_id

    # pipedeck logs: every line of every node, under the node's path
    logs = run_cli("logs", record.run_id).stdout
    for line in (e for e in record.events() if e.type == "log" and e.node_id):
        assert f"[{truth.path(line.node_id)}] {line.text}" in logs

    # the demo's summary renderer
    console = Console(width=200, record=True, color_system=None)
    console.print(summary_table([truth]))
    demo = console.export_text()
    assert table_row(demo, "failing.yml", truth.status, truth.duration)

    # the TUI's replay, from history
    app = host_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), 5)
        await pilot.press("enter")
        side = column(app)
        await wait_for(pilot, lambda: side.model.run_id == record.run_id, 10)
        replayed = {n.node_id: (n.status, n.duration) for n in side.model.nodes.values()}
        assert replayed == {n.node_id: (n.status, n.duration) for n in nodes}
        tree = side.query_one(RunTree)
        drawn = {}
        stack = list(tree.root.children)
        while stack:
            tree_node = stack.pop()
            drawn[tree_node.data] = str(tree_node.label)
            stack.extend(tree_node.children)
        for node in nodes:
            assert drawn[node.node_id] == label(node.status, node.name, node.duration)
        assert str(side.query_one(".run-header").render()).startswith(
            f"{status(truth.status).glyph} {truth.status}  failing.yml"
        )
