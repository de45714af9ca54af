"""The project: workflows (jobs grouped by stage, each job's steps under it) and pipelines
(tasks), with last statuses (and ``stale`` where a file changed since the last run); steps and
tasks show the breakpoints set for the next run."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.app.widgets.run_tree import BREAKPOINT, status_icon
from tui.core.workflows.plan import Workflow

if TYPE_CHECKING:
    from tui.core.pipelines.discovery import PipelineTarget
    from tui.core.run_state import PlannedNode

# A step or task row's breakpoint: ("workflow", the file, ``JOB/POSITION``) or
# ("pipeline", the pipeline's target, the task's node id).
MarkKey = tuple[str, str, str]


@dataclass(frozen=True)
class Target:
    """What ``r`` runs when this tree node is selected. A step or a task row carries its job's
    or its pipeline's target with ``step`` or ``task`` set (what ``b`` marks); ``r`` on it runs
    that job or pipeline (``ProjectTree.target``)."""

    kind: str  # "workflow" or "pipeline"
    name: str  # the store's target: ``ci.yml``, ``ci.yml:build``, ``train.py:pipe``
    workflow: Workflow | None = None
    job: str | None = None
    pipeline: PipelineTarget | None = None
    step: int | None = None  # a step row: the step's 1-based position in its job
    task: str | None = None  # a task row: the task's node id

    @property
    def mark(self) -> MarkKey | None:
        """The breakpoint this row stands for (None: not a step or a task row)."""
        if self.step is not None and self.workflow is not None:
            return ("workflow", str(self.workflow.path), f"{self.job}/{self.step}")
        if self.task is not None:
            return ("pipeline", self.name, self.task)
        return None


@dataclass(frozen=True)
class _Shown:
    """How a target's row is labelled, so its status icon can be redrawn alone."""

    node: TreeNode[Target | None]
    title: str
    suffix: str


@dataclass(frozen=True)
class _Markable:
    """A step or task row, so its breakpoint mark can be redrawn alone."""

    node: TreeNode[Target | None]
    title: Text


