"""The ``pipedeck`` command line. Thin: parses flags, calls ``tui.core``, renders with Rich."""

from __future__ import annotations

import os
import sys

import typer

from tui.cli.app import app
from tui.cli.common import one_line
from tui.core.errors import PipedeckError

# Importing the command modules registers their commands on ``app``.
from tui.cli import image_cmds  # noqa: F401  isort: skip
from tui.cli import list_cmd  # noqa: F401  isort: skip
from tui.cli import pipeline_cmds  # noqa: F401  isort: skip
from tui.cli import runs_cmds  # noqa: F401  isort: skip
from tui.cli import stack_cmds  # noqa: F401  isort: skip
from tui.cli import tui_cmd  # noqa: F401  isort: skip
from tui.cli import workflow_cmds  # noqa: F401  isort: skip
from tui.cli import demo_cmd  # noqa: F401  isort: skip
from tui.cli import cluster_cmds  # noqa: F401  isort: skip
from tui.cli import act_cmd  # noqa: F401  isort: skip


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    try:
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
