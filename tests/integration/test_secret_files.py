"""Secret files are read exactly as act reads them: for a table of tricky files, the secrets
raw act has (``toJSON(secrets)``, written to a file by a host-mode step) are the secrets
pipedeck reads; a file act rejects is rejected by pipedeck first, naming the line only."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git_init
from tui.core.errors import BadInput
from tui.core.workflows.act_argv import find_act
from tui.core.workflows.dotenv import read_secrets, secret_values

DUMP = """name: dump
on: push
jobs:
  dump:
    runs-on: ubuntu-latest
    steps:
      - run: printf '%s' "$S" > "$SECRETS_OUT"
        env:
          S: ${{ toJSON(secrets) }}
"""

READ = {
    "export, colon form, comments, blank lines": (
        ".secrets",
        "# a comment\n\nexport TOKEN=abc # trailing comment\nAPI_KEY: value\n"
        "  SPACED   =   padded value   \nHASH=x#not-a-comment\n",
    ),
    "double quotes: escapes, a real line break, an escaped quote": (
        ".secrets",
        'ESCAPES="tab\\tnew\\nline\\\\back \\"quoted\\" cr\\r"\n'
        'MULTI="line1\\nline2"\nREAL="first\nsecond"\nAFTER="x" # comment\n',
    ),
    "single quotes are verbatim": (".secrets", "LIT='$HOME \\n \\\\ \"q\"'\nEMPTY=''\n"),
    "$VAR expands from earlier keys, else to nothing": (
        ".secrets",
        'BASE=root\nUNQ=$BASE/x\nDQ="${BASE}-$BASE-$NOPE-\\$BASE"\nLOW=$base\nCMD=$(WHO)x\n',
    ),
    "blank values, a redefinition, no final newline": (
        ".secrets",
        'BLANK=\nQUOTED_BLANK=""\nTWICE=one\nTWICE=two\nLAST=end',
    ),
    "CRLF line endings and unicode": (".secrets", 'A=crlf\r\nB=Grüße 🙂\r\nC="x\r\ny"\r\n'),
    "two statements on one line after a quoted value": (".secrets", "A='one' B=two\n"),
    "a YAML file": (
        "secrets.yml",
        "STR: plain text\nNUM: 0123\nBOOL: yes\nNULL_VALUE:\nQUOTED: 'it''s'\n"
        'DQ: "a\\tb"\nBLOCK: |\n  line1\n  line2\n',
    ),
    "a .yaml file, lower-case names": ("secrets.yaml", "lower: v\nMixed_Case: w\n"),
}

REJECTED = {
    "a line that is only a name": (".secrets", "JUSTANAME\nTOKEN=abc\n"),
    "a quote that is never closed": (".secrets", 'TOKEN="abc\nOTHER=1\n'),
    "a dash in a name": (".secrets", "MY-TOKEN=abc\n"),
    "a YAML list": ("secrets.yml", "- TOKEN=abc\n"),
    "a YAML value that is a mapping": ("secrets.yml", "TOKEN:\n  nested: abc\n"),
}


def act_secrets(tmp_path: Path, name: str, text: str) -> tuple[int, dict[str, str], str]:
    """What raw act makes of the file: its exit code, its secrets, its output."""
    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "dump.yml").write_text(DUMP)
    git_init(project)
    secrets = project / name
    secrets.write_bytes(text.encode())
    out = tmp_path / "secrets.json"
    argv = [find_act(), "push", "-W", ".github/workflows/dump.yml", "--secret-file", name]
    argv += ["-P", "ubuntu-latest=-self-hosted", "--env", f"SECRETS_OUT={out}"]
    done = subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=120)
    found = json.loads(out.read_text()) if out.exists() else {}
    found.pop("GITHUB_TOKEN", None)  # act adds it
    return done.returncode, found, done.stdout + done.stderr


@pytest.mark.parametrize("case", list(READ))
def test_secret_files_read_as_act_reads_them(tmp_path, case) -> None:
    name, text = READ[case]
    code, expected, output = act_secrets(tmp_path, name, text)
    assert code == 0, output
    path = tmp_path / "project" / name
    assert read_secrets(path) == expected
    assert sorted(secret_values(path)) == sorted(v for v in expected.values() if v)


@pytest.mark.parametrize("case", list(REJECTED))
def test_a_file_act_rejects_is_rejected_first_without_its_content(tmp_path, case) -> None:
    name, text = REJECTED[case]
    code, _, output = act_secrets(tmp_path, name, text)
    assert code != 0, output  # act refuses it too (and prints the file while it does)
    with pytest.raises(BadInput) as caught:
        read_secrets(tmp_path / "project" / name)
    message = caught.value.message
    assert f"{name}:" in message and "\n" not in message
    assert "abc" not in message  # the secret never shows
