"""The project: workflows (jobs grouped by stage) and pipelines (tasks), with last statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.app.pipeline_side import PipelineEntry
from tui.app.widgets.run_tree import status_icon
from tui.core.workflows.discovery import Workflow


@dataclass(frozen=True)
class Target:
    """What ``r`` runs when this tree node is selected."""

    kind: str  # "workflow" or "pipeline"
    name: str  # the store's target: ``ci.yml``, ``ci.yml:build``, ``train.py:pipe``
    workflow: Workflow | None = None
    job: str | None = None
    pipeline: PipelineEntry | None = None


class ProjectTree(Tree[Target | None]):
    DEFAULT_CSS = """
    ProjectTree { height: 1fr; }
    """

    class TargetChosen(Message):
        def __init__(self, target: Target | None) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("project", data=None, id=id)
        self.show_root = False
        self.guide_depth = 2
        self._workflows = self.root.add(Text("Workflows", style="bold"), expand=True)
        self._pipelines = self.root.add(Text("Pipelines", style="bold"), expand=True)
        self._pipelines.add_leaf(Text("discovering…", style="dim italic"))

    @property
    def target(self) -> Target | None:
        node = self.cursor_node
        while node is not None and node.data is None:
            node = node.parent
        return node.data if node is not None else None

    def show_workflows(
        self, found: Sequence[Workflow], names: Sequence[str], last: Mapping[str, str]
    ) -> None:
        self._workflows.remove_children()
        if not found:
            self._workflows.add_leaf(Text("no workflows in .github/workflows", style="dim"))
        for workflow, name in zip(found, names, strict=True):
            target = Target("workflow", name, workflow)
            label = _label(workflow.name, last.get(name), f"  {name}")
            node = self._workflows.add(label, data=target, expand=True)
            for number, stage in enumerate(workflow.stages, start=1):
                parent: TreeNode[Target | None] = node
                if len(workflow.stages) > 1:
                    parent = node.add(Text(f"stage {number}", style="dim"), expand=True)
                for job_id in stage:
                    job = workflow.jobs[job_id]
                    job_target = Target("workflow", f"{name}:{job_id}", workflow, job_id)
                    legs = f"  ×{len(job.matrix)}" if job.matrix else ""
                    parent.add_leaf(_label(job.name, last.get(job_target.name), legs), job_target)
        if self.cursor_line < 0:
            self.cursor_line = 1 if found else 0

    def show_pipelines(
        self, found: Sequence[PipelineEntry], problems: Sequence[str], last: Mapping[str, str]
    ) -> None:
        self._pipelines.remove_children()
        if not found and not problems:
            self._pipelines.add_leaf(Text("no pipelines found", style="dim"))
        for entry in found:
            target = Target("pipeline", entry.target, pipeline=entry)
            node = self._pipelines.add(
                _label(entry.name, last.get(entry.target), f"  {entry.target}"),
                data=target,
                expand=False,
            )
            for task in entry.tasks:
                node.add_leaf(Text(f"  {task}"), target)
        for problem in problems:
            self._pipelines.add_leaf(Text(f"✗ {problem}", style="red"))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Target | None]) -> None:
        event.stop()
        self.post_message(self.TargetChosen(event.node.data))


def _label(name: str, status: str | None, suffix: str = "") -> Text:
    label = Text.assemble(status_icon(status or "idle"), " ", name)
    if suffix:
        label.append(suffix, style="dim")
    return label
