"""The ``pipedeck`` command line. Thin: parses flags, calls ``tui.core``, renders with Rich."""

from __future__ import annotations

import gc
import importlib
import os
import sys

import typer

from tui.cli.app import app
from tui.cli.common import one_line
from tui.core.errors import PipedeckError

# The command modules register their commands on ``app`` when imported. A command imports
# only its own module (a workflow run never loads the pipeline side, the cluster code or the
# Docker SDK); help, a typo or no command imports them all. ``tui_cmd`` holds the callback for
# no command (the TUI), so it is always there.
MODULES = {
    "act": "act_cmd",
    "cache": "cache_cmds",
    "compile": "pipeline_cmds",
    "continue": "debug_cmds",
    "debug": "debug_cmds",
    "demo": "demo_cmd",
    "diff": "diff_cmd",
    "doctor": "stack_cmds",
    "down": "stack_cmds",
    "image": "image_cmds",
    "images": "cluster_cmds",
    "list": "list_cmd",
    "report": "report_cmd",
    "rerun": "rerun_cmd",
    "retry": "debug_cmds",
    "logs": "logs_cmd",
    "migrate": "migrate_cmd",
    "prepush": "prepush_cmd",
    "hook": "prepush_cmd",
    "runs": "runs_cmds",
    "shell": "debug_cmds",
    "show": "runs_cmds",
    "skip": "debug_cmds",
    "status": "stack_cmds",
    "stop": "debug_cmds",
    "tui": "tui_cmd",
    "up": "stack_cmds",
    "validate": "workflow_cmds",
    "watch": "watch_cmd",
}
RUN_MODULES = {"workflow": "workflow_cmds", "pipeline": "pipeline_cmds"}
ALL = [  # the order `pipedeck --help` lists them in
    "tui_cmd",
    "list_cmd",
    "workflow_cmds",
    "act_cmd",
    "prepush_cmd",
    "pipeline_cmds",
    "migrate_cmd",
    "runs_cmds",
    "diff_cmd",
    "report_cmd",
    "rerun_cmd",
    "logs_cmd",
    "debug_cmds",
    "watch_cmd",
    "stack_cmds",
    "image_cmds",
    "cache_cmds",
    "demo_cmd",
    "cluster_cmds",
]


def modules_for(argv: list[str]) -> list[str]:
    """The command modules ``argv`` needs (all of them when it names no known command)."""
    words = [a for a in argv if not a.startswith("-")]
    if not words or argv[:1] != words[:1]:  # no command, or an option first: help, TUI
        return ALL
    if words[0] == "run":
        found = RUN_MODULES.get(words[1]) if len(words) > 1 else None
        return [found] if found and argv[1:2] == words[1:2] else ALL
    found = MODULES.get(words[0])
    return [found] if found else ALL


def register(argv: list[str]) -> None:
    for name in dict.fromkeys(["tui_cmd", *modules_for(argv)]):  # the TUI's callback first
        importlib.import_module(f"tui.cli.{name}")


def version_text() -> str:
    """``pipedeck --version``: pipedeck's version, then the act and kfp it runs with."""
    from importlib import metadata

    from tui import __version__
    from tui.core.workflows.act_argv import act_version

    try:
        act = act_version() or "unknown (act --version said nothing)"
    except PipedeckError:  # act is not installed
        act = "not found"
    try:
        kfp = metadata.version("kfp")  # never imported: its version is in its metadata
    except metadata.PackageNotFoundError:
        kfp = "not installed"
    return f"pipedeck {__version__}\nact {act}\nkfp {kfp}"


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    if sys.argv[1:] == ["--version"]:  # no command module is needed for it
        print(version_text())
        sys.exit(0)
    try:
        register(sys.argv[1:])
        # gc was off while the modules loaded (tui.entry); their ~30k objects live as long as
        # the process: frozen, the first collection does not scan them all (~2.5 ms)
        gc.freeze()
        gc.enable()
        code = app(standalone_mode=False)
    except typer.Abort:
        print("pipedeck: interrupted", file=sys.stderr)
        sys.exit(130)
    except PipedeckError as exc:
        print(f"pipedeck: {one_line(exc.message)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors (Typer's click): one line, exit 2
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "pipedeck"
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"pipedeck: {message} (see `{where} --help`)", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        print("pipedeck: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # the last line of defence; PIPEDECK_DEBUG shows the traceback
        if os.environ.get("PIPEDECK_DEBUG"):
            raise
        print(
            f"pipedeck: internal error: {type(exc).__name__}: {exc} "
            "(run again with PIPEDECK_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
