"""``pipedeck prepush``: what GitHub would run for the push about to be made, and running it;
``pipedeck hook install|uninstall``: the git ``pre-push`` hook that does it on every push."""

from __future__ import annotations

import contextlib
import functools
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tui.cli.app import app
from tui.cli.common import ProjectOption, console, note, project_dir
from tui.core import config
from tui.core import events as ev
from tui.core.errors import EXIT_CANCELLED, EXIT_OK, EXIT_RUN_FAILED, BadInput
from tui.core.prepush import filters, triggers
from tui.core.prepush.git import Git
from tui.core.prepush.payload import pull_request_payload, push_payload, write_payload
from tui.core.prepush.pull_request import pending_pull_request
from tui.core.prepush.push import Push, hook_pushes, pending_push
from tui.core.prepush.repo import repository
from tui.core.statuses import status
from tui.core.workflows.mode import RunnerMode, parse_mode

if TYPE_CHECKING:
    from rich.table import Table

    from tui.app.screens.prepush import Decision, Ended
    from tui.cli.together import Outcome
    from tui.core.runner import Run

hook_app = typer.Typer(
    help="The git pre-push hook that runs `pipedeck prepush` on every push.",
    no_args_is_help=True,
)
app.add_typer(hook_app, name="hook")


@dataclass(frozen=True)
class Planned:
    """One event (a ref pushed, or the pull request) with each workflow's decision."""

    event: str  # push, pull_request
    ref: str
    title: str  # the line above its table
    decided: list[triggers.Trigger]
    payload: dict[str, Any]  # the event's payload, given to each of its runs


@app.command("prepush")
def prepush(
    base: Annotated[
        str | None,
        typer.Argument(help="With --pull-request: the branch it goes into (default: the default)."),
    ] = None,
    pull_request: Annotated[
        bool,
        typer.Option("--pull-request", help="Decide and run on.pull_request instead of on.push."),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="REF", help="Compare with REF instead of the upstream (the base)."
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", metavar="TAG", help="A tag the push also pushes (repeatable)."),
    ] = None,
    git_hook_stdin: Annotated[
        bool,
        typer.Option(
            "--git-hook-stdin",
            help="Read the refs pushed from stdin, as a pre-push hook gets them from git.",
        ),
    ] = False,
    remote: Annotated[
        str,
        typer.Option(
            "--remote", metavar="NAME", help="The remote pushed to (with --git-hook-stdin)."
        ),
    ] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Decide and print; run nothing.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
    tui: Annotated[
        bool,
        typer.Option("--tui", help="Show the decisions and the runs side by side in the TUI."),
    ] = False,
    runner: Annotated[
        str | None, typer.Option("--runner", help="host, docker or auto (default: auto).")
    ] = None,
    offline: Annotated[
        bool | None,
        typer.Option("--offline", help="Use the local stand-ins for well-known actions."),
    ] = None,
    project: ProjectOption = Path(),
) -> None:
    """Which workflows GitHub would run for the push you are about to make (the current
    branch's commits its upstream lacks), and why; then run them. Exit 1 if one fails."""
    root = project_dir(project)
    if base is not None and not pull_request:
        raise BadInput(f"{base}: a base branch goes with --pull-request")
    if git_hook_stdin and (since or tag or pull_request):
        raise BadInput(
            "--git-hook-stdin: git says what is pushed (no --since, --tag, --pull-request)"
        )
    if tui and (json_out or git_hook_stdin):
        flag = "--json" if json_out else "--git-hook-stdin"
        raise BadInput(f"--tui: not with {flag} (the TUI needs the terminal to itself)")
    settings = config.load(root, runner=runner, offline=offline or None)
    mode = parse_mode(settings.runner)
    if pull_request:
        plans = [_pull_request_plan(root, base)]
    else:
        lines = sys.stdin.read().splitlines() if git_hook_stdin else []
        pushes = (
            hook_pushes(root, lines, remote)
            if git_hook_stdin
            else pending_push(root, since=since, tags=tag or ())
        )
        if not pushes and not git_hook_stdin:
            note("nothing to push: the branch has no commit its upstream lacks (--since REF)")
        plans = [_push_plan(root, push) for push in pushes]
    wanted = [(plan, t) for plan in plans for t in plan.decided if t.triggered]
    shown_in_tui = tui and wanted and not dry_run
    if json_out:
        _print_decisions(plans)
    elif not shown_in_tui:
        for plan in plans:
            _print_table(plan)
    if dry_run or not wanted:
        raise typer.Exit(EXIT_OK)
    code = _run_all(
        root, plans, wanted, mode=mode, offline=settings.offline, json_out=json_out, tui=tui
    )
    from tui.cli.execute import exit_with

    exit_with(code)


