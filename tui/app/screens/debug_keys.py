"""The main screen's debugging keys: breakpoints for the next run (``b`` on a step or a task,
of the project tree or of a run tree; ``B`` for break-on-failure) and, while a step or a task
is paused (a pipeline run started with ``--break``), ``c`` continue, ``k`` skip (a task:
marked failed), ``e`` a shell where it runs, ``r`` retry (after a failure), ``a`` abort.

They drive the same pauses as ``pipedeck continue|skip|shell|retry|stop``
(``tui.core.pause_channel``)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from textual import on
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.app.messages import EventBatch
from tui.app.widgets.project_tree import ProjectTree
from tui.core import events as ev
from tui.core.pause_channel import Pause, enter, shown_pauses
from tui.core.workflows import breakpoints

if TYPE_CHECKING:
    from tui.app.widgets.run_column import RunColumn
    from tui.core.launch import PipelineRequest
    from tui.core.runner import Run
    from tui.core.workflows.act_argv import WorkflowRequest

PAUSE_ACTIONS = ("resume", "shell", "abort")


class DebugKeys(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "toggle_breakpoint", "Breakpoint on the step or task (next run)", show=False),
        Binding("B", "toggle_break_on_failure", "Break on failure (next run)", show=False),
        Binding("c", "resume('continue')", "Continue"),
        Binding("k", "resume('skip')", "Skip step"),
        Binding("e", "shell", "Shell"),
        Binding("a", "abort", "Abort"),
    ]

    runs: dict[str, Run]
    if TYPE_CHECKING:  # the main screen's

        def column(self, side: str) -> RunColumn: ...

    def __init__(self) -> None:
        super().__init__()
        self.breakpoints: dict[Path, dict[str, str]] = {}  # workflow -> spec -> node id
        self.break_on_failure = False
        self.workflow_file: Path | None = None  # the workflow the workflow column shows
        self.task_breakpoints: dict[str, set[str]] = {}  # pipeline target -> task node ids
        self.pipeline_target: str | None = None  # the pipeline the pipeline column shows

    # -- before a run ------------------------------------------------------------------------

    def with_breakpoints(self, request: WorkflowRequest) -> WorkflowRequest:
        """The next workflow run, with the breakpoints set for its file."""
        self.workflow_file = request.workflow.path
        specs = tuple(self.breakpoints.get(request.workflow.path, {}))
        self._show_marks()  # its run tree shows the file's marks, set in either tree
        return dataclasses.replace(
            request, breakpoints=specs, break_on_failure=self.break_on_failure
        )

    def with_task_breakpoints(self, request: PipelineRequest) -> PipelineRequest:
        """The next pipeline run, with the tasks marked to pause before."""
        self.pipeline_target = request.target
        tasks = tuple(sorted(self.task_breakpoints.get(request.target, set())))
        self._show_marks()
        return dataclasses.replace(request, breakpoints=tasks)

    def action_toggle_breakpoint(self) -> None:
        tree = self.query_one(ProjectTree)
        if self.focused is tree:
            self._toggle_in_project(tree)
            return
        pipeline = self.column("pipeline")
        if self.focused is pipeline.run_tree:
            self._toggle_task(pipeline)
            return
        column = self.column("workflow")
        node_id = column.run_tree.cursor_node.data if column.run_tree.cursor_node else ""
        node = column.model.nodes.get(node_id or "")
        if self.workflow_file is None or node is None or node.kind != "step":
            self.notify("move to a step of a workflow run (its tree, 2) first", timeout=4)
            return
        spec = self._spec(column, node_id or "")
        if spec is None:
            self.notify(f"{node.name}: not a run: step of {self.workflow_file.name}", timeout=4)
            return
        self._toggle_step(self.workflow_file, spec, node.node_id)

    def _toggle_task(self, column: RunColumn) -> None:
        node_id = column.run_tree.cursor_node.data if column.run_tree.cursor_node else ""
        node = column.model.nodes.get(node_id or "")
        if self.pipeline_target is None or node is None or node.kind != "task":
            self.notify("move to a task of a pipeline run (its tree, 4) first", timeout=4)
            return
        self._toggle_task_id(self.pipeline_target, node.node_id)

    def _toggle_in_project(self, tree: ProjectTree) -> None:
        """``b`` on a step row (a ``run:`` step) or a task row of the project tree."""
        row = tree.row
        if row is not None and row.task is not None:
            self._toggle_task_id(row.name, row.task)
            return
        if row is None or row.step is None or row.workflow is None or row.job is None:
            self.notify(
                "move to a step or a task (enter on a job or a pipeline shows them) first",
                timeout=4,
            )
            return
        workflow, job, position = row.workflow, row.job, row.step
        step = next(s for s in workflow.jobs[job].steps if s.index + 1 == position)
        found = [r for r in self._plan(workflow.path).get(job, []) if r["index"] + 1 == position]
        if step.uses or not found or found[0]["run"] is None:
            what = "a uses: step" if step.uses else f"not a run: step of {workflow.path.name}"
            self.notify(
                f"{step.name}: {what} — only run: steps can pause before they run", timeout=4
            )
            return
        leg = "-1" if workflow.jobs[job].matrix else ""  # the node of act's first matrix leg
        self._toggle_step(workflow.path, f"{job}/{position}", f"{job}{leg}/{found[0]['id']}")

    def _toggle_step(self, workflow: Path, spec: str, node_id: str) -> None:
        marks = self.breakpoints.setdefault(workflow, {})
        if spec in marks:
            del marks[spec]
            self.notify(f"breakpoint removed: {spec}", timeout=3)
        else:
            marks[spec] = node_id
            self.notify(f"breakpoint before {spec} — for the next run (r)", timeout=4)
        self._show_marks()

    def _toggle_task_id(self, pipeline: str, node_id: str) -> None:
        marks = self.task_breakpoints.setdefault(pipeline, set())
        if node_id in marks:
            marks.discard(node_id)
            self.notify(f"breakpoint removed: {node_id}", timeout=3)
        else:
            marks.add(node_id)
            self.notify(f"breakpoint before task {node_id} — for the next run (r)", timeout=4)
        self._show_marks()

    def _show_marks(self) -> None:
        """The breakpoints, on the project tree's step and task rows and on the nodes of each
        run tree (the marks of the workflow file or the pipeline it shows a run of)."""
        self.query_one(ProjectTree).show_marks(self.breakpoints, self.task_breakpoints)
        steps = self.breakpoints.get(self.workflow_file, {}) if self.workflow_file else {}
        tasks = self.task_breakpoints.get(self.pipeline_target or "", set())
        for side, marks in (("workflow", set(steps.values())), ("pipeline", set(tasks))):
            column = self.column(side)
            if column.run_tree.marks != marks:
                column.run_tree.marks = marks
                column.run_tree.sync(column.model)  # relabels every node

    def action_toggle_break_on_failure(self) -> None:
        self.break_on_failure = not self.break_on_failure
        state = "on" if self.break_on_failure else "off"
        self.notify(f"break on failure {state} for the next workflow run", timeout=4)

    def _spec(self, column: RunColumn, node_id: str) -> str | None:
        """``JOB/POSITION`` of a step node (``build/1`` is act's step id 1: position 2)."""
        assert self.workflow_file is not None
        job_node, _, step_id = node_id.rpartition("/")
        job = column.model.nodes.get(job_node)
        if job is None or ":" in step_id or "." in step_id:
            return None  # a pre/post stage, or a step inside an action
        plan = self._plan(self.workflow_file)
        job_id = job_node.rpartition("/")[2]
        if job_id not in plan:
            job_id = re.sub(r"-\d+$", "", job_id)  # a matrix leg: act's `build-2`
        for row in plan.get(job_id, []):
            if row["id"] == step_id and row["run"] is not None:
                return f"{job_id}/{row['index'] + 1}"
        return None

    @staticmethod
    def _plan(workflow: Path) -> dict[str, list[dict[str, Any]]]:
        """Each job's steps as the file has them now (``breakpoints.step_plan``; {}: unreadable)."""
        try:
            return breakpoints.step_plan(workflow.read_text(encoding="utf-8"), Path())
        except (OSError, ValueError, yaml.YAMLError):
            return {}

    # -- at a pause ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PAUSE_ACTIONS:
            return bool(self._pauses())  # shown only while a step waits
        return True

    def _pauses(self) -> list[Pause]:
        """Every step or task that waits, on either side."""
        return [
            p for r in self.runs.values() for p in shown_pauses(r.record.meta.extra.get("debug"))
        ]

    def _run_of(self, pause: Pause) -> Run | None:
        """The run the pause is of (its debug folder holds the pause)."""
        for run in self.runs.values():
            if str(pause.folder.parent) == str(run.record.meta.extra.get("debug")):
                return run
        return None

    def _pause(self) -> Pause | None:
        """The pause of the node under a run tree's cursor, or the only one."""
        pauses = self._pauses()
        here = set()
        for side in self.runs:
            tree = self.column(side).run_tree
            if tree.cursor_node is not None:
                here.add(tree.cursor_node.data)
        chosen = [p for p in pauses if p.node_id() in here] or (pauses if len(pauses) == 1 else [])
        if not chosen:
            if pauses:
                self.notify("several nodes are paused: move to one in its run tree", timeout=4)
            return None
        return chosen[0]

    def action_resume(self, command: str) -> None:
        pause = self._pause()
        if pause is not None:
            pause.send(command)

    def retry_paused(self) -> bool:
        """``r`` at a failure pause retries the step (else it starts a run)."""
        pause = self._pause() if self._pauses() else None
        run = self._run_of(pause) if pause is not None else None
        if pause is None or run is None or not pause.failed:
            return False
        copied = pause.retry(Path(run.record.meta.project), run.record.meta.started)
        if copied:
            self.notify(f"copied into the job's working copy: {', '.join(copied)}", timeout=5)
        return True

    def action_shell(self) -> None:
        pause = self._pause()
        if pause is not None:
            with self.app.suspend():  # the terminal is the shell's (or pdb's) until it exits
                enter(pause)

    async def action_abort(self) -> None:
        pause = self._pause()
        run = self._run_of(pause) if pause is not None else None
        if run is not None:
            await run.cancel()
            self.notify("run stopped", timeout=3)

    @on(EventBatch)
    def _pause_keys(self, message: EventBatch) -> None:
        """A step paused or went on: the footer shows the pause keys only while one waits."""
        if any(isinstance(e, ev.NodePaused | ev.NodeResumed) for e in message.events):
            self.refresh_bindings()
