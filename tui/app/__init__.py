"""The Textual app: screens, widgets, ``.tcss``. Renders events; starts runs through core."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.workflows.mode import RunnerMode


def run(
    project: Path, runner_mode: RunnerMode = "auto", screenshot_dir: Path | None = None
) -> None:
    from tui.app.app import PipedeckApp

    PipedeckApp(project, runner_mode=runner_mode, screenshot_dir=screenshot_dir).run()


def run_demo(project: Path | None, runner_mode: RunnerMode = "auto") -> None:
    """``pipedeck demo``: the sample project's workflow and pipeline, started side by side."""
    from tui.app.app import PipedeckApp
    from tui.core import demo

    prepared = demo.prepare(project, runner_mode)
    adopt = [(side.kind, side.run) for side in prepared.sides]
    PipedeckApp(
        prepared.project, runner_mode=runner_mode, adopt=adopt, notice=prepared.note, tour=True
    ).run()
