"""The project: workflows (jobs grouped by stage) and pipelines (tasks), with last statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.app.widgets.run_tree import status_icon
from tui.core.workflows.plan import Workflow

if TYPE_CHECKING:
    from tui.core.pipelines.discovery import PipelineTarget


@dataclass(frozen=True)
class Target:
    """What ``r`` runs when this tree node is selected."""

    kind: str  # "workflow" or "pipeline"
    name: str  # the store's target: ``ci.yml``, ``ci.yml:build``, ``train.py:pipe``
    workflow: Workflow | None = None
    job: str | None = None
    pipeline: PipelineTarget | None = None


@dataclass(frozen=True)
class _Shown:
    """How a target's row is labelled, so its status icon can be redrawn alone."""

    node: TreeNode[Target | None]
    title: str
    suffix: str


class ProjectTree(Tree[Target | None]):
    DEFAULT_CSS = """
    ProjectTree { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("project", data=None, id=id)
        self.show_root = False
        self.guide_depth = 2
        self._workflows = self.root.add(Text("Workflows", style="bold"), expand=True)
        self._pipelines = self.root.add(Text("Pipelines", style="bold"), expand=True)
        self._pipelines.add_leaf(Text("discovering…", style="dim italic"))
        self._shown: dict[str, list[_Shown]] = {}  # target name -> its rows

    @property
    def target(self) -> Target | None:
        node = self.cursor_node
        while node is not None and node.data is None:
            node = node.parent
        return node.data if node is not None else None

    def show_workflows(
        self, found: Sequence[Workflow], names: Sequence[str], last: Mapping[str, str]
    ) -> None:
        self._forget(self._workflows)
        self._workflows.remove_children()
        if not found:
            self._workflows.add_leaf(Text("no workflows in .github/workflows", style="dim"))
        for workflow, name in zip(found, names, strict=True):
            target = Target("workflow", name, workflow)
            node = self._add(self._workflows, target, workflow.name, f"  {name}", last)
            for number, stage in enumerate(workflow.stages, start=1):
                parent: TreeNode[Target | None] = node
                if len(workflow.stages) > 1:
                    parent = node.add(Text(f"stage {number}", style="dim"), expand=True)
                for job_id in stage:
                    job = workflow.jobs[job_id]
                    job_target = Target("workflow", f"{name}:{job_id}", workflow, job_id)
                    legs = f"  ×{len(job.matrix)}" if job.matrix else ""
                    self._add(parent, job_target, job.name, legs, last, leaf=True)
        if self.cursor_line < 0:
            self.cursor_line = 1 if found else 0

    def show_pipelines(
        self, found: Sequence[PipelineTarget], problems: Sequence[str], last: Mapping[str, str]
    ) -> None:
        self._forget(self._pipelines)
        self._pipelines.remove_children()
        if not found and not problems:
            self._pipelines.add_leaf(Text("no pipelines found", style="dim"))
        for entry in found:
            target = Target("pipeline", entry.target, pipeline=entry)
            node = self._add(
                self._pipelines, target, entry.name, f"  {entry.target}", last, expand=False
            )
            for task in entry.tasks:
                node.add_leaf(Text(f"  {task}"), target)
        for problem in problems:
            self._pipelines.add_leaf(Text(f"✗ {problem}", style="red"))

    def set_status(self, target: str, status: str) -> None:
        """A run of ``target`` finished: redraw the icon of its row(s)."""
        for shown in self._shown.get(target, ()):
            shown.node.set_label(_label(shown.title, status, shown.suffix))

    def _add(
        self,
        parent: TreeNode[Target | None],
        target: Target,
        title: str,
        suffix: str,
        last: Mapping[str, str],
        *,
        leaf: bool = False,
        expand: bool = True,
    ) -> TreeNode[Target | None]:
        label = _label(title, last.get(target.name), suffix)
        node = parent.add_leaf(label, target) if leaf else parent.add(label, target, expand=expand)
        self._shown.setdefault(target.name, []).append(_Shown(node, title, suffix))
        return node

    def _forget(self, section: TreeNode[Target | None]) -> None:
        for name in list(self._shown):
            kept = [s for s in self._shown[name] if not _under(s.node, section)]
            if kept:
                self._shown[name] = kept
            else:
                del self._shown[name]


def _under(node: TreeNode[Target | None], section: TreeNode[Target | None]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is section:
            return True
        parent = parent.parent
    return False


def _label(name: str, status: str | None, suffix: str = "") -> Text:
    label = Text.assemble(status_icon(status), " ", name)
    if suffix:
        label.append(suffix, style="dim")
    return label
