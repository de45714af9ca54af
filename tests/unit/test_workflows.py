"""Workflow discovery: the planned DAG, and errors that name the file and line."""

from pathlib import Path

import pytest

from tui.core.errors import BadInput
from tui.core.workflows import discovery, plan

FIXTURES = Path(__file__).parent.parent / "fixtures" / "workflows"


def write(tmp_path: Path, text: str, name: str = "ci.yml") -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_chain_is_staged_by_needs() -> None:
    wf = plan.load_workflow(FIXTURES / "chain.yml")
    assert wf.events == ("push",)
    assert wf.stages == [["build"], ["test"], ["deploy"]]
    assert wf.jobs["deploy"].needs == ("build", "test")
    assert [s.name for s in wf.jobs["build"].steps] == ["compute version"]
    assert wf.labels == ("ubuntu-latest",)


def test_matrix_legs() -> None:
    wf = plan.load_workflow(FIXTURES / "matrix.yml")
    assert wf.jobs["test"].matrix == ({"flavour": "vanilla"}, {"flavour": "chocolate"})


def test_matrix_include_exclude_and_label_expressions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
on: push
jobs:
  t:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-22.04, ubuntu-24.04]
        py: ["3.11", "3.12"]
        exclude:
          - os: ubuntu-22.04
            py: "3.12"
        include:
          - os: ubuntu-24.04
            py: "3.13"
    steps: [{run: echo}]
""",
    )
    job = plan.load_workflow(path).jobs["t"]
    assert len(job.matrix) == 4
    assert {"os": "ubuntu-24.04", "py": "3.13"} in job.matrix
    assert job.runs_on == ("ubuntu-22.04", "ubuntu-24.04")


def test_on_key_read_as_true_by_yaml_1_1_and_dispatch_inputs() -> None:
    wf = plan.load_workflow(FIXTURES / "dispatch.yml")
    assert wf.events == ("workflow_dispatch",)
    target = wf.inputs["target"]
    assert target.required and target.options == ("staging", "production")
    assert wf.inputs["dry"].default == "true"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "on: push\njobs:\n  a:\n    runs-on: [x\n    steps: []\n")
    with pytest.raises(BadInput, match=r"ci\.yml:\d+: malformed YAML"):
        plan.load_workflow(path)


def test_unknown_needs_names_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """on: push
jobs:
  a:
    runs-on: x
    steps: [{run: echo}]
  b:
    runs-on: x
    needs: [a, ghost]
    steps: [{run: echo}]
""",
    )
    with pytest.raises(BadInput, match=r"ci\.yml:8: job 'b' needs unknown job 'ghost'"):
        plan.load_workflow(path)


def test_needs_cycle(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """on: push
jobs:
  a: {runs-on: x, needs: b, steps: [{run: echo}]}
  b: {runs-on: x, needs: a, steps: [{run: echo}]}
""",
    )
    with pytest.raises(BadInput, match="cycle"):
        plan.load_workflow(path)


def test_missing_on_and_jobs(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no `on:`"):
        plan.load_workflow(write(tmp_path, "jobs: {a: {runs-on: x}}\n"))
    with pytest.raises(BadInput, match="no `jobs:`"):
        plan.load_workflow(write(tmp_path, "on: push\n", "b.yml"))


def test_resolve_by_name_and_errors(tmp_path: Path) -> None:
    write(tmp_path, "on: push\njobs: {a: {runs-on: x, steps: [{run: echo}]}}\n")
    assert discovery.resolve(tmp_path, "ci.yml")[0].path.name == "ci.yml"
    with pytest.raises(BadInput, match=r"nope\.yml: no such workflow file"):
        discovery.resolve(tmp_path, "nope.yml")
    with pytest.raises(BadInput, match="no workflow files"):
        discovery.resolve(tmp_path / "elsewhere", None)
