"""A stored run's log is read back by line number, whatever happened to its files: the line
index (``log.idx``) is written as events are appended, and the reader catches up, rebuilds or
skips what a crash or an older pipedeck left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui.core import events as ev
from tui.core.log_index import INDEX_FILE, StoredLog
from tui.core.run_state import LogLine, RunState
from tui.core.store import RunRecord, RunStore


def new_run(tmp_path: Path) -> RunRecord:
    record = RunStore(tmp_path).create("workflow", "ci.yml", tmp_path)
    record.append(ev.RunStarted(run_id=record.run_id, kind="workflow", target="ci.yml", mode="x"))
    return record


def log(record: RunRecord, text: str, node: str = "build", stream: str = "stdout") -> None:
    record.append(ev.Log(run_id=record.run_id, node_id=node, stream=stream, text=text))  # type: ignore[arg-type]


def started(record: RunRecord, node: str) -> None:
    record.append(ev.NodeStarted(run_id=record.run_id, node_id=node, name=node, kind="step"))


def texts(lines: list[LogLine]) -> list[str]:
    return [line.text for line in lines]


def every_line(record: RunRecord) -> list[LogLine]:
    """What the one fold makes of the stored events: the oracle for the reader."""
    state = RunState.of(record.events(), log_window=10**9)
    return list(state.log)


def test_multi_line_events_are_numbered_line_by_line(tmp_path: Path) -> None:
    record = new_run(tmp_path)
    started(record, "build")
    log(record, "one")
    log(record, "two\nthree\nfour")
    started(record, "test")
    log(record, "\x1b[31mred\x1b[0m five", node="test", stream="stderr")
    log(record, "six\nseven", node="test")
    record.append(
        ev.RunFinished(
            run_id=record.run_id, status="failure", exit_code=1, duration=1.0, error="boom\nbang"
        )
    )
    record.close()
    stored = StoredLog(record.path)
    assert stored.count() == 9
    assert stored.read(0, 9) == every_line(record)
    assert texts(stored.read(2, 5)) == ["three", "four", "\x1b[31mred\x1b[0m five"]
    assert stored.read(4, 5) == [LogLine("test", "stderr", "\x1b[31mred\x1b[0m five")]
    assert texts(stored.read(7, 99)) == ["run failure: boom", "bang"]
    assert stored.read(8, 9) == [LogLine("", "system", "bang")]
    assert stored.read(7, 3) == [] and stored.read(50, 60) == []


def test_search_is_case_insensitive_on_the_plain_text(tmp_path: Path) -> None:
    record = new_run(tmp_path)
    log(record, "compiling")
    log(record, "\x1b[1mERR\x1b[0mOR: disk full\nretrying", node="test")
    log(record, "error again", node="lint")
    log(record, "done")
    stored = StoredLog(record.path)
    assert stored.search("error", 0) == 1  # matches across the escape sequences
    assert stored.search("error", 2) == 3
    assert stored.search("error", 4) is None
    assert stored.search("error", 4, backwards=True) == 3
    assert stored.search("error", 3, backwards=True) == 1
    assert stored.search("error", 1, backwards=True) is None
    assert stored.search("[1m", 0) is None  # not in what a user reads
    assert stored.search("error", 0, node_ids={"lint"}) == 3
    assert stored.search("", 5, backwards=True, node_ids={"test"}) == 2
    assert stored.search("", 0, node_ids={"nobody"}) is None
    assert stored.search("done", 0, stop=4) is None and stored.search("done", 0, stop=5) == 4


def test_a_torn_last_line_is_skipped_until_it_is_whole(tmp_path: Path) -> None:
    record = new_run(tmp_path)
    log(record, "whole")
    record.close()
    whole = ev.dumps(ev.Log(run_id=record.run_id, node_id="build", text="late\nlater")) + "\n"
    with record.events_path.open("ab") as fh:
        fh.write(whole[:20].encode())
    stored = StoredLog(record.path)
    assert stored.count() == 1
    assert texts(stored.read(0, 5)) == ["whole"]
    with record.events_path.open("ab") as fh:  # its writer finishes the line
        fh.write(whole[20:].encode())
    assert stored.count() == 3
    assert texts(stored.read(0, 5)) == ["whole", "late", "later"]


def test_an_undecodable_line_is_skipped(tmp_path: Path) -> None:
    record = new_run(tmp_path)
    log(record, "before")
    record.close()
    with record.events_path.open("ab") as fh:
        fh.write(b'{"type":"log","text":"\xff\xfe not utf-8"}\n')
        fh.write(b"not json at all\n[1, 2]\n")
        fh.write(b'{"type":"log","run_id":"r","text":"after"}\n')
    (record.path / INDEX_FILE).unlink()  # only a scan can read it now
    stored = StoredLog(record.path)
    assert texts(stored.read(0, stored.count())) == ["before", "after"]
    assert stored.search("after", 0) == 1


def test_a_short_index_is_caught_up_from_the_events(tmp_path: Path) -> None:
    """A writer killed between the event and its index entry, or a run another process is
    still writing: the reader scans the events past the last indexed one."""
    record = new_run(tmp_path)
    for i in range(5):
        log(record, f"line {i}\nline {i}b")
    record.close()
    index = record.path / INDEX_FILE
    full = index.read_bytes()
    assert len(full) == 10 * 8
    index.write_bytes(full[: 3 * 8 + 5])  # three whole entries and a torn one
    stored = StoredLog(record.path)
    assert stored.count() == 10
    assert stored.read(0, 10) == every_line(record)
    again = RunRecord(record.path, record.meta)  # a writer goes on: it mends the index first
    log(again, "more")
    assert stored.count() == 11
    assert texts(stored.read(9, 11)) == ["line 4b", "more"]
    again.close()
    assert index.read_bytes()[: len(full)] == full and len(index.read_bytes()) == 11 * 8


def test_a_missing_index_is_rebuilt(tmp_path: Path) -> None:
    """Runs stored before the index existed have no log.idx: the first read writes it."""
    record = new_run(tmp_path)
    for i in range(100):
        log(record, f"step {i}\ndetail {i}", node=f"n{i % 3}")
    record.close()
    index = record.path / INDEX_FILE
    expected = index.read_bytes()
    index.unlink()
    stored = StoredLog(record.path)
    assert stored.count() == 200
    assert index.read_bytes() == expected
    assert stored.read(0, 200) == every_line(record)
    assert StoredLog(record.path).read(57, 60) == every_line(record)[57:60]


def test_a_record_opened_again_keeps_its_index_whole(tmp_path: Path) -> None:
    record = new_run(tmp_path)
    log(record, "first")
    record.close()
    with record.events_path.open("ab") as fh:
        fh.write(b'{"type":"log","run_')  # killed mid-line
    (record.path / INDEX_FILE).unlink()
    again = RunRecord(record.path, record.meta)
    log(again, "second\nthird")
    again.close()
    index = (record.path / INDEX_FILE).read_bytes()
    assert len(index) == 3 * 8
    assert texts(StoredLog(record.path).read(0, 9)) == ["first", "second", "third"]


def test_a_reader_in_another_process_follows_a_run_being_written(tmp_path: Path) -> None:
    record = new_run(tmp_path)
    log(record, "a\nb")
    code = (
        "import sys\nfrom pathlib import Path\nfrom tui.core.log_index import StoredLog\n"
        "s = StoredLog(Path(sys.argv[1]))\n"
        "print(s.count(), [l.text for l in s.read(0, 9)])\n"
    )
    argv = [sys.executable, "-c", code, str(record.path)]
    first = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    log(record, "c")
    second = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    record.close()
    assert first.strip() == "2 ['a', 'b']"
    assert second.strip() == "3 ['a', 'b', 'c']"


def test_two_hundred_thousand_lines_read_back_in_chunks(tmp_path: Path) -> None:
    record = new_run(tmp_path)
    appended: list[LogLine] = []
    for i in range(100_000):
        node = "train" if i % 7 else "eval"
        text = f"\x1b[32m{i:>8}\x1b[0m epoch {i}\tloss 0.{i:05d}\n中文 {i}"
        log(record, text, node=node)
        appended.extend(LogLine(node, "stdout", part) for part in text.split("\n"))
    record.close()
    stored = StoredLog(record.path)
    assert stored.count() == 200_000
    got: list[LogLine] = []
    for start in range(0, 200_000, 9_999):  # chunks that split events
        got.extend(stored.read(start, start + 9_999))
    assert got == appended
    assert stored.search("中文 99999", 0) == 199_999
    last_eval = max(
        n for n, line in enumerate(appended[:150_000]) if "epoch 5" in line.text and n % 14 == 0
    )
    assert stored.search("EPOCH 5", 150_000, backwards=True, node_ids={"eval"}) == last_eval


def test_a_reader_follows_a_writer_that_indexes_in_batches(tmp_path: Path) -> None:
    """The writer flushes the index every few thousand entries; a reader in between counts
    and reads every line all the same, keeping what it scanned as the index overtakes it."""
    record = new_run(tmp_path)
    stored = StoredLog(record.path)
    expected: list[str] = []
    for i in range(12_000):
        text = f"line {i}" if i % 5 else f"line {i}\nline {i} again"
        log(record, text)
        expected += text.split("\n")
        if i % 997 == 0:
            assert stored.count() == len(expected)
            assert texts(stored.read(len(expected) - 3, len(expected))) == expected[-3:]
    assert (record.path / INDEX_FILE).stat().st_size < len(expected) * 8  # not all flushed
    assert texts(stored.read(0, stored.count())) == expected
    record.close()
    assert (record.path / INDEX_FILE).stat().st_size == len(expected) * 8
    assert texts(stored.read(0, stored.count())) == expected
