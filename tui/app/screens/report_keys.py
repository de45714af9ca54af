"""``i``: the fidelity report of the run on the focused side (the one going, or the last one
shown there), as a modal (:class:`~tui.app.screens.report.ReportScreen`)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from tui.app.screens.debug_keys import DebugKeys
from tui.app.widgets.run_column import RunColumn


class ReportKeys(DebugKeys):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "report", "What will differ on GitHub / the cluster", show=False),
    ]

    def action_report(self) -> None:
        columns = list(self.query(RunColumn))
        focused = self.focused
        mine = [c for c in columns if focused is not None and c in focused.ancestors_with_self]
        shown = [c for c in mine if c.record] or [c for c in columns if c.record]
        if not shown:
            self.notify("no run yet: run a workflow or a pipeline first (r)", timeout=4)
            return
        from tui.app.screens.report import ReportScreen

        record = shown[0].record
        assert record is not None
        self.app.push_screen(ReportScreen(record))
