"""Which of a project's workflows an event triggers: each ``.github/workflows`` file's ``on:``
read (PyYAML; a bare ``on`` key is YAML 1.1's boolean True) and decided by ``filters.py``.

The files are read from the working tree, as ``pipedeck run workflow`` runs them (GitHub
reads the pushed commit's: commit a workflow change before pushing it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.prepush.filters import Decision
from tui.core.workflows.discovery import find_workflow_files


@dataclass(frozen=True)
class Trigger:
    """One workflow's decision for one event."""

    path: Path  # the workflow file
    name: str  # as the user names it: .github/workflows/ci.yml
    decision: Decision

    @property
    def triggered(self) -> bool:
        return self.decision.triggered


def read_on(path: Path) -> Any:
    """The workflow's ``on:`` value (None when it has none); ValueError when the file is not
    a workflow GitHub could read."""
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(path.read_text(encoding="utf-8"))
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ValueError(f"malformed YAML{where}") from None
    if not isinstance(data, dict):
        raise ValueError("not a workflow (no mapping with on: and jobs:)")
    return data.get("on", data.get(True))


def decide(project: Path, rule: Callable[[Any], Decision]) -> list[Trigger]:
    """``rule`` (``filters.decide_push`` or ``decide_pull_request`` with the event's facts)
    over every workflow file of ``project``."""
    out = []
    for path in find_workflow_files(project):
        try:
            decision = rule(read_on(path))
        except ValueError as exc:
            decision = Decision(False, f"error: {exc} (GitHub does not run this workflow)")
        out.append(Trigger(path, str(path.relative_to(project)), decision))
    return out
