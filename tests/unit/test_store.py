"""The run store keeps every event and tells crashed runs apart."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.core import events as ev
from tui.core.errors import BadInput
from tui.core.store import INTERRUPTED, RunStore


def test_events_are_appended_and_meta_follows(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    record = store.create("workflow", "ci.yml", tmp_path)
    record.append(
        ev.RunStarted(run_id=record.run_id, kind="workflow", target="ci.yml", mode="host")
    )
    record.append(ev.Log(run_id=record.run_id, text="hello"))
    assert [e.type for e in record.events()] == ["run.started", "log"]
    assert store.list()[0].status == "running"
    record.append(ev.RunFinished(run_id=record.run_id, status="success", exit_code=0, duration=1.0))
    record.close()
    meta = json.loads((record.path / "meta.json").read_text())
    assert meta["status"] == "success" and meta["mode"] == "host"
    assert store.get(record.run_id[:10]).run_id == record.run_id
    assert store.get("last").run_id == record.run_id


def test_a_killed_run_is_listed_as_interrupted(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from tui.core.store import RunStore\n"
        "from tui.core import events as ev\n"
        "r = RunStore(Path(sys.argv[1])).create('workflow', 'x.yml', Path('.'))\n"
        "r.append(ev.Log(run_id=r.run_id, text='before the crash'))\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)])
    assert done.returncode == -9
    (meta,) = RunStore(tmp_path).list()
    assert meta.status == INTERRUPTED
    record = RunStore(tmp_path).get(meta.run_id)
    assert [e.text for e in record.events() if isinstance(e, ev.Log)] == ["before the crash"]


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    record = RunStore(tmp_path).create("workflow", "x", tmp_path)
    record.append(ev.Log(run_id=record.run_id, text="whole"))
    record.close()
    with record.events_path.open("a") as fh:
        fh.write('{"type":"log","run_')
    assert [e.text for e in record.events() if isinstance(e, ev.Log)] == ["whole"]


def test_unknown_and_ambiguous_ids(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    with pytest.raises(BadInput, match="no stored run"):
        store.get("nope")
    store.create("workflow", "a", tmp_path)
    store.create("workflow", "b", tmp_path)
    with pytest.raises(BadInput, match="ambiguous"):
        store.get("2")


def test_default_root_follows_xdg_state_home(state_dir: Path) -> None:
    record = RunStore().create("workflow", "x", Path(os.getcwd()))
    assert record.path.parent == state_dir / "pipedeck" / "runs"


def test_last_statuses_are_per_project(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    mine, other = tmp_path / "mine", tmp_path / "other"
    mine.mkdir()
    other.mkdir()
    for project, status in ((mine, "failure"), (other, "success")):
        record = store.create("workflow", "ci.yml", project)
        record.append(
            ev.RunFinished(run_id=record.run_id, status=status, exit_code=0, duration=0.1)
        )
        record.close()
    assert store.last_statuses(mine) == {"ci.yml": "failure"}
    assert store.last_statuses(other) == {"ci.yml": "success"}


def test_an_index_that_runs_out_of_room_while_closing_closes_once(tmp_path, monkeypatch) -> None:
    """The last flush of a full disk closes the index file itself; close() then does not
    close it again (it raised TypeError: an internal error instead of exit 3)."""
    import errno
    import os as os_module

    from tui.core import log_index

    index = log_index.IndexWriter(tmp_path)
    index.add(0, 3)
    real_write = os_module.write

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(log_index.os, "write", full)
    index.close()
    monkeypatch.setattr(log_index.os, "write", real_write)
    assert index._fd is None
