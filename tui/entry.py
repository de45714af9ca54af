"""The ``pipedeck`` command's entry point (and ``python -m tui``'s): the CLI with Python's
cyclic garbage collector off while its modules load — start-up allocates tens of thousands of
objects and frees almost none, so the collections it would run then find nothing (~3 ms of a
run's way to starting act). ``tui.cli.main`` turns it back on once the command's modules are
in, before the command runs."""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from tui.cli import main as cli

    cli()
