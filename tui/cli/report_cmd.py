"""``pipedeck report RUN``: what will differ on GitHub / on the cluster (the fidelity report);
``print_report`` is also the last section of ``show`` and of ``prepush``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tui.cli.app import app, print_json

if TYPE_CHECKING:
    from rich.console import Console

    from tui.core.store import RunRecord

RunArg = Annotated[
    str,
    typer.Argument(help="Run id, or any unique part of it (`3fa9`, `0726`); `last`: the newest."),
]


def print_report(record: RunRecord, out: Console, *, title: str = "") -> None:
    """The report of ``record`` as a section: a heading, then each item with its node, why
    it matters there and what to do."""
    from rich.text import Text

    from tui.core.fidelity.report import report_for, service_of

    items = report_for(record)
    where = service_of(record.meta.kind)
    heading = title or f"What will differ on {where}"
    out.print(Text(heading, style="bold"))
    if not items:
        out.print(Text(f"  nothing this run recorded says {where} will run it differently", "dim"))
        return
    for item in items:
        line = Text("  • ")
        line.append(item.node_id or "(run)", style="cyan")
        line.append(f"  {item.what}")
        out.print(line, soft_wrap=True)
        out.print(Text(f"      {item.why}", style="dim"), soft_wrap=True)
        out.print(Text(f"      → {item.fix}"), soft_wrap=True)


@app.command("report")
def report(
    run: RunArg = "last",
    json_out: Annotated[
        bool,
        typer.Option("--json", help="Print a JSON array of the items: node_id, what, why, fix."),
    ] = False,
) -> None:
    """What will differ when RUN runs on GitHub or on the KFP cluster: stand-in actions,
    mapped runner labels, secrets it did not have, resources not enforced…, each with the
    node it concerns and what to do if it matters."""
    from tui.cli.common import console, note
    from tui.core.fidelity.report import report_for
    from tui.core.store import RunStore

    store = RunStore()
    record = store.get(run)
    for line in store.notes:
        note(line)
    if json_out:
        print_json([item.to_json() for item in report_for(record)])
        return
    out = console()
    meta = record.meta
    out.print(f"[bold]{meta.kind}[/] {meta.target}  [dim]run {meta.run_id}[/]", markup=True)
    print_report(record, out)
