"""``--python-substitute`` / setting ``python_substitute``: checked where it comes from, handed
to the steps in the run's env, and setup-python's offline stand-in choosing the nearest
installed Python among fake ones on PATH (no act, no real virtualenv)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tui.core import config
from tui.core.errors import BadInput
from tui.core.workflows import standins
from tui.core.workflows.act_argv import PYTHON_SUBSTITUTE_VARIABLE, WorkflowRequest, run_env
from tui.core.workflows.plan import load_workflow

SETUP_SH = standins.actions_dir() / "setup-python" / "setup.sh"
TOOLS = ("head", "tr", "cut", "readlink", "mkdir", "ln")


def test_the_setting_is_off_by_default_and_nearest_from_file_env_or_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config.load(tmp_path).python_substitute == "off"
    (tmp_path / "pipedeck.toml").write_text('python_substitute = "nearest"\n')
    assert config.load(tmp_path).python_substitute == "nearest"
    assert config.load(tmp_path, python_substitute="off").python_substitute == "off"
    monkeypatch.setenv("PIPEDECK_PYTHON_SUBSTITUTE", "off")
    assert config.load(tmp_path).python_substitute == "off"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("flag", "--python-substitute newest: expected one of off, nearest"),
        ("env", "PIPEDECK_PYTHON_SUBSTITUTE=newest: expected one of off, nearest"),
        ("file", "setting python_substitute = 'newest': expected one of off, nearest"),
    ],
)
def test_a_bad_value_is_one_line_naming_where_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, expected: str
) -> None:
    flags = {"python_substitute": "newest"} if where == "flag" else {}
    if where == "env":
        monkeypatch.setenv("PIPEDECK_PYTHON_SUBSTITUTE", "newest")
    if where == "file":
        (tmp_path / "pipedeck.toml").write_text('python_substitute = "newest"\n')
    with pytest.raises(BadInput) as caught:
        config.load(tmp_path, **flags)
    assert caught.value.message.endswith(expected)


def request_for(project: Path, substitute: str | None) -> WorkflowRequest:
    folder = project / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ci.yml").write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n")
    workflow = load_workflow(folder / "ci.yml")
    return WorkflowRequest(project=project, workflow=workflow, python_substitute=substitute)


def test_the_steps_get_the_value_and_a_request_leaving_it_open_gets_the_setting(
    tmp_path: Path,
) -> None:
    def given(substitute: str | None, mode: str = "host") -> str:
        env = run_env(request_for(tmp_path, substitute), mode, tmp_path / "artifacts")
        return env[PYTHON_SUBSTITUTE_VARIABLE]

    assert (given("nearest"), given(None)) == ("nearest", "off")
    (tmp_path / "pipedeck.toml").write_text('python_substitute = "nearest"\n')
    assert (given(None, "docker"), given("off")) == ("nearest", "off")


def test_the_run_says_so_first_only_when_the_stand_in_may_substitute() -> None:
    mapped = ["actions/setup-python@v4=/x/setup-python", "actions/cache@v4=/x/cache"]
    assert "nearest installed" in standins.python_substitute_line(mapped, "nearest")
    assert standins.python_substitute_line(mapped, "off") == ""
    assert standins.python_substitute_line(mapped[1:], "nearest") == ""  # the real action


def fake_pythons(folder: Path, versions: dict[str, str]) -> None:
    """``name -> version`` scripts that answer the stand-in's version query; ``-m venv DIR``
    makes DIR/bin/python a link to the script."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, version in versions.items():
        script = folder / name
        script.write_text(
            "#!/bin/sh\n"
            'if [ "$1" = "-m" ]; then mkdir -p "$3/bin" && ln -s "$0" "$3/bin/python"; exit 0; fi\n'
            f"echo {version}\n"
        )
        script.chmod(0o755)


def stand_in(tmp_path: Path, wanted: str, substitute: str, **versions: str) -> tuple[int, str]:
    """setup.sh run as the composite step runs it, PATH holding only the fake pythons (and
    the few tools the script uses): its exit code and output."""
    fakes, tools = tmp_path / "fakes", tmp_path / "tools"
    fake_pythons(fakes, {name.replace("_", "."): v for name, v in versions.items()})
    tools.mkdir(exist_ok=True)
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        if not (tools / tool).exists():
            (tools / tool).symlink_to(found)
    for name in ("path", "env", "output"):
        (tmp_path / name).write_text("")
    env = {
        "PATH": f"{fakes}{os.pathsep}{tools}",
        "WANTED": wanted,
        "PIPEDECK_PYTHON_SUBSTITUTE": substitute,
        "GITHUB_PATH": str(tmp_path / "path"),
        "GITHUB_ENV": str(tmp_path / "env"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "RUNNER_TEMP": str(tmp_path),
    }
    bash = shutil.which("bash")
    assert bash
    done = subprocess.run(
        [bash, str(SETUP_SH)], env=env, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


def test_off_fails_clearly_and_names_the_flag(tmp_path: Path) -> None:
    code, out = stand_in(tmp_path, "3.9", "off", python3="3.11.7", python3_11="3.11.7")
    assert code == 1
    assert (
        "::error::Python 3.9 is not available on this runner (found: 3.11.7);"
        " --python-substitute nearest runs the nearest installed one instead" in out
    )


def test_nearest_runs_the_nearest_installed_python_and_says_so(tmp_path: Path) -> None:
    code, out = stand_in(
        tmp_path, "3.9", "nearest", python3="3.12.1", python3_8="3.8.18", python3_10="3.10.4"
    )
    assert code == 0, out
    assert "::warning::Python 3.9 requested, ran 3.10.4" in out  # 3.8 and 3.10: the newer
    assert "python-version=3.10.4" in (tmp_path / "output").read_text()
    assert (tmp_path / "path").read_text().strip().endswith("/bin")


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("3.9.5", "3.9.1"),  # the same minor version, another patch
        ("3.13", "3.12.1"),
        ("2.7", "3.8.18"),  # no Python 2: the nearest Python 3
    ],
)
def test_nearest_by_major_then_minor_then_patch(tmp_path: Path, wanted: str, expected: str) -> None:
    code, out = stand_in(
        tmp_path, wanted, "nearest", python3="3.12.1", python3_8="3.8.18", python3_9="3.9.1"
    )
    assert code == 0, out
    assert f"Python {wanted} requested, ran {expected}" in out


def test_an_installed_version_is_used_as_it_is_without_a_warning(tmp_path: Path) -> None:
    code, out = stand_in(tmp_path, "3.10", "nearest", python3="3.12.1", python3_10="3.10.4")
    assert code == 0, out
    assert "requested, ran" not in out and "Python 3.10.4 in" in out


def test_nearest_with_no_python_at_all_fails_clearly(tmp_path: Path) -> None:
    code, out = stand_in(tmp_path, "3.9", "nearest")
    assert code == 1
    assert "not available on this runner, nor any other Python to run instead" in out
