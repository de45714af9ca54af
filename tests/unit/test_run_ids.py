"""Run ids by any unique part, and dry runs stored as planned (not a target's last run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core import events as ev
from tui.core.errors import BadInput
from tui.core.statuses import PLANNED, shown_status, status
from tui.core.store import RunStore


def _finished(store: RunStore, project: Path, run_id: str, mode: str, dry_run: bool) -> None:
    record = store.create("workflow", "ci.yml", project, run_id=run_id)
    record.append(ev.RunStarted(run_id=run_id, kind="workflow", target="ci.yml", mode=mode))
    record.append(ev.RunFinished(run_id=run_id, status="success", exit_code=0, duration=0.1))
    record.store_planned(dry_run)
    record.close()


def test_an_exact_id_then_a_prefix_then_any_unique_part(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    for run_id in ("20261126-072655-3fa9", "20261126-072655-3fa9b", "20261127-101010-77aa"):
        store.create("workflow", "ci.yml", tmp_path, run_id=run_id).close()
    assert store.get("20261126-072655-3fa9").run_id == "20261126-072655-3fa9"  # exact wins
    assert store.get("20261127").run_id == "20261127-101010-77aa"  # a prefix
    assert store.get("101010").run_id == "20261127-101010-77aa"  # the middle
    assert store.get("77aa").run_id == "20261127-101010-77aa"  # the tail
    assert store.get("3fa9b").run_id == "20261126-072655-3fa9b"
    with pytest.raises(BadInput, match=r"'072655' is ambiguous \(2 runs: 20261126-072655-3fa9"):
        store.get("072655")
    with pytest.raises(BadInput, match="no stored run matches 'zz'"):
        store.get("zz")


def test_a_dry_run_is_stored_planned_and_is_no_targets_last_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    _finished(store, tmp_path, "20261126-000001-aaaa", "host", dry_run=False)
    _finished(store, tmp_path, "20261126-000002-bbbb", "dry-run", dry_run=True)
    newest = store.list()[0]
    assert (newest.run_id, newest.status) == ("20261126-000002-bbbb", PLANNED)
    assert store.last_statuses(tmp_path) == {"ci.yml": "success"}  # the real run's


def test_planned_is_a_status_of_the_table() -> None:
    assert status(PLANNED).name == PLANNED and status(PLANNED).glyph != status("success").glyph
    assert shown_status("success", "dry-run") == PLANNED  # also a dry run stored before
    assert shown_status("failure", "dry-run") == "failure"
    assert shown_status("success", "host") == "success"