def _push_plan(root: Path, push: Push) -> Planned:
    decided = triggers.decide(root, lambda on: filters.decide_push(on, push.facts()))
    git = Git(root)
    who = (git.config("user.name") or "pipedeck", git.config("user.email"))
    payload = push_payload(push, repository(git, push.remote), who)
    return Planned("push", push.ref, _push_title(push), decided, payload)


def _push_title(push: Push) -> str:
    if push.deleted:
        return f"push {push.ref}: deleted"
    span = f"{push.before[:7]}..{push.after[:7]}" if not push.created else f"new {push.after[:7]}"
    if push.is_tag:
        return f"push {push.ref} ({span})"
    return (
        f"push {push.ref} ({span}): {push.commit_count} commit(s), {len(push.files)} file(s)"
        f" changed; {push.note}"
    )


def _pull_request_plan(root: Path, base: str | None) -> Planned:
    pr = pending_pull_request(root, base)
    decided = triggers.decide(root, lambda on: filters.decide_pull_request(on, pr.facts()))
    git = Git(root)
    payload = pull_request_payload(pr, repository(git, pr.remote), git.config("user.name"))
    title = (
        f"pull request {pr.head_ref} → {pr.base} ({pr.action}): {pr.commit_count} commit(s),"
        f" {len(pr.files)} file(s) changed since the merge base {pr.merge_base[:7]}"
    )
    return Planned("pull_request", f"refs/heads/{pr.head_ref}", title, decided, payload)


def _print_decisions(plans: Sequence[Planned]) -> None:
    out = sys.stdout.buffer
    for plan in plans:
        for t in plan.decided:
            event = ev.TriggerDecided(
                run_id="",
                workflow=t.name,
                triggered=t.triggered,
                reason=t.decision.reason,
                ref=plan.ref,
            )
            out.write(ev.encode(event) + b"\n")
    with contextlib.suppress(OSError, ValueError):
        out.flush()


def decisions_table(plan: Planned) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False)
    table.add_column("workflow")
    table.add_column("triggered")
    table.add_column("why")
    yes, no = status("success"), status("skipped")
    for t in plan.decided:
        mark = (
            Text(f"{yes.glyph} yes", yes.style) if t.triggered else Text(f"{no.glyph} no", no.style)
        )
        table.add_row(Text(t.name), mark, Text(t.decision.reason))  # no markup: [skip ci]
    if not plan.decided:
        table.add_row(Text("no workflows in .github/workflows", "dim"), "", "")
    return table


def _print_table(plan: Planned) -> None:
    out = console()
    out.print(plan.title, style="bold", soft_wrap=True, markup=False)
    out.print(decisions_table(plan))


