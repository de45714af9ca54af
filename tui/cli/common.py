"""Options and helpers shared by the command modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tui.core.errors import BadInput

if TYPE_CHECKING:
    from rich.console import Console

ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-C",
        help="The project directory (default: the current directory).",
        envvar="PIPEDECK_PROJECT",
    ),
]


PIPE_WIDTH = 120  # output that is not a terminal (CI logs, files): room for tables


def console(stderr: bool = False) -> Console:
    """A console honouring NO_COLOR and non-TTY output (Rich does both)."""
    from rich.console import Console  # when something is printed: not for --json

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def project_dir(path: Path) -> Path:
    path = path.expanduser()
    if not path.is_dir():
        raise BadInput(f"--project {path}: no such directory")
    return path.resolve()


def parse_pairs(values: list[str] | None, flag: str, sep: str = "=") -> dict[str, str]:
    """``k=v`` (or ``k:v``) flag values into a dict; a malformed one is a one-line error."""
    out: dict[str, str] = {}
    for value in values or []:
        key, found, rest = value.partition(sep)
        if not found or not key:
            raise BadInput(f"{flag} {value!r}: expected KEY{sep}VALUE")
        out[key] = rest
    return out


def parse_pairs_list(values: list[str] | None, flag: str, sep: str = "=") -> list[tuple[str, str]]:
    """Like :func:`parse_pairs`, keeping a key given more than once (act ORs ``--matrix``)."""
    out: list[tuple[str, str]] = []
    for value in values or []:
        key, found, rest = value.partition(sep)
        if not found or not key:
            raise BadInput(f"{flag} {value!r}: expected KEY{sep}VALUE")
        out.append((key, rest))
    return out


def existing_file(path: Path | None, flag: str) -> Path | None:
    if path is None:
        return None
    if not path.is_file():
        raise BadInput(f"{flag} {path}: no such file")
    return path.resolve()


def is_tty() -> bool:
    return sys.stdout.isatty() and not os.environ.get("CI")


def note(text: str) -> None:
    """One line for the user on stderr (a warning), never wrapped."""
    console(stderr=True).print(text, style="yellow", soft_wrap=True, markup=False)


def one_line(message: str) -> str:
    """A message as errors are shown: its lines joined into one, surrounding space trimmed."""
    return " ".join(part.strip() for part in message.strip().splitlines() if part.strip())
