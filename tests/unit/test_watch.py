"""What watch mode takes a target to depend on, and which targets a change touches."""

from __future__ import annotations

from pathlib import Path

from tui.core.watch import (
    affected,
    python_files,
    reason,
    watched_pipeline,
    watched_workflow,
)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_pipeline_depends_on_the_project_modules_it_imports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pipeline.py": (
                "import os\nfrom kfp import dsl\nimport helpers\nfrom lib import steps\n"
            ),
            "helpers.py": "from lib.util import x\n",
            "lib/__init__.py": "",
            "lib/steps.py": "from . import util\n",
            "lib/util.py": "x = 1\n",
            "unused.py": "",
        },
    )
    found = {
        p.relative_to(tmp_path).as_posix() for p in python_files(tmp_path, tmp_path / "pipeline.py")
    }
    assert found == {"helpers.py", "lib/__init__.py", "lib/steps.py", "lib/util.py"}
    watched = watched_pipeline(tmp_path, "pipeline.py", tmp_path / "pipeline.py")
    assert (tmp_path / "pipeline.py").resolve() in watched.files
    assert (tmp_path / "unused.py").resolve() not in watched.files


def test_a_workflow_depends_on_what_its_steps_name_and_uses(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n"
                "      - uses: actions/checkout@v4\n"
                "      - run: pip install -r requirements.txt && python train.py --fast\n"
                "      - run: ./run.sh\n        working-directory: scripts\n"
                "      - uses: ./.github/actions/setup\n"
                "  call:\n    uses: ./.github/workflows/called.yml\n"
            ),
            ".github/workflows/called.yml": (
                "on: workflow_call\njobs:\n  inner:\n    runs-on: x\n    steps:\n"
                "      - run: bash deploy.sh $TARGET\n"
            ),
            ".github/actions/setup/action.yml": "runs: {using: composite, steps: []}\n",
            "requirements.txt": "",
            "train.py": "import model\n",
            "model.py": "",
            "scripts/run.sh": "",
            "deploy.sh": "",
            "README.md": "",
        },
    )
    watched = watched_workflow(tmp_path, "ci.yml", tmp_path / ".github/workflows/ci.yml")
    found = {p.relative_to(tmp_path.resolve()).as_posix() for p in watched.files}
    assert found == {
        ".github/workflows/ci.yml",
        ".github/workflows/called.yml",
        ".github/actions/setup/action.yml",
        "requirements.txt",
        "train.py",
        "model.py",
        "scripts/run.sh",
        "deploy.sh",
    }


def test_a_change_touches_the_targets_that_depend_on_it(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "import shared\n", "b.py": "", "shared.py": ""})
    a = watched_pipeline(tmp_path, "a.py", tmp_path / "a.py")
    b = watched_pipeline(tmp_path, "b.py", tmp_path / "b.py")
    shared = (tmp_path / "shared.py").resolve()
    assert affected([a, b], {shared}) == [(a, [shared])]
    assert affected([a, b], {(tmp_path / "other.txt").resolve()}) == []
    assert reason(tmp_path, [shared]) == "shared.py changed"
    two = [shared, (tmp_path / "b.py").resolve()]
    assert reason(tmp_path, two) == "shared.py and b.py changed"
