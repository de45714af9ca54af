"""The live node tree of one run: jobs → steps (matrix legs), or tasks (groups, iterations)."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.core.run_state import NodeState, RunState
from tui.core.statuses import PENDING, RUNNING, status


def status_icon(name: str | None) -> Text:
    """The status's glyph in its style (the one table in ``tui.core.statuses``)."""
    row = status(name)
    return Text(row.glyph, style=row.style)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


BREAKPOINT = "◆"  # a step the next run pauses before


def node_label(node: NodeState, marked: bool = False) -> Text:
    label = Text.assemble(status_icon(node.status), " ", node.title)
    if marked:
        label = Text.assemble(Text(BREAKPOINT, style="bold red"), " ", label)
    if node.status == PENDING:
        label.stylize("dim", 2)
    if node.duration is not None and node.done:
        label.append(f"  {format_duration(node.duration)}", style="dim")
    return label


class RunTree(Tree[str]):
    """Node ids are the tree data; the root ("" ) stands for the whole run."""

    DEFAULT_CSS = """
    RunTree { height: 1fr; }
    """

    class NodeChosen(Message):
        """The user moved to a node: show its log ("" = the whole run)."""

        def __init__(self, tree: RunTree, node_id: str) -> None:
            super().__init__()
            self.tree = tree
            self.node_id = node_id

        @property
        def control(self) -> RunTree:
            return self.tree

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("no run yet", data="", id=id)
        self.show_root = True
        self.guide_depth = 2
        self._by_id: dict[str, TreeNode[str]] = {}
        self.marks: set[str] = set()  # nodes with a breakpoint for the next run

    def start_over(self, title: str) -> None:
        self.clear()
        self._by_id.clear()
        self.root.set_label(Text(title))
        self.root.expand()

    def set_title(self, title: Text | str) -> None:
        self.root.set_label(title)

    def sync(self, model: RunState, changed: set[str] | None = None) -> None:
        """Add nodes the model has and the tree lacks; relabel the changed ones."""
        for node in model.nodes.values():
            tree_node = self._by_id.get(node.node_id)
            if tree_node is None:
                parent = self._by_id.get(node.parent_id, self.root)
                tree_node = parent.add(
                    node_label(node, node.node_id in self.marks),
                    data=node.node_id,
                    expand=True,
                    allow_expand=False,
                )
                self._by_id[node.node_id] = tree_node
                parent.allow_expand = True
            elif changed is None or node.node_id in changed:
                tree_node.set_label(node_label(node, node.node_id in self.marks))
            if node.status == RUNNING and changed and node.node_id in changed:
                tree_node.expand()

    def select_node_id(self, node_id: str) -> None:
        tree_node = self._by_id.get(node_id)
        if tree_node is None:
            return
        parent = tree_node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._move_to, tree_node)

    def _move_to(self, tree_node: TreeNode[str]) -> None:
        self.move_cursor(tree_node)
        self.scroll_to_node(tree_node, animate=False)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        self.post_message(self.NodeChosen(self, event.node.data or ""))
