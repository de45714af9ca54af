"""Every bad input a user can give: exit 2 (3 for a missing prerequisite), exactly one line on
stderr naming the file, flag or setting and what to do, never a traceback or an internal
error — and nothing they had is touched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, git_init, run_cli
from tui.core.store import RunStore

CHAIN = (FIXTURES / "workflows" / "chain.yml").read_text()
DISPATCH = (FIXTURES / "workflows" / "dispatch.yml").read_text()
SIMPLE = (FIXTURES / "pipelines" / "simple.py").read_text()
BROKEN = (FIXTURES / "pipelines" / "broken.py").read_text()
SECRET = "sup3r-s3cret-value"


def project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "project"
    (root / ".github" / "workflows").mkdir(parents=True)
    files = {".github/workflows/chain.yml": CHAIN, **files}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    git_init(root)
    return root


def wf(*args: str) -> list[str]:
    return ["run", "workflow", *args, "--runner", "host"]


def settings(toml: str) -> dict[str, str | bytes]:
    return {"pyproject.toml": f"[tool.pipedeck]\n{toml}\n"}


# (files in the project, argv, environment, exit code, what the one line must say)
Case = tuple[dict[str, str | bytes], list[str], dict[str, str], int, str]
CASES: dict[str, Case] = {
    # workflow files
    "no such workflow": ({}, wf("nope.yml"), {}, 2, "nope.yml: no such workflow file"),
    "a binary workflow file": (
        {".github/workflows/bin.yml": bytes(range(256)) * 4},
        wf("bin.yml"),
        {},
        2,
        "bin.yml:2: not UTF-8 text",
    ),
    "a NUL in a workflow file": (
        {".github/workflows/nul.yml": "on: push\x00\njobs: {}\n"},
        wf("nul.yml"),
        {},
        2,
        "nul.yml:1: malformed YAML",
    ),
    "malformed YAML": (
        {".github/workflows/bad.yml": "on: push\njobs:\n  a: [\n"},
        wf("bad.yml"),
        {},
        2,
        "bad.yml:4: malformed YAML",
    ),
    "a workflow that is a list": (
        {".github/workflows/list.yml": "- on\n- jobs\n"},
        wf("list.yml"),
        {},
        2,
        "list.yml:1: not a workflow",
    ),
    # flags
    "--job unknown": ({}, wf("chain.yml", "--job", "ghost"), {}, 2, "--job ghost"),
    "--event not handled": ({}, wf("chain.yml", "--event", "issues"), {}, 2, "--event issues"),
    "--runner unknown": ({}, ["run", "workflow", "chain.yml", "--runner", "vm"], {}, 2, "vm"),
    "--matrix without a colon": ({}, wf("chain.yml", "--matrix", "os"), {}, 2, "--matrix 'os'"),
    "--input on push": ({}, wf("chain.yml", "--input", "a=b"), {}, 2, "workflow_dispatch"),
    "a required input missing": (
        {".github/workflows/dispatch.yml": DISPATCH},
        wf("dispatch.yml"),
        {},
        2,
        "--input target=VALUE is required",
    ),
    "--secret-file missing": ({}, wf("chain.yml", "--secret-file", "x"), {}, 2, "--secret-file x"),
    "--secret-file not UTF-8": (
        {"s.env": b"TOKEN=\xff\xfe\n"},
        wf("chain.yml", "--secret-file", "s.env"),
        {},
        2,
        "s.env:1: not UTF-8 text",
    ),
    "--secret-file act would print whole": (
        {"s.env": f"JUSTANAME\nTOKEN={SECRET}\n"},
        wf("chain.yml", "--secret-file", "s.env"),
        {},
        2,
        "s.env:1: unexpected line break in a secret's name",
    ),
    "--secret-file YAML that is a list": (
        {"s.yml": f"- {SECRET}\n"},
        wf("chain.yml", "--secret-file", "s.yml"),
        {},
        2,
        "s.yml:1: expected a mapping",
    ),
    "the project's .secrets malformed": (
        {".secrets": f'TOKEN="{SECRET}\n'},
        wf("chain.yml"),
        {},
        2,
        ".secrets:1: a double quote that is never closed",
    ),
    "--env-file missing": ({}, wf("chain.yml", "--env-file", "e"), {}, 2, "--env-file e"),
    "--env-file malformed": (
        {"e.env": "A-B=1\n"},
        wf("chain.yml", "--env-file", "e.env"),
        {},
        2,
        "--env-file",
    ),
    "the project's .env malformed": (
        {".env": "NAME ONLY\nX=1\n"},
        wf("chain.yml"),
        {},
        2,
        ".env:1:",
    ),
    "--var-file malformed": (
        {"v": "'quoted'\n"},
        wf("chain.yml", "--var-file", "v"),
        {},
        2,
        "--var-file",
    ),
    "-e (payload) missing": ({}, wf("chain.yml", "-e", "p.json"), {}, 2, "--eventpath p.json"),
    "a flag in .actrc pipedeck refuses": (
        {".actrc": "--reuse\n"},
        wf("chain.yml"),
        {},
        2,
        "--reuse (in ",
    ),
    "-s NAME not in the env": ({}, wf("chain.yml", "-s", "PD_NOT_SET"), {}, 2, "-s PD_NOT_SET"),
    "-P without an image": ({}, wf("chain.yml", "-P", "ubuntu-latest"), {}, 2, "--platform"),
    "--local-repository not a folder": (
        {},
        wf("chain.yml", "--local-repository", "a/b@v1=./nowhere"),
        {},
        2,
        "./nowhere is not a folder",
    ),
    "--payload not JSON": (
        {"p.json": "{not json"},
        wf("chain.yml", "--payload", "p.json"),
        {},
        2,
        "p.json:1: not JSON",
    ),
    "--payload a JSON list": (
        {"p.json": "[1, 2]"},
        wf("chain.yml", "--payload", "p.json"),
        {},
        2,
        "p.json: expected a JSON object",
    ),
    "--ca-bundle missing": ({}, wf("chain.yml", "--ca-bundle", "ca.pem"), {}, 2, "ca.pem"),
    "--project missing": ({}, ["list", "--project", "/no/such/dir"], {}, 2, "--project"),
    # settings
    "s3_port out of range, then up": (
        settings("s3_port = 99999"),
        ["up", "--no-build"],
        {},
        2,
        "setting s3_port = 99999: expected a port number 1-65535",
    ),
    "s3_port negative": (settings("s3_port = -1"), wf("chain.yml"), {}, 2, "s3_port = -1"),
    "offline a string": (settings('offline = "yes"'), wf("chain.yml"), {}, 2, "offline = 'yes'"),
    "runner unknown in settings": (
        settings('runner = "vm"'),
        ["run", "workflow", "chain.yml"],
        {},
        2,
        "setting runner = 'vm'",
    ),
    "an unknown setting": (settings('colour = "blue"'), wf("chain.yml"), {}, 2, "colour"),
    "invalid TOML": ({"pyproject.toml": "[tool.pipedeck\n"}, wf("chain.yml"), {}, 2, "TOML"),
    "a bucket name S3 refuses": (
        settings('buckets = ["My_Bucket"]'),
        ["up", "--no-build"],
        {},
        2,
        "'My_Bucket' is not one",
    ),
    "PIPEDECK_S3_PORT not a number": (
        {},
        wf("chain.yml"),
        {"PIPEDECK_S3_PORT": "many"},
        2,
        "PIPEDECK_S3_PORT=many",
    ),
    "PIPEDECK_OFFLINE not a boolean": (
        {},
        wf("chain.yml"),
        {"PIPEDECK_OFFLINE": "maybe"},
        2,
        "PIPEDECK_OFFLINE=maybe",
    ),
    # pipelines
    "no such pipeline file": ({}, ["run", "pipeline", "nope.py"], {}, 2, "nope.py: no such file"),
    "a pipeline file that does not import": (
        {"broken.py": BROKEN},
        ["run", "pipeline", "broken.py"],
        {},
        2,
        "broken.py:6: cannot import",
    ),
    "a compiled YAML that is a list": (
        {"p.yaml": "- a\n- b\n"},
        ["run", "pipeline", "p.yaml"],
        {},
        2,
        "p.yaml",
    ),
    "a compiled YAML of the wrong shape": (
        {"p.yaml": "pipelineInfo: {name: x}\nroot: 3\ncomponents: []\n"},
        ["run", "pipeline", "p.yaml"],
        {},
        2,
        "p.yaml",
    ),
    "a compiled YAML with a task of no component": (
        {
            "p.yaml": "pipelineInfo: {name: x}\nschemaVersion: 2.1.0\n"
            "root:\n  dag:\n    tasks:\n      t:\n        componentRef: {name: nope}\n"
        },
        ["run", "pipeline", "p.yaml"],
        {},
        2,
        "p.yaml",
    ),
    "--param of the wrong type": (
        {"simple.py": SIMPLE},
        ["run", "pipeline", "simple.py", "--param", "count=many"],
        {},
        2,
        "--param count='many'",
    ),
    "--runner unknown for a pipeline": (
        {"simple.py": SIMPLE},
        ["run", "pipeline", "simple.py", "--runner", "vm"],
        {},
        2,
        "--runner vm",
    ),
    "compile -o onto a directory": (
        {"simple.py": SIMPLE, "out/keep.txt": "mine"},
        ["compile", "simple.py", "-o", "out"],
        {},
        2,
        "-o out",
    ),
    "compile -o under a file": (
        {"simple.py": SIMPLE, "afile": "mine"},
        ["compile", "simple.py", "-o", "afile/p.yaml"],
        {},
        2,
        "-o afile/p.yaml",
    ),
    # history
    "show an unknown run": ({}, ["show", "nope"], {}, 2, "no stored run matches 'nope'"),
    "an unknown option": ({}, ["runs", "--colour"], {}, 2, "--colour"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line(tmp_path, monkeypatch, case) -> None:
    files, argv, env, code, fragment = CASES[case]
    root = project(tmp_path, files)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PIPEDECK_S3_PORT", env.get("PIPEDECK_S3_PORT", "4599"))
    result = run_cli(*argv, cwd=root, timeout=120)
    assert result.code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pipedeck: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert SECRET not in result.stdout + result.stderr
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before  # nothing the user had was touched
    assert not [m for m in RunStore().list() if m.kind]  # and no run was recorded


def test_enough_cases() -> None:
    assert len(CASES) >= 40


def only_run() -> Path:
    (path,) = [p for p in RunStore().root.iterdir() if not p.name.startswith(".")]
    return path


def torn_store(run_dir: Path) -> None:
    with (run_dir / "events.jsonl").open("ab") as fh:
        fh.write(b"\xff\xfe\x00 random bytes \x9c\n")
        fh.write(b"[1, 2, 3]\n")
        fh.write(b'"just a string"\n')
        fh.write(json.dumps({"type": "log", "run_id": "x", "ts": 5, "text": 1}).encode() + b"\n")
        fh.write(b'{"type": "log", "run_id": "x", "te')  # torn by a kill


@pytest.mark.parametrize("command", [["show", "last"], ["logs", "last"]])
def test_a_damaged_event_log_is_read_around(tmp_path, command) -> None:
    root = project(tmp_path, {})
    assert run_cli(*wf("chain.yml"), cwd=root).code == 0
    torn_store(only_run())
    result = run_cli(*command, cwd=root)
    assert result.code == 0, result.stderr
    assert "deploy" in result.stdout  # the readable part is shown
    note = result.stderr.strip().splitlines()
    assert len(note) == 1 and "5 lines of" in note[0] and "skipped" in note[0], note


def test_an_unreadable_run_is_left_out_and_said(tmp_path) -> None:
    root = project(tmp_path, {})
    assert run_cli(*wf("chain.yml"), cwd=root).code == 0
    good = only_run()
    damaged = RunStore().root / "20200101-000000-dead"
    shutil.copytree(good, damaged)
    (damaged / "meta.json").write_bytes(b"\xff{not json")
    result = run_cli("runs", cwd=root)
    assert result.code == 0, result.stderr
    assert good.name in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"1 run(s) in {RunStore().root} have an unreadable meta.json and are not listed"
    ]
