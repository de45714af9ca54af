"""Bad input gets one clear line and exit 2, and leaves no run behind; compile, list, validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import FIXTURES, run_cli
from tui.cli.pipeline_cmds import pipelines_table, validate_pipelines
from tui.core.pipelines.spec import load_spec

PIPELINES = FIXTURES / "pipelines"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["broken.py"], "broken.py:6: cannot import: NameError: name 'undefined_name'"),
        (["simple.py:nope"], "simple.py: no function 'nope' (pipelines in it: simple)"),
        (["simple.py:dsl"], "'dsl' is neither a @dsl.pipeline nor a @dsl.component"),
        (["simple.py:make_data"], "missing required parameter"),
        (["nested.py"], "nested.py: 2 pipelines (inner, outer)"),
        (["nested.py:inner"], "missing required parameter 'x' (int)"),
        (["simple.py", "--param", "count=many"], "--param count='many': expected an integer"),
        (["simple.py", "--param", "colour=red"], "unknown parameter 'colour'"),
        (["missing.py"], "missing.py: no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, state_dir: Path) -> None:
    result = run_cli("run", "pipeline", *args, cwd=PIPELINES)
    assert result.code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert not list((state_dir / "pipedeck" / "runs").glob("*/events.jsonl"))


def test_compile_writes_the_pipeline_spec(tmp_path: Path) -> None:
    out = tmp_path / "simple.yaml"
    result = run_cli("compile", "simple.py", "-o", str(out), cwd=PIPELINES)
    assert result.code == 0, result.stderr
    spec = load_spec(out)
    assert spec.name == "simple"
    assert [p.name for p in spec.params] == ["count", "message"]
    assert [n.id for n in spec.nodes()] == ["make-data", "read-data"]


def test_compile_of_a_broken_file_names_the_line() -> None:
    result = run_cli("compile", "broken.py", cwd=PIPELINES)
    assert result.code == 2
    assert result.stderr.startswith("pipedeck: broken.py:6: cannot import")


def test_list_and_validate_read_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("simple.py", "broken.py", "parallel.py"):
        shutil.copy(PIPELINES / name, project / name)
    shutil.copy(PIPELINES / "compiled" / "branches.yaml", project / "branches.yaml")
    console = Console(width=160, record=True, color_system=None)
    console.print(pipelines_table(project))
    text = console.export_text()
    assert "simple  simple.py:simple" in text
    assert "count: int = 3" in text
    assert "read-data  needs: make-data" in text
    assert "for-loop-2  ParallelFor" in text
    assert "branches  branches.yaml" in text
    assert "✗ broken.py:6: cannot import" in text
    assert validate_pipelines(project) == [
        "broken.py:6: cannot import: NameError: name 'undefined_name' is not defined"
    ]
