"""The seed's project as its users write it (tests/fixtures/seed): a tutorial's workflow
(setup-python 3.9, pip install, train, `aws s3 cp`) and its KFP v1 pipeline
(`dsl.ContainerOp` chained by `.after()`), pasted verbatim into a fresh repository, run with
real act and the real local S3 server."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, MODES, CliResult, git_init, log_lines, run_cli
from tui.core.stack import s3
from tui.core.store import RunStore
from tui.core.workflows.act_argv import free_port

SEED = FIXTURES / "seed"
SUBSTITUTED = re.compile(r"Python 3\.9 requested, ran (\d+\.\d+\.\d+)")


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    """A fresh git repository holding the seed's files, as the user pasted them."""
    project = tmp_path / "seed"
    shutil.copytree(SEED, project, ignore=shutil.ignore_patterns("__pycache__"))
    git_init(project)
    return project


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`pipedeck up` on a free port (the workflow's `aws s3 cp` reaches it); `down` after."""
    port = free_port()
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(port))
    up = run_cli("up", "--no-build")
    assert up.code == 0, up.stderr
    yield f"http://127.0.0.1:{port}"
    run_cli("down")


@pytest.fixture(autouse=True)
def python39_missing() -> None:
    """The seed asks for Python 3.9; on a machine that has it nothing is substituted (the
    runner image has 3.11 only)."""
    found = shutil.which("python3.9")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0:
        pytest.skip("this machine has Python 3.9: setup-python's stand-in substitutes nothing")


HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


def run_seed(project: Path, *flags: str, mode: str = "host") -> CliResult:
    extra = ["--ca-bundle", str(HOST_CA)] if mode == "docker" and HOST_CA.exists() else []
    return run_cli(
        "run",
        "workflow",
        "ml.yml",
        "--runner",
        mode,
        "--offline",
        *extra,
        *flags,
        "--json",
        cwd=project,
    )


def setup_python_log(result: CliResult) -> list[str]:
    """The log of the `Set up Python` step (and of the stand-in's own steps inside it)."""
    step = next(
        e["node_id"]
        for e in result.events
        if e["type"] == "node.started" and e["name"] == "Set up Python" and e["kind"] == "step"
    )
    return log_lines(result.events, lambda e: e["node_id"].split(".")[0] == step)


def assert_ran_substituted(result: CliResult, stack: str) -> None:
    every = "\n".join(log_lines(result.events))
    assert result.code == 0, every[-3000:] + result.stderr
    step_log = "\n".join(setup_python_log(result))
    ran = SUBSTITUTED.search(step_log)
    assert ran, step_log
    assert f"output python-version={ran.group(1)}" in step_log  # what the step's Python is
    header = log_lines(result.events, lambda e: e["node_id"] == "" and e["stream"] == "system")
    assert any(line.startswith("python_substitute nearest:") for line in header)
    assert RunStore().get("last").meta.extra.get("python_substitute") == "nearest"
    model = s3.client(stack).get_object(Bucket="my-model-storage", Key="model.pkl")
    assert model["Body"].read().startswith(b"\x80")  # train.py's pickle, uploaded by aws s3 cp


@pytest.mark.parametrize("mode", MODES)
def test_the_seed_workflow_runs_offline_on_the_nearest_python(
    seed: Path, stack: str, mode: str, request: pytest.FixtureRequest
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")  # its Python is 3.11, the host's may differ
    result = run_seed(seed, "--python-substitute", "nearest", mode=mode)
    assert_ran_substituted(result, stack)
    steps = {e["name"]: e["status"] for e in result.events if e["type"] == "node.finished"}
    for name in ("Install dependencies", "Train model", "Upload model to S3"):
        assert steps[name] == "success"


def test_without_the_flag_the_seed_workflow_fails_naming_it(seed: Path) -> None:
    result = run_seed(seed)
    assert result.code == 1
    errors = [line for line in setup_python_log(result) if line.startswith("error")]
    assert any(
        "Python 3.9 is not available on this runner" in line
        and "--python-substitute nearest runs the nearest installed one instead" in line
        for line in errors
    ), errors
    assert RunStore().get("last").meta.extra.get("python_substitute") is None


def test_the_setting_does_what_the_flag_does(seed: Path, stack: str) -> None:
    (seed / "pipedeck.toml").write_text('python_substitute = "nearest"\n')
    assert_ran_substituted(run_seed(seed), stack)
    assert run_seed(seed, "--python-substitute", "off").code == 1  # the flag wins


def test_a_bad_value_is_one_line_naming_the_flag(seed: Path) -> None:
    result = run_seed(seed, "--python-substitute", "newest")
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "pipedeck: --python-substitute newest: expected one of off, nearest"
    ]


def first_line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def assert_v1_error(result: CliResult, where: str) -> None:
    assert result.code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"pipedeck: {where}: dsl.ContainerOp is KFP v1, removed in kfp 2;")
    assert "@dsl.container_component" in lines[0]
    assert "dsl.ContainerSpec(image=..., command=..., args=...)" in lines[0]


def test_the_seed_pipeline_gets_the_v1_error_naming_the_v2_replacement(seed: Path) -> None:
    where = f"pipeline.py:{first_line_of(seed / 'pipeline.py', 'ContainerOp')}"
    assert_v1_error(run_cli("run", "pipeline", "pipeline.py", cwd=seed), where)
    assert_v1_error(run_cli("compile", "pipeline.py", "-o", "ml.yaml", cwd=seed), where)
    assert not (seed / "ml.yaml").exists()
    listed = run_cli("list", cwd=seed)
    assert listed.code == 0
    assert f"{where}: dsl.ContainerOp is KFP v1" in " ".join(listed.stdout.split())


def test_a_v1_op_in_a_module_the_pipeline_imports_is_named_there(seed: Path) -> None:
    (seed / "ops.py").write_text(
        "from kfp.dsl import ContainerOp\n\n\ndef train():\n    return ContainerOp()\n"
    )
    (seed / "pipeline.py").write_text(
        "from kfp import dsl\n\nimport ops\n\n\n"
        "@dsl.pipeline(name='p')\ndef p():\n    ops.train()\n"
    )
    result = run_cli("compile", "pipeline.py", "-o", "ml.yaml", cwd=seed)
    assert result.code == 2
    assert result.stderr.startswith(
        "pipedeck: pipeline.py:3: ops.py:1 (imported here): ContainerOp is KFP v1"
    )