class ProjectTree(Tree[Target | None]):
    DEFAULT_CSS = """
    ProjectTree { height: 1fr; }
    """

    class TargetsShown(Message):
        """The workflows or the pipelines were (re)drawn: their targets are in ``targets``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("project", data=None, id=id)
        self.show_root = False
        self.guide_depth = 2
        self._workflows = self.root.add(Text("Workflows", style="bold"), expand=True)
        self._pipelines = self.root.add(Text("Pipelines", style="bold"), expand=True)
        self._pipelines.add_leaf(Text("discovering…", style="dim italic"))
        self._shown: dict[str, list[_Shown]] = {}  # target name -> its rows
        self._markable: dict[MarkKey, list[_Markable]] = {}  # step and task rows
        self._marks: set[MarkKey] = set()  # the breakpoints set (show_marks)
        self._status: dict[str, str | None] = {}  # target name -> its last run's status
        self._stale: set[str] = set()  # targets changed since their last run (show_stale)

    @property
    def target(self) -> Target | None:
        """What ``r`` runs: the nearest workflow, job or pipeline at or above the cursor."""
        node = self.cursor_node
        while node is not None and (node.data is None or node.data.mark is not None):
            node = node.parent
        return node.data if node is not None else None

    @property
    def row(self) -> Target | None:
        """The cursor's own row: a step or a task row's target has ``step`` or ``task``."""
        node = self.cursor_node
        return node.data if node is not None else None

    @property
    def targets(self) -> dict[str, Target]:
        """Every target with a row (workflows, jobs, pipelines), by name."""
        out: dict[str, Target] = {}
        for name, rows in self._shown.items():
            data = rows[0].node.data
            if data is not None:
                out[name] = data
        return out

    def show_marks(
        self, steps: Mapping[Path, Iterable[str]], tasks: Mapping[str, Iterable[str]]
    ) -> None:
        """The breakpoints set: ``JOB/POSITION`` specs per workflow file, task node ids per
        pipeline target. Their rows show the mark; the others lose it."""
        marks = {("workflow", str(p), spec) for p, specs in steps.items() for spec in specs}
        marks |= {("pipeline", name, task) for name, ids in tasks.items() for task in ids}
        for key in marks ^ self._marks:
            for row in self._markable.get(key, ()):
                row.node.set_label(_marked(row.title, key in marks))
        self._marks = marks

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
                    job_node = self._add(
                        parent, job_target, job.name, legs, last, leaf=not job.steps, expand=False
                    )
                    for step in job.steps:  # under a collapsed job: the tree keeps its height
                        title = Text.assemble((str(step.index + 1), "dim"), " ", step.name)
                        row = dataclasses.replace(job_target, step=step.index + 1)
                        self._add_markable(job_node, row, title)
        if self.cursor_line < 0:
            self.cursor_line = 1 if found else 0
        self.post_message(self.TargetsShown())

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
            ids = _task_ids(entry.planned)
            if len(ids) != len(entry.tasks):
                ids = list(entry.tasks)  # no plan: ``--break`` takes a task's name too
            for task, node_id in zip(entry.tasks, ids, strict=True):
                row = Target("pipeline", entry.target, pipeline=entry, task=node_id)
                self._add_markable(node, row, Text(task))
        for problem in problems:
            self._pipelines.add_leaf(Text(f"✗ {problem}", style="red"))
        self.post_message(self.TargetsShown())

    def set_status(self, target: str, status: str) -> None:
        """A run of ``target`` finished: redraw the icon of its row(s)."""
        self._status[target] = status
        self._redraw(target)

    def show_stale(self, names: set[str]) -> None:
        """The targets whose last run is older than a change of a file they depend on: their
        rows say ``stale``; the others do not."""
        changed = names ^ self._stale
        self._stale = set(names)
        for name in changed:
            self._redraw(name)

    def _redraw(self, target: str) -> None:
        status, stale = self._status.get(target), target in self._stale
        for shown in self._shown.get(target, ()):
            shown.node.set_label(_label(shown.title, status, shown.suffix, stale))

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
        self._status[target.name] = last.get(target.name)
        label = _label(title, last.get(target.name), suffix, target.name in self._stale)
        node = parent.add_leaf(label, target) if leaf else parent.add(label, target, expand=expand)
        self._shown.setdefault(target.name, []).append(_Shown(node, title, suffix))
        return node

    def _add_markable(self, parent: TreeNode[Target | None], row: Target, title: Text) -> None:
        assert row.mark is not None
        node = parent.add_leaf(_marked(title, row.mark in self._marks), row)
        self._markable.setdefault(row.mark, []).append(_Markable(node, title))

    def _forget(self, section: TreeNode[Target | None]) -> None:
        for name in list(self._shown):
            kept = [s for s in self._shown[name] if not _under(s.node, section)]
            if kept:
                self._shown[name] = kept
            else:
                del self._shown[name]
        for key in list(self._markable):
            rows = [r for r in self._markable[key] if not _under(r.node, section)]
            if rows:
                self._markable[key] = rows
            else:
                del self._markable[key]


def _under(node: TreeNode[Target | None], section: TreeNode[Target | None]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is section:
            return True
        parent = parent.parent
    return False


def _task_ids(planned: Sequence[PlannedNode]) -> list[str]:
    """The task node ids in the order ``PipelineTarget.tasks`` names them (depth first; the
    plan lists them breadth first)."""
    children: dict[str, list[PlannedNode]] = {}
    for node in planned:
        children.setdefault(node.parent_id, []).append(node)
    out = []
    stack = list(reversed(children.get("", [])))
    while stack:
        node = stack.pop()
        if node.kind == "task":
            out.append(node.node_id)
        stack.extend(reversed(children.get(node.node_id, [])))
    return out


def _marked(title: Text, marked: bool) -> Text:
    """A step or task row: the breakpoint mark (as the run tree draws it) where a workflow's or
    a job's status icon stands."""
    mark = Text(BREAKPOINT, style="bold red") if marked else Text(" ")
    return Text.assemble(mark, " ", title)


def _label(name: str, status: str | None, suffix: str = "", stale: bool = False) -> Text:
    label = Text.assemble(status_icon(status), " ", name)
    if suffix:
        label.append(suffix, style="dim")
    if stale:
        label.append(" stale", style="dim italic")
    return label
