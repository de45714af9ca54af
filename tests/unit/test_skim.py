"""A huge workflow is read for what a run needs (``skim.py``): on every workflow the test
suite has, that reading agrees with the full parse on all it reads; what it cannot follow it
leaves to the full parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.workflows import plan
from tui.core.workflows.plan import Workflow, load_workflow
from tui.core.workflows.skim import skim_workflow

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted(
    p
    for root in (REPO / "tests" / "fixtures", REPO / "sample_project")
    for p in root.rglob("*.y*ml")
    if ".github" in p.parts or "workflows" in p.parts
)


def summary(workflow: Workflow) -> tuple[object, ...]:
    jobs = {
        j.id: (
            j.name,
            j.runs_on,
            j.uses,
            j.services,
            j.matrix,
            sorted(s.uses for s in j.steps if s.uses),
        )
        for j in workflow.jobs.values()
    }
    return workflow.name, workflow.events, workflow.inputs, jobs


def test_the_suite_has_workflows_to_compare() -> None:
    assert len(WORKFLOWS) >= 20


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(REPO)))
def test_skimming_agrees_with_the_full_parse(path: Path) -> None:
    try:
        full = load_workflow(path, lenient=True)
    except Exception:  # a fixture of a file act rejects: nothing to compare
        pytest.skip("not a readable workflow")
    skimmed = skim_workflow(path, path.read_text())
    assert skimmed is not None
    assert summary(skimmed) == summary(full)
    known = set(full.jobs)
    for job in full.jobs.values():  # the full parse drops an unknown need (a problem)
        assert tuple(n for n in skimmed.jobs[job.id].needs if n in known) == job.needs


TRICKY = """\
# a comment first
---
name: "tricky one"
"on":
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      level:
        required: true
        type: choice
        options: [low, high]
jobs:

  build:
    name: Build it
    runs-on:
    - ubuntu-latest
    - self-hosted
    needs: [prep]
    services:
      db:
        image: postgres
    steps:
    - uses: actions/checkout@v4   # pinned
    - name: script
      run: |
        echo "uses: in a string@v0"
        cat <<EOF
        uses: not/an-action@v1
        jobs:
          fake: {}
        EOF

    - name: "quoted"
      uses: "actions/setup-python@v5"
  "prep":
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-22.04, ubuntu-24.04]
    steps:
      - run: echo prep
  call:
    uses: ./.github/workflows/other.yml
"""


def test_a_tricky_but_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "tricky.yml"
    path.write_text(TRICKY)
    full = load_workflow(path, lenient=True)
    skimmed = skim_workflow(path, TRICKY)
    assert skimmed is not None
    assert summary(skimmed)[:3] == summary(full)[:3]
    assert list(skimmed.jobs) == ["build", "prep", "call"]
    build = skimmed.jobs["build"]
    assert build.name == "Build it" and build.runs_on == ("ubuntu-latest", "self-hosted")
    assert build.needs == ("prep",) and build.services == ("db",)
    # a script line that looks like `uses:` adds an action, never drops one
    assert [s.uses for s in build.steps] == [
        "actions/checkout@v4",
        "not/an-action@v1",
        "actions/setup-python@v5",
    ]
    assert skimmed.jobs["prep"].runs_on == full.jobs["prep"].runs_on
    assert skimmed.jobs["call"].uses == "./.github/workflows/other.yml"


@pytest.mark.parametrize(
    "text",
    [
        "on: push\njobs: {a: {runs-on: x, steps: [{run: echo}]}}\n",  # flow style
        "on: push\njobs:\n  a: &a\n    runs-on: x\n  b: *a\n",  # anchors
        "on: push\njobs:\n\ta:\n\t\truns-on: x\n",  # tabs
        "on: push\njobs:\n  a:\n    runs-on: x\n---\non: push\n",  # two documents
        "on: push\n",  # no jobs
    ],
)
def test_what_it_cannot_follow_is_parsed_whole(tmp_path: Path, text: str) -> None:
    assert skim_workflow(tmp_path / "w.yml", text) is None


def test_only_a_run_of_a_huge_file_skims(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "ci.yml"
    path.write_text(TRICKY)
    assert load_workflow(path, lenient=True, skim=True).problems == (
        load_workflow(path, lenient=True).problems
    )
    monkeypatch.setattr(plan, "SKIM_BYTES", 100)
    skimmed = load_workflow(path, lenient=True, skim=True)
    assert (
        len(skimmed.problems) == 1
        and "skipped its own checks; act decides" in (skimmed.problems[0])
    )
    assert load_workflow(path, lenient=True).problems == ()  # list, validate: the full parse
