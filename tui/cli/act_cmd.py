"""``pipedeck act [ACT ARGS…]``: act's own command line, run through pipedeck."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from tui.cli.app import app
from tui.core import config
from tui.core.launch import start_workflow
from tui.core.workflows.act_argv import find_act
from tui.core.workflows.act_command import Direct, translate
from tui.core.workflows.act_flags import rules_text
from tui.core.workflows.mode import parse_mode

HELP = """\
Usage: pipedeck act [ACT ARGS...]

act's own command line, run through pipedeck: the same events, live tree, masking, run
history and TUI replay as `pipedeck run workflow`. act's .actrc files are read as act reads
them. pipedeck adds what it needs (--json, -v, its artifact server and cache folders, the
runner mode's -P mappings — env PIPEDECK_RUNNER or the project's `runner` setting — and its
offline stand-ins); your --json prints pipedeck's events as JSON lines. A flag act does not
know gets act's own error. Each of act's flags:

"""


@app.command(
    "act",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
    help="act's own command line (pipedeck act push -j test …), run through pipedeck.",
)
def act_command(ctx: typer.Context) -> None:
    cwd = Path.cwd()
    args = list(ctx.args)
    outcome = translate(args, cwd, mode=parse_mode(_runner(cwd)))
    if isinstance(outcome, Direct):
        if outcome.help:
            sys.stdout.write(HELP + rules_text() + "\nact's own help:\n\n")
            sys.stdout.flush()
        raise typer.Exit(subprocess.call([find_act(), *args], cwd=cwd))
    run = start_workflow(outcome.request, spawn=True)  # act starts here
    from tui.cli.execute import execute, exit_with

    exit_with(execute(run, json_out=outcome.json_out))


def _runner(cwd: Path) -> str:
    return config.load(cwd).runner
