"""No secret reaches anything pipedeck shows or stores: every line of a multi-line secret,
secrets in the colon form, with inline comments, quoted, or from a YAML file — masked in the
live output, ``--json``, the run store, ``logs``, ``show`` and on the TUI's screen."""

from __future__ import annotations

import pytest

from tests.app.conftest import SIZE, column, select_target, wait_for
from tests.conftest import run_cli
from tui.app.app import PipedeckApp

DOTENV = (
    'MULTI="mlA-first\\nmlB-second"\n'
    "API_KEY: colon-value-77\n"
    "TOKEN=tok-abc-55 # a comment act drops\n"
    'QUOTED="q-val-33"\n'
)
YAML = (
    "MULTI: |\n  mlA-first\n  mlB-second\n"
    "API_KEY: colon-value-77\n"
    "TOKEN: tok-abc-55  # a comment\n"
    "QUOTED: 'q-val-33'\n"
)
LINES = ("mlA-first", "mlB-second", "colon-value-77", "tok-abc-55", "q-val-33")


def leaked(text: str) -> list[str]:
    return [line for line in LINES if line in text]


@pytest.mark.parametrize(("name", "content"), [(".secrets", DOTENV), ("secrets.yml", YAML)])
async def test_no_secret_line_reaches_any_view(workflow_project, state_dir, name, content):
    project = workflow_project("tricky_secrets")
    (project / name).write_text(content)
    flag = [] if name == ".secrets" else ["--secret-file", name]
    argv = ["run", "workflow", "tricky_secrets.yml", "--runner", "host", *flag]
    human = run_cli(*argv, cwd=project)
    assert human.code == 0, human.stderr
    assert "multi *** end" in human.stdout or "multi ***" in human.stdout
    as_json = run_cli(*argv, "--json", cwd=project)
    assert as_json.code == 0, as_json.stderr
    texts = {"stdout": human.stdout + human.stderr, "--json": as_json.stdout}
    for run_dir in (state_dir / "pipedeck" / "runs").iterdir():
        texts[f"store {run_dir.name}"] = "".join(
            p.read_text(errors="replace") for p in run_dir.rglob("*") if p.is_file()
        )
    texts["logs"] = run_cli("logs", "last").stdout
    texts["show"] = run_cli("show", "last").stdout
    assert {where: leaked(text) for where, text in texts.items() if leaked(text)} == {}

    app = PipedeckApp(project, runner_mode="host")
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "tricky_secrets.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: column(app).model.status == "success")
        await pilot.pause()
        assert leaked(app.export_screenshot()) == []
        assert leaked("\n".join(line.text for line in column(app).log_pane.view.lines())) == []
