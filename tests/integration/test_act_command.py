"""``pipedeck act [ACT ARGS…]``: an act command line, verbatim, through pipedeck — and the same
command line through act itself (with ``--json -v``, which pipedeck always adds): the same
results, secrets masked, a run recorded. Informational flags and act's own errors are act's
output; refused flags exit 2 naming the flag (and the ``.actrc`` it came from)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.act_oracle import act_report, pipedeck_report
from tests.conftest import FIXTURES, MODES, CliResult, git_init, run_cli
from tui.core.store import RunStore
from tui.core.workflows.act_argv import find_act

TOKEN = "tok-5f1e8a-never-shown"


@pytest.fixture(params=MODES)
def platform(request: pytest.FixtureRequest) -> list[str]:
    """What the user types to choose where steps run, as act users do (one flag a line, as
    in an ``.actrc``)."""
    if request.param == "docker":
        image = request.getfixturevalue("runner_image")
        return [f"-P ubuntu-latest={image}", "--pull=false"]
    return ["-P ubuntu-latest=-self-hosted"]


def flags(lines: list[str]) -> list[str]:
    return [token for line in lines for token in line.split(" ", 1)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "fidelity" / "act_cli", root)
    git_init(root)
    monkeypatch.setenv("TOKEN", TOKEN)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # this machine's .actrc stays out
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return root


ISSUE_LINE = [
    "push",
    "-W",
    ".github/workflows/",
    "-j",
    "test",
    "--matrix",
    "node:8",
    "--matrix",
    "node:8.x",
    "-s",
    "TOKEN",
    "--input",
    "x=1",
    "-e",
    "event.json",
    "--local-repository",
    "someone/greet-action@v1=./local-greet",
]


def pipedeck_act(project: Path, *args: str) -> CliResult:
    return run_cli("act", *args, "--json", cwd=project, timeout=300)


def raw(project: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [find_act(), *args], cwd=project, capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout + done.stderr


def words(text: str) -> list[str]:
    """act's output as the words it holds, without timestamps: two runs are not the same
    second, and act lists and draws jobs in Go's map order, which changes run to run."""
    return sorted(re.findall(r"[\w.,/:'-]+", re.sub(r'time="[^"]*"', "", text)))


def test_the_issues_command_line_as_act_runs_it(project, platform) -> None:
    args = [*ISSUE_LINE, *flags(platform)]
    result = pipedeck_act(project, *args)
    assert "Traceback" not in result.stderr, result.stderr
    code, out = raw(project, *args, "--json", "-v")
    assert pipedeck_report(result.events, result.code) == act_report(out.splitlines(), code)
    jobs = {
        e["node_id"] for e in result.events if e["type"] == "node.finished" and e["kind"] == "job"
    }
    assert jobs == {"test/test-1", "test/test-2", "lint/test"}  # -j test: both workflows'
    assert result.code == 0
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN in out  # act itself prints it in its `step` field: pipedeck masks it
    (meta,) = [m for m in RunStore().list() if m.kind == "workflow"]
    folder = RunStore().root / meta.run_id
    assert not [p for p in folder.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]


def test_actrc_is_read_as_act_reads_it(project, platform) -> None:
    (project / ".actrc").write_text(
        "\n".join(["-s TOKEN=${PD_ACTRC_TOKEN}", "--matrix node:10", *platform]) + "\n"
    )
    env_token = "actrc-0c4e1d-secret"
    os.environ["PD_ACTRC_TOKEN"] = env_token
    try:
        args = ["-W", ".github/workflows/test.yml", "-j", "test", "-e", "event.json"]
        args += ["--local-repository", "someone/greet-action@v1=./local-greet"]
        result = pipedeck_act(project, *args)
        code, out = raw(project, *args, "--json", "-v")
    finally:
        del os.environ["PD_ACTRC_TOKEN"]
    assert pipedeck_report(result.events, result.code) == act_report(out.splitlines(), code, "test")
    assert result.code == 0, result.stdout[-2000:]
    legs = [
        e["matrix"] for e in result.events if e["type"] == "node.started" and e["kind"] == "job"
    ]
    assert legs == [{"node": "10"}]  # the .actrc's --matrix
    assert env_token not in result.stdout + result.stderr  # the .actrc's secret, masked


def test_a_refused_flag_in_actrc_is_named_with_its_file(project) -> None:
    (project / ".actrc").write_text("--quiet\n")
    result = run_cli("act", "push", cwd=project)
    assert result.code == 2
    assert result.stderr.startswith("pipedeck: -q") or "--quiet" in result.stderr
    assert f"(in {project / '.actrc'})" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not RunStore().list()


@pytest.mark.parametrize(
    "flag",
    [
        "--json=false",
        "-v=false",
        "--watch",
        "-r",
        "--insecure-secrets",
        "--action-cache-path=/tmp/x",
    ],
)
def test_refused_flags_exit_2_naming_them(project, flag) -> None:
    result = run_cli("act", "push", flag, cwd=project)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"pipedeck: {flag}: refused by pipedeck"), result.stderr
    assert not RunStore().list()


@pytest.mark.parametrize("args", [["--list"], ["-g"], ["--version"], ["--validate"]], ids=str)
def test_informational_flags_are_acts_own_output(project, args) -> None:
    result = run_cli("act", *args, cwd=project)
    code, out = raw(project, *args)
    assert (result.code, words(result.stdout + result.stderr)) == (code, words(out))
    assert not RunStore().list()  # nothing recorded


@pytest.mark.parametrize("args", [["--no-such-flag"], ["-j"], ["push", "pull_request"]], ids=str)
def test_what_act_does_not_know_gets_acts_own_error(project, args) -> None:
    result = run_cli("act", *args, cwd=project)
    code, out = raw(project, *args)
    assert code != 0
    assert (result.code, words(result.stdout + result.stderr)) == (code, words(out))


def test_help_shows_the_rules_then_acts_help(project) -> None:
    result = run_cli("act", "--help", cwd=project)
    code, out = raw(project, "--help")
    assert result.code == code == 0
    rules, _, rest = result.stdout.partition("act's own help:\n\n")
    assert "refused (exit 2)" in rules and "--quiet" in rules
    assert rest == out
