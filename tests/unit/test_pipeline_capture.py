"""kfp.local's output inside the driver: lines per thread, banners dropped, executor lines."""

from __future__ import annotations

import logging
import threading

from tui.core.pipelines.capture import ExecutorLines, KfpChatter, TaskStream


def test_task_stream_keeps_each_threads_partial_line_apart() -> None:
    got: list[tuple[str, str]] = []
    stream = TaskStream(lambda line: got.append((threading.current_thread().name, line)))
    barrier = threading.Barrier(2)

    def write(name: str) -> None:
        stream.write(f"{name} start ")
        barrier.wait()
        stream.write(f"{name} end\n{'-' * 40}\n\n")

    threads = [threading.Thread(target=write, args=(n,), name=n) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == [("a", "a start a end"), ("b", "b start b end")]


def test_kfp_banners_are_filtered_and_the_rest_kept() -> None:
    chatter = KfpChatter()

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("root", logging.INFO, "x", 1, message, None, None)

    for banner in (
        "Executing task \x1b[96m'train'\x1b[0m",
        "Task \x1b[96m'train'\x1b[0m finished with status \x1b[92mSUCCESS\x1b[0m",
        "Task train cache hit (key=abc); skipping execution.",
        "Skipping conditional task condition-3 (condition evaluated to False)",
    ):
        assert not chatter.filter(record(banner)), banner
    assert chatter.filter(record("Task train failed (attempt 1/3). Retrying in 1.0s..."))


def test_executor_info_lines_are_dropped_and_user_lines_kept() -> None:
    lines = ExecutorLines("stderr")
    fed = [
        "[KFP Executor 2026-01-01 10:00:00,000 INFO]: Looking for component `f`",
        "[KFP Executor 2026-01-01 10:00:00,000 INFO]: Got executor_input:",
        "{",
        '    "inputs": {}',
        "}",
        "user says hi",
        "[KFP Executor 2026-01-01 10:00:00,000 WARNING]: something odd",
    ]
    out = [item for line in fed for item in lines.feed(line)]
    assert out == [
        ("stderr", "user says hi"),
        ("system", "[KFP Executor 2026-01-01 10:00:00,000 WARNING]: something odd"),
    ]
