"""The form before a run: event, ``workflow_dispatch`` inputs and runner mode for a workflow;
parameters (defaults filled in) for a pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from tui.core.form_values import input_error, param_error
from tui.core.launch import PipelineRequest
from tui.core.workflows.act_argv import WorkflowRequest
from tui.core.workflows.mode import RUNNER_MODES, RunnerMode, parse_mode
from tui.core.workflows.plan import Workflow

if TYPE_CHECKING:
    from tui.core.pipelines.discovery import PipelineTarget


@dataclass(frozen=True)
class WorkflowOptions:
    """What the form (or plain ``r``) asks for a workflow run."""

    event: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    mode: RunnerMode = "auto"
    dry_run: bool = False

    def request(self, project: Path, workflow: Workflow, job: str | None) -> WorkflowRequest:
        return WorkflowRequest(
            project=project,
            workflow=workflow,
            event=self.event,
            job=job,
            inputs=dict(self.inputs),
            mode=self.mode,
            dry_run=self.dry_run,
        )


@dataclass(frozen=True)
class PipelineOptions:
    params: dict[str, str] = field(default_factory=dict)
    cache: bool = True

    def request(self, project: Path, target: str) -> PipelineRequest:
        return PipelineRequest(project, target, dict(self.params), self.cache)


FormResult = WorkflowOptions | PipelineOptions


def needs_form(workflow: Workflow | None, pipeline: PipelineTarget | None) -> bool:
    if workflow is not None:
        return bool(workflow.inputs) or len(workflow.events) > 1
    return pipeline is not None and bool(pipeline.params)


InputKind = Literal["integer", "number", "text"]  # Textual's Input types
INPUT_TYPES: dict[str, InputKind] = {"NUMBER_INTEGER": "integer", "NUMBER_DOUBLE": "number"}


class RunFormScreen(ModalScreen[FormResult | None]):
    CSS_PATH = "run_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "submit", "Run"),
    ]

    def __init__(
        self,
        title: str,
        workflow: Workflow | None = None,
        pipeline: PipelineTarget | None = None,
        mode: RunnerMode = "auto",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.workflow = workflow
        self.pipeline = pipeline
        self.mode = mode

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            if self.workflow is not None:
                yield from self._workflow_fields(self.workflow)
            elif self.pipeline is not None:
                for param in self.pipeline.params:
                    default = param.default_text()
                    need = "required" if param.required else f"default {default}"
                    yield Label(f"{param.name}: {param.type_name} ({need})")
                    value = default.strip('"') if param.type_name == "str" else default
                    kind = INPUT_TYPES.get(param.type, "text")
                    yield Input(value=value, type=kind, id=f"param-{param.name}", classes="param")
                yield Checkbox("reuse cached task outputs", value=True, id="cache")
            with Horizontal(id="form-buttons"):
                yield Button("Run (ctrl+r)", variant="primary", id="run")
                yield Button("Cancel (esc)", id="cancel")

    def _workflow_fields(self, workflow: Workflow) -> ComposeResult:
        events = list(workflow.events) or ["push"]
        default = "workflow_dispatch" if workflow.inputs and "workflow_dispatch" in events else None
        yield Label("event")
        yield Select(
            [(e, e) for e in events], value=default or events[0], allow_blank=False, id="event"
        )
        for spec in workflow.inputs.values():
            note = "required" if spec.required else "optional"
            yield Label(f"input {spec.name} ({spec.type}, {note}) {spec.description}".strip())
            if spec.options or spec.type == "boolean":
                options = list(spec.options) or ["true", "false"]
                value = spec.default if spec.default in options else options[0]
                yield Select(
                    [(o, o) for o in options],
                    value=value,
                    allow_blank=False,
                    id=f"input-{spec.name}",
                    classes="input",
                )
            else:
                kind: InputKind = "number" if spec.type == "number" else "text"
                yield Input(
                    value=spec.default or "", type=kind, id=f"input-{spec.name}", classes="input"
                )
        yield Label("runner mode")
        yield Select([(m, m) for m in RUNNER_MODES], value=self.mode, allow_blank=False, id="mode")

    def on_mount(self) -> None:
        self.query_one("#form").border_title = self.title_text

    @on(Button.Pressed, "#run")
    def action_submit(self) -> None:
        for widget, error in self.errors():
            widget.add_class("-invalid")
            widget.focus()
            self.notify(error, title="run form", severity="error", timeout=6)
            return
        self.dismiss(self.result())

    def errors(self) -> list[tuple[Input, str]]:
        """Each field whose value its type refuses, with the one-line reason (first first)."""
        out: list[tuple[Input, str]] = []
        if self.pipeline is not None:
            for param in self.pipeline.params:
                box = self.query_one(f"#param-{param.name}", Input)
                error = param_error(param.name, param.type, box.value, param.required)
                if error:
                    out.append((box, error))
        elif self.workflow is not None:
            for spec in self.workflow.inputs.values():
                found = self.query(f"#input-{spec.name}").results(Input)
                for box in found:
                    error = input_error(spec.name, spec.type, box.value, spec.required)
                    if error:
                        out.append((box, error))
        return out

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def result(self) -> FormResult:
        if self.workflow is not None:
            event = str(self.query_one("#event", Select).value)
            inputs: dict[str, str] = {}
            if event == "workflow_dispatch":
                for widget in self.query(".input"):
                    name = (widget.id or "").removeprefix("input-")
                    value = widget.value if isinstance(widget, Input | Select) else ""
                    if value not in ("", Select.BLANK):
                        inputs[name] = str(value)
            mode = parse_mode(str(self.query_one("#mode", Select).value))
            return WorkflowOptions(event=event, inputs=inputs, mode=mode)
        params = {
            (widget.id or "").removeprefix("param-"): widget.value
            for widget in self.query(".param").results(Input)
            if widget.value != ""
        }
        return PipelineOptions(params=params, cache=self.query_one("#cache", Checkbox).value)
