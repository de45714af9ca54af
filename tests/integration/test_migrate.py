"""``pipedeck migrate`` on the seed's KFP v1 pipeline (tests/fixtures/seed/pipeline.py), as a
user runs it: the v2 file it writes is one ``pipedeck compile`` accepts, with the seed's three
tasks and their ``.after()`` order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, run_cli


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "seed" / "pipeline.py", tmp_path / "pipeline.py")
    return tmp_path


def test_the_seed_pipeline_migrates_and_compiles(seed: Path) -> None:
    original = (seed / "pipeline.py").read_text()
    migrated = run_cli("migrate", "pipeline.py", "-o", "new.py", cwd=seed)
    assert migrated.code == 0, migrated.stderr
    assert migrated.stderr == ""
    assert "3 ops converted" in migrated.stdout
    assert (seed / "pipeline.py").read_text() == original
    compiled = run_cli("compile", "new.py", "-o", "new.yaml", cwd=seed)
    assert compiled.code == 0, compiled.stderr
    tasks = yaml.safe_load((seed / "new.yaml").read_text())["root"]["dag"]["tasks"]
    needs = {name: sorted(task.get("dependentTasks", [])) for name, task in tasks.items()}
    assert needs == {"preprocess": [], "train": ["preprocess"], "deploy": ["train"]}


def test_without_output_the_v2_source_goes_to_stdout(seed: Path) -> None:
    printed = run_cli("migrate", "pipeline.py", cwd=seed)
    assert printed.code == 0, printed.stderr
    assert "@dsl.container_component\ndef preprocess(" in printed.stdout
    assert sorted(p.name for p in seed.iterdir()) == ["pipeline.py"]


def test_an_existing_output_is_kept_without_force(seed: Path) -> None:
    (seed / "new.py").write_text("mine\n")
    refused = run_cli("migrate", "pipeline.py", "-o", "new.py", cwd=seed)
    assert refused.code == 2
    assert refused.stderr.strip().splitlines() == [
        "pipedeck: -o new.py exists: pass --force to overwrite it"
    ]
    assert (seed / "new.py").read_text() == "mine\n"
    assert run_cli("migrate", "pipeline.py", "-o", "new.py", "--force", cwd=seed).code == 0
    assert "container_component" in (seed / "new.py").read_text()


def test_what_cannot_be_converted_is_listed_and_exits_1(seed: Path) -> None:
    (seed / "vol.py").write_text(
        "from kfp import dsl\n\n\n@dsl.pipeline(name='v')\ndef v():\n"
        "    vop = dsl.VolumeOp(name='v', resource_name='r', size='1Gi')\n"
        "    op = dsl.ContainerOp(name='t', image='alpine', command=['ls'])\n"
    )
    result = run_cli("migrate", "vol.py", "-o", "new.py", cwd=seed)
    assert result.code == 1
    assert result.stderr.splitlines()[0].startswith("vol.py:6: could not convert: dsl.VolumeOp")
    assert run_cli("compile", "new.py", "-o", "new.yaml", cwd=seed).code == 0


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("missing.py", None, "pipedeck: missing.py: no such file"),
        ("bad.py", "def (:\n", "pipedeck: bad.py:1: not Python"),
        ("v2.py", "from kfp import dsl\n", "pipedeck: v2.py: no KFP v1 code found"),
    ],
)
def test_bad_input_is_one_line_and_exits_2(
    seed: Path, name: str, text: str | None, says: str
) -> None:
    if text is not None:
        (seed / name).write_text(text)
    result = run_cli("migrate", name, cwd=seed)
    assert result.code == 2
    assert result.stderr.startswith(says), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