def _run_all(
    root: Path,
    plans: Sequence[Planned],
    wanted: Sequence[tuple[Planned, triggers.Trigger]],
    *,
    mode: RunnerMode,
    offline: bool,
    json_out: bool,
    tui: bool,
) -> int:
    """The triggered workflows' runs, side by side (one workflow's runs for several refs one
    after another); the exit code of them all."""
    from tui.cli.together import Group, run_together
    from tui.core.prepush.runs import start_triggered

    folder = Path(tempfile.mkdtemp(prefix="pipedeck-prepush-"))  # 0700
    try:
        payloads: dict[int, Path] = {}
        groups: dict[Path, list[tuple[str, Callable[[], Run]]]] = {}
        several = len({plan.ref for plan, _ in wanted}) > 1
        for plan, trigger in wanted:
            path = payloads.get(id(plan))
            if path is None:
                path = payloads[id(plan)] = write_payload(
                    plan.payload, folder / f"event-{len(payloads)}.json"
                )
            start = functools.partial(
                start_triggered,
                root,
                trigger,
                event=plan.event,
                ref=plan.ref,
                payload=path,
                mode=mode,
                offline=offline,
            )
            name = Path(trigger.name).name  # each line's [name › job › step]
            name += f"@{plan.ref.rpartition('/')[2]}" if several else ""
            groups.setdefault(trigger.path, []).append((name, start))
        together: list[Group] = list(groups.values())
        outcomes: Sequence[Outcome | Ended]
        if tui:
            from tui.app.prepush_app import run_prepush

            outcomes = run_prepush(_titles(plans), _decisions(plans), together)
        else:
            outcomes = run_together(together, json_out=json_out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results = [(o.name, o.exit_code) for o in outcomes]
    if not json_out:
        _print_outcome(results, len(wanted))
        from tui.cli.report_cmd import print_report  # what will differ on GitHub, per run

        for outcome in outcomes:
            if outcome.run is not None:
                title = f"What will differ on GitHub: {outcome.name}"
                print_report(outcome.run.record, console(), title=title)
    if any(code == EXIT_CANCELLED for _, code in results):
        return EXIT_CANCELLED
    return EXIT_RUN_FAILED if any(code != EXIT_OK for _, code in results) else EXIT_OK


def _titles(plans: Sequence[Planned]) -> str:
    return "; ".join(plan.title for plan in plans)


def _decisions(plans: Sequence[Planned]) -> list[Decision]:
    from tui.app.screens.prepush import Decision

    return [
        Decision(
            f"{t.name} ({plan.ref})" if len(plans) > 1 else t.name, t.triggered, t.decision.reason
        )
        for plan in plans
        for t in plan.decided
    ]


def _print_outcome(results: Sequence[tuple[str, int]], wanted: int) -> None:
    failed = [name for name, code in results if code != EXIT_OK]
    if any(code == EXIT_CANCELLED for _, code in results):
        done = sum(1 for _, code in results if code not in (EXIT_CANCELLED,))
        line = f"⊘ prepush: stopped; {done} of {wanted} triggered workflow(s) had finished"
        console().print(line, style="bold yellow", markup=False)
    elif failed:
        names = ", ".join(failed)
        line = f"✗ prepush: {len(failed)} of {wanted} triggered workflow(s) failed: {names}"
        console().print(line, style="bold red", markup=False)
    else:
        console().print(f"✓ prepush: {wanted} triggered workflow(s) passed", style="bold green")


@hook_app.command("install")
def hook_install(project: ProjectOption = Path()) -> None:
    """Write .git/hooks/pre-push (or into core.hooksPath): every `git push` runs `pipedeck
    prepush` on the refs it pushes first, and stops when a workflow fails."""
    from tui.core.prepush import hook

    root = project_dir(project)
    path, replaced = hook.install(root, hook.pipedeck_command())
    verb = "updated" if replaced else "installed"
    console().print(f"{verb} {path}: `git push --no-verify` skips it once", markup=False)


@hook_app.command("uninstall")
def hook_uninstall(project: ProjectOption = Path()) -> None:
    """Remove the pre-push hook `pipedeck hook install` wrote (never another one)."""
    from tui.core.prepush import hook

    root = project_dir(project)
    removed = hook.uninstall(root)
    if removed is None:
        console().print("no pre-push hook to remove", markup=False)
    else:
        console().print(f"removed {removed}", markup=False)
