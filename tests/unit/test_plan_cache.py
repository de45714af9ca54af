"""The plan cache: a run of an unchanged workflow file takes its plan from the cache (no
PyYAML import), an edited file is parsed again, a broken entry is only a miss."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO
from tui.core.workflows import plan_cache
from tui.core.workflows.plan import from_plain, load_workflow, to_plain

WORKFLOWS = sorted((FIXTURES / "workflows").glob("*.yml"))

LOAD = """
import sys
from pathlib import Path
from tui.core.workflows.plan import load_workflow
workflow = load_workflow(Path(sys.argv[1]), lenient=True)
print(workflow.name, list(workflow.jobs), "yaml" in sys.modules)
"""


def load_in_a_new_process(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(path)], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_a_plan_read_back_from_the_cache_is_the_plan_parsed(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    parsed = load_workflow(copy, lenient=True)
    assert from_plain(copy, to_plain(parsed)) == parsed
    assert load_workflow(copy, lenient=True) == parsed  # the second one, from the cache


def test_a_second_run_of_an_unchanged_file_does_not_import_yaml(tmp_path: Path) -> None:
    path = tmp_path / "ci.yml"
    path.write_text("name: ci\non: push\njobs:\n  build:\n    runs-on: x\n    steps: [{run: a}]\n")
    assert load_in_a_new_process(path) == "ci ['build'] True"
    assert load_in_a_new_process(path) == "ci ['build'] False"


def test_an_edit_of_the_same_size_is_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "ci.yml"
    text = "name: ci\non: push\njobs:\n  aaaaa:\n    runs-on: x\n    steps: [{run: a}]\n"
    path.write_text(text)
    assert list(load_workflow(path, lenient=True).jobs) == ["aaaaa"]
    path.write_text(text.replace("aaaaa", "bbbbb"))  # same length, same mtime second
    assert list(load_workflow(path, lenient=True).jobs) == ["bbbbb"]


def test_a_broken_entry_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "ci.yml"
    path.write_text("name: ci\non: push\njobs:\n  build:\n    runs-on: x\n    steps: [{run: a}]\n")
    first = load_workflow(path, lenient=True)
    entry = plan_cache._entry(path)
    assert entry.is_file() and entry.stat().st_mode & 0o777 == 0o600
    entry.write_bytes(b"\x00not marshal")
    assert load_workflow(path, lenient=True) == first


def test_what_is_wrong_with_a_file_is_said_every_time(tmp_path: Path) -> None:
    from tui.core.errors import BadInput

    path = tmp_path / "ci.yml"
    path.write_text("name: ci\non: push\njobs:\n  build:\n    needs: [nope]\n    runs-on: x\n")
    for _ in range(2):
        with pytest.raises(BadInput, match="nope"):
            load_workflow(path)
    assert load_workflow(path, lenient=True).problems  # lenient: a problem, not an error
