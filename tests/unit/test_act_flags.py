"""act's command line as act reads it, and one rule per flag (``pipedeck act``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tui.core.errors import BadInput
from tui.core.workflows import act_flags
from tui.core.workflows.act_argv import build_argv, find_act
from tui.core.workflows.act_command import Direct, Translated, act_event, translate
from tui.core.workflows.act_flags import BY_NAME, FLAGS, expand_env, parse, read_actrc
from tui.core.workflows.plan import load_workflow

WORKFLOW = """\
name: ci
on: [push, pull_request]
jobs:
  test:
    strategy: {matrix: {k: [v, w]}}
    runs-on: ubuntu-latest
    steps: [{run: echo hi}]
"""


@pytest.fixture(scope="module")
def act_help() -> str:
    return subprocess.run(
        [find_act(), "--help"], capture_output=True, text=True, timeout=30, check=True
    ).stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    for name in ("event.json",):
        (root / name).write_text("{}")
    for name in ("s.env", "e.env", "vars.env", ".input"):
        (root / name).write_text("A=1\n")
    (root / "local").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no .actrc of this machine's
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return root


def test_every_flag_of_act_help_has_exactly_one_rule(act_help: str) -> None:
    listed = act_flags.help_flags(act_help)
    assert len(listed) > 50, act_help  # the parse of act's help found its flags
    ours = {f.name: (f.short, f.kind) for f in FLAGS}
    assert set(listed) - set(ours) == set(), "act has flags with no rule"
    assert set(ours) - set(listed) == set(), "rules for flags act does not have"
    assert listed == ours  # shorthand and kind as act has them
    assert len({f.name for f in FLAGS}) == len(FLAGS)
    assert all(f.rule in act_flags.RULES for f in FLAGS)


SAMPLES = {  # a value act would take, for the flags that need a particular one
    "workflows": ".github/workflows/ci.yml",
    "directory": ".",
    "eventpath": "event.json",
    "secret-file": "s.env",
    "env-file": "e.env",
    "var-file": "vars.env",
    "input-file": ".input",
    "matrix": "k:v",
    "platform": "ubuntu-latest=node:20",
    "local-repository": "a/b@v1=./local",
    "secret": "TOKEN=value",
    "input": "x=1",
    "var": "NAME=v",
    "concurrent-jobs": "2",
    "cache-server-port": "0",
}


def sample(flag: act_flags.Flag) -> list[str]:
    if flag.kind == "bool":
        return [f"--{flag.name}"]
    return [f"--{flag.name}", SAMPLES.get(flag.name, "some-value")]


def act_sees(outcome: Translated, mode: str = "docker") -> act_flags.Parsed:
    """The argv act gets for the run, read back as act reads it."""
    argv = build_argv(
        "act",
        outcome.request,
        event=outcome.request.event or "push",
        mode=mode,
        image="runner:tag",
        artifacts_dir=Path("/artifacts"),
        secret_file=None,
        artifact_port=1234,
        run_id="r1",
        local_repositories=outcome.request.local_repositories,  # as the runner hands them
    )
    return parse(argv[1:])


@pytest.mark.parametrize("flag", FLAGS, ids=lambda f: f.name)
def test_each_flag_is_handled_by_its_rule(flag: act_flags.Flag, project: Path) -> None:
    args = ["push", *sample(flag)]
    if flag.rule == "refused":
        with pytest.raises(BadInput, match=f"--{flag.name}.*refused by pipedeck"):
            translate(args, project)
        return
    outcome = translate(args, project)
    if flag.rule == "info":
        assert isinstance(outcome, Direct) and outcome.args == tuple(args)
        return
    assert isinstance(outcome, Translated)
    request = outcome.request
    seen = act_sees(outcome)
    value = args[-1]
    if flag.refused_false:  # merged bools pipedeck needs on: on; off is refused
        assert seen.on(flag.name)
        with pytest.raises(BadInput, match="refused by pipedeck"):
            translate(["push", f"--{flag.name}=false"], project)
        return
    folded = {  # merged into the run's private files: act reads them from there
        "secret": lambda: ("TOKEN", "value") in request.secrets,
        "secret-file": lambda: request.secret_file == project / "s.env",
        "env": lambda: request.env.get("some-value") == "",
        "env-file": lambda: request.env_file == project / "e.env",
        "container-options": lambda: seen.last("container-options", "").startswith(value),
        "directory": lambda: seen.last("directory") == str(project),
        "workflows": lambda: seen.last("workflows") == value,
        "eventpath": lambda: seen.last("eventpath") == str(project / "event.json"),
        "var-file": lambda: seen.last("var-file") == str(project / "vars.env"),
    }
    if flag.name in folded:
        assert folded[flag.name](), (flag.name, seen, request)
    elif flag.kind == "bool":
        assert seen.on(flag.name), (flag.name, seen)
    elif flag.kind == "stringArray":
        assert value in seen.values(flag.name), (flag.name, seen)
    else:  # a single value: act takes the last one given, and that is the user's
        assert seen.last(flag.name) == value, (flag.name, seen)


def test_shorthands_as_pflag_reads_them() -> None:
    parsed = parse(["-vn", "-jbuild", "-P=ubuntu-latest=x", "-p=false", "push", "--", "-x"])
    assert parsed.on("verbose") and parsed.on("dryrun")
    assert parsed.last("job") == "build"
    assert parsed.values("platform") == ["ubuntu-latest=x"]
    assert parsed.last("pull") == "false"
    assert parsed.positional == ("push", "-x")
    assert parse(["-vj", "build"]).last("job") == "build"
    assert parse(["--json", "false"]).positional == ("false",)  # a bool takes no next arg


@pytest.mark.parametrize(
    "args", [["--bogus"], ["-z"], ["-j"], ["--pull=maybe"], ["--job"]], ids=str
)
def test_what_act_rejects_is_acts_own_error(args: list[str], project: Path) -> None:
    with pytest.raises(act_flags.ActArgError):
        parse(args)
    outcome = translate(args, project)
    assert isinstance(outcome, Direct) and outcome.why.startswith("act's own error")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$A/x", "one/x"),
        ("${A}x", "onex"),
        ("$UNSET.", "."),
        ("a$", "a$"),
        ("$$", ""),  # $$ is the shell's PID name: unset here
        ("${}", ""),  # bad syntax: eaten
        ("${A", "A"),  # "${" eaten, the rest kept
        ("$1x", "x"),
        ("${A_B}", "two"),
        ("$A-B", "one-B"),
        ("cost $5", "cost "),
        ("é$A", "éone"),
    ],
)
def test_env_expansion_is_gos(text: str, expected: str) -> None:
    assert expand_env(text, {"A": "one", "A_B": "two"}) == expected


def test_actrc_is_read_as_act_reads_it(tmp_path: Path) -> None:
    rc = tmp_path / ".actrc"
    rc.write_text(
        "  -P ubuntu-latest=img:1  \n"
        "# a comment is not a flag\n"
        "push\n"
        "--container-options --cpus 2 --memory 1g\r\n"
        "-s TOKEN=$TOKEN\n"
        "--rm\n"
    )
    assert read_actrc(rc, {"TOKEN": "t0k"}) == [
        "-P",
        "ubuntu-latest=img:1",
        "--container-options",
        "--cpus 2 --memory 1g",
        "-s",
        "TOKEN=t0k",
        "--rm",
    ]


def test_actrc_files_come_first_and_in_acts_order(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".config" / "act").mkdir(parents=True)
    (home / ".config" / "act" / "actrc").write_text("--matrix k:v\n")
    (home / ".actrc").write_text("--matrix k:w\n")
    (project / ".actrc").write_text("-j test\n")
    outcome = translate(["--matrix", "k:x"], project)
    assert isinstance(outcome, Translated)
    assert outcome.request.matrix == (("k", "v"), ("k", "w"), ("k", "x"))
    assert outcome.request.job == "test"


def test_a_refused_flag_in_an_actrc_names_the_file(project: Path) -> None:
    (project / ".actrc").write_text("--reuse\n")
    with pytest.raises(BadInput, match=r"--reuse \(in .*\.actrc\): refused"):
        translate(["push"], project)


def test_the_event_act_picks(tmp_path: Path) -> None:
    def wf(name: str, on: str) -> object:
        path = tmp_path / name
        path.write_text(f"on: {on}\njobs: {{a: {{runs-on: x, steps: []}}}}\n")
        return load_workflow(path)

    one = wf("one.yml", "pull_request")
    two = wf("two.yml", "[workflow_dispatch, issues]")
    assert act_event([one], detect=False) == "pull_request"  # the only event
    assert act_event([one, two], detect=False) == "push"
    assert act_event([one, two], detect=True) == "issues"  # the first, sorted
    assert act_event([wf("p.yml", "[push, pull_request]"), one], detect=True) == "pull_request"


def test_secrets_never_prompt(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PD_NOT_SET", raising=False)
    with pytest.raises(BadInput, match="-s PD_NOT_SET: set PD_NOT_SET in the environment"):
        translate(["-s", "PD_NOT_SET"], project)
    monkeypatch.setenv("PD_SET", "v4lue")
    outcome = translate(["-s", "pd_set"], project)
    assert isinstance(outcome, Translated) and outcome.request.secrets == (("pd_set", "v4lue"),)


def test_every_rule_is_in_the_help_text() -> None:
    text = act_flags.rules_text()
    for flag in FLAGS:
        assert f"--{flag.name}" in text
    assert BY_NAME["quiet"].note in text
