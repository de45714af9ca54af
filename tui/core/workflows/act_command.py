"""An act command line (``pipedeck act push -W … -j test …``) as a pipedeck run: read as act
reads it (its ``.actrc`` files first, then the arguments; ``act_flags``), each flag handled by
its rule, and the run planned with act's own choices (which workflows, which event), so what
act does is what it would do run by hand — with pipedeck's events, masking and history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import BadInput
from tui.core.workflows import discovery
from tui.core.workflows.act_argv import WorkflowRequest
from tui.core.workflows.act_flags import ActArgError, Parsed, actrc_args, parse
from tui.core.workflows.mode import RunnerMode
from tui.core.workflows.plan import Workflow

DEFAULT_WORKFLOWS = "./.github/workflows/"
# flags pipedeck folds into the request (it restates them itself, or in a private file)
FOLDED = {
    "workflows",
    "directory",
    "job",
    "matrix",
    "eventpath",
    "input",
    "var",
    "var-file",
    "local-repository",
    "dryrun",
    "secret",
    "secret-file",
    "env",
    "env-file",
    "container-options",
    "json",
    "verbose",
}


@dataclass(frozen=True)
class Direct:
    """Run act itself with the arguments as given: it prints (its help, its list, its own
    error) and runs nothing pipedeck would record."""

    args: tuple[str, ...]
    why: str
    help: bool = False


@dataclass(frozen=True)
class Translated:
    request: WorkflowRequest
    json_out: bool  # the user's --json: print pipedeck's events as JSON lines


def translate(
    args: Sequence[str],
    cwd: Path,
    mode: RunnerMode = "auto",
    environ: Mapping[str, str] | None = None,
) -> Direct | Translated:
    env = os.environ if environ is None else environ
    rc_args, rc_sources = actrc_args(cwd, env)
    try:
        parsed = parse([*rc_args, *args], [*rc_sources, *["the command line"] * len(args)])
    except ActArgError as exc:
        return Direct(tuple(args), f"act's own error: {exc}")
    if len(parsed.positional) > 1:
        return Direct(tuple(args), "act's own error: more than one event")
    info = [g for g in parsed.given if g.flag.rule == "info" and g.value == "true"]
    if info:
        return Direct(
            tuple(args), f"{info[0].shown}: act prints, runs nothing", info[0].flag.name == "help"
        )
    _refuse(parsed)
    for value in parsed.values("matrix"):
        if ":" not in value:
            return Direct(tuple(args), f"act's own error: --matrix {value}")
    return Translated(_request(parsed, cwd, mode, env), json_out=parsed.on("json"))


def _refuse(parsed: Parsed) -> None:
    for g in parsed.given:
        refused = g.flag.rule == "refused" and (g.flag.kind != "bool" or g.value == "true")
        if refused or (g.flag.refused_false and g.value == "false"):
            why = g.flag.note if refused else "pipedeck needs it on"
            raise BadInput(f"{g.shown}: refused by pipedeck ({why}); see `pipedeck act --help`")


def check_actrc(cwd: Path, environ: Mapping[str, str] | None = None) -> None:
    """act reads its ``.actrc`` files on every run, ``run workflow``'s too: a flag there that
    pipedeck refuses is refused, naming the file (one act cannot parse is act's to report)."""
    rc_args, rc_sources = actrc_args(cwd, os.environ if environ is None else environ)
    try:
        parsed = parse(rc_args, rc_sources)
    except ActArgError:
        return
    _refuse(parsed)


def _request(
    parsed: Parsed, cwd: Path, mode: RunnerMode, env: Mapping[str, str]
) -> WorkflowRequest:
    project = _resolve(cwd, parsed.last("directory", ".") or ".")
    if not project.is_dir():
        raise BadInput(f"-C {parsed.last('directory')}: no such folder")
    where = _resolve(project, parsed.last("workflows", DEFAULT_WORKFLOWS) or DEFAULT_WORKFLOWS)
    if not where.exists():
        raise BadInput(f"-W {parsed.last('workflows', DEFAULT_WORKFLOWS)}: no such file or folder")
    found = discovery.resolve(
        project, str(where), lenient=True, recurse=not parsed.on("no-recurse"), skim=True
    )
    folder = where.resolve() if where.is_dir() else None
    event = (
        parsed.positional[0] if parsed.positional else act_event(found, parsed.on("detect-event"))
    )
    platforms: list[tuple[str, str]] = []
    passed: list[str] = []
    for g in parsed.given:
        if g.flag.name == "platform" and g.value.count("=") == 1:
            label, _, image = g.value.partition("=")
            platforms.append((label, image))
        elif g.flag.name not in FOLDED:
            passed += g.tokens
    return WorkflowRequest(
        project=project,
        workflow=found[0],
        others=tuple(found[1:]),
        folder=folder,
        event=event,
        job=parsed.last("job"),
        matrix=tuple(_pair(v, ":") for v in parsed.values("matrix")),
        platforms=tuple(platforms),
        secrets=tuple(_secret(v, env) for v in parsed.values("secret")),
        variables=tuple(_variable(v, env) for v in parsed.values("var")),
        secret_file=_file(project, parsed, "secret-file"),
        var_file=_file(project, parsed, "var-file"),
        env_file=_file(project, parsed, "env-file"),
        payload=_file(project, parsed, "eventpath", "-e"),
        inputs=dict(_pair(v, "=") for v in parsed.values("input")),
        env=dict(_pair(v, "=") for v in parsed.values("env")),
        local_repositories=tuple(parsed.values("local-repository")),
        mode=mode,
        dry_run=parsed.on("dryrun"),
        container_options=parsed.last("container-options", "") or "",
        act_args=tuple(passed),
        act_cwd=cwd,
        as_act=True,
    )


def act_event(workflows: Sequence[Workflow], detect: bool) -> str:
    """The event act picks when none is named: the only one the workflows have, else (with
    ``--detect-event``) the first of them in act's order, else ``push``."""
    events: list[str] = []
    for workflow in workflows:  # act's GetEvents: a workflow sharing an event adds none
        if not any(e in events for e in workflow.events):
            events += workflow.events
    events.sort()
    if len(events) == 1 and events[0]:
        return events[0]
    if detect and events and events[0]:
        return events[0]
    return "push"


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _file(project: Path, parsed: Parsed, name: str, shown: str = "") -> Path | None:
    value = parsed.last(name)
    if value is None:
        return None
    path = _resolve(project, value)  # act resolves it in the project (-C), not here
    if not path.is_file():
        raise BadInput(f"{shown or '--' + name} {value}: no such file (in {project})")
    return path.resolve()


def _pair(value: str, sep: str) -> tuple[str, str]:
    key, _, rest = value.partition(sep)
    return key, rest


def _secret(value: str, env: Mapping[str, str]) -> tuple[str, str]:
    """act's ``-s NAME[=VALUE]``: without a value, from the environment (act would prompt;
    pipedeck never does)."""
    name, found, given = value.partition("=")
    if found:
        return name, given
    if env.get(name.upper()):
        return name, env[name.upper()]
    raise BadInput(f"-s {name}: set {name.upper()} in the environment or give -s {name}=VALUE")


def _variable(value: str, env: Mapping[str, str]) -> str:
    name, found, _ = value.partition("=")
    if found or env.get(name.upper()):
        return value
    raise BadInput(
        f"--var {name}: set {name.upper()} in the environment or give --var {name}=VALUE"
    )
