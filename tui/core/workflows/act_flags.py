"""act's command line as act reads it: its flags (``act --help``, act 0.2.89), how pipedeck
handles each when it runs an act command line (``pipedeck act``), a parser with act's rules
(cobra/pflag: ``--name=value``, ``--name value``, ``-x value``, ``-xvalue``, ``-abc``, ``--``),
and the ``.actrc`` files act reads before its own arguments.

Every flag has exactly one rule:

- ``unchanged``: it reaches act as the user gave it;
- ``merged``: pipedeck combines it with its own (the user's wins where the two meet);
- ``info``: act prints something and runs nothing: pipedeck runs act directly, records nothing;
- ``refused``: it defeats a guarantee of pipedeck's (exit 2, naming it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tui.core.workflows.actrc import actrc_files

Kind = Literal["bool", "string", "stringArray", "int", "uint16"]
Rule = Literal["unchanged", "merged", "info", "refused"]
RULES: tuple[Rule, ...] = ("unchanged", "merged", "info", "refused")


@dataclass(frozen=True)
class Flag:
    name: str
    short: str
    kind: Kind
    rule: Rule
    note: str = ""
    # "merged" bools pipedeck needs on (--json, -v, --rm): set false, they are refused
    refused_false: bool = False


def _f(name: str, short: str, kind: Kind, rule: Rule, note: str = "", **kw: bool) -> Flag:
    return Flag(name, short, kind, rule, note, **kw)


FLAGS: tuple[Flag, ...] = (
    # what pipedeck reads to plan, mask and record the run, and hands on to act
    _f("workflows", "W", "string", "unchanged", "the workflow file or folder"),
    _f("no-recurse", "", "bool", "unchanged"),
    _f("job", "j", "string", "unchanged"),
    _f("matrix", "", "stringArray", "unchanged"),
    _f("eventpath", "e", "string", "unchanged"),
    _f("input", "", "stringArray", "unchanged"),
    _f("input-file", "", "string", "unchanged"),
    _f("var", "", "stringArray", "unchanged"),
    _f("var-file", "", "string", "unchanged"),
    _f("local-repository", "", "stringArray", "unchanged"),
    _f("dryrun", "n", "bool", "unchanged"),
    _f("detect-event", "", "bool", "unchanged"),
    _f("directory", "C", "string", "unchanged", "the project"),
    _f("platform", "P", "stringArray", "merged", "yours win over pipedeck's runner-mode ones"),
    _f("secret", "s", "stringArray", "merged", "into the run's private secret file (masked)"),
    _f("secret-file", "", "string", "merged", "copied to the run's private secret file"),
    _f("env", "", "stringArray", "merged", "into the run's private env file"),
    _f("env-file", "", "string", "merged", "into the run's private env file"),
    _f("container-options", "", "string", "merged", "yours, then pipedeck's run label"),
    _f(
        "json",
        "",
        "bool",
        "merged",
        "always on; yours: pipedeck prints its events as JSON",
        refused_false=True,
    ),
    _f(
        "verbose",
        "v",
        "bool",
        "merged",
        "always on (act reports skipped steps)",
        refused_false=True,
    ),
    _f(
        "rm",
        "",
        "bool",
        "merged",
        "on in docker mode (no container left behind)",
        refused_false=True,
    ),
    _f("artifact-server-addr", "", "string", "merged", "yours replace pipedeck's"),
    _f("artifact-server-port", "", "string", "merged", "yours replace pipedeck's"),
    _f("cache-server-addr", "", "string", "merged", "yours replace pipedeck's"),
    _f("container-daemon-socket", "", "string", "merged", "yours replace pipedeck's"),
    _f("pull", "p", "bool", "merged", "off in docker mode (the runner image is local); yours win"),
    # what reaches act as given
    _f("actor", "a", "string", "unchanged"),
    _f("bind", "b", "bool", "unchanged"),
    _f("action-offline-mode", "", "bool", "unchanged"),
    _f("cache-server-external-url", "", "string", "unchanged"),
    _f("cache-server-path", "", "string", "unchanged"),
    _f("cache-server-port", "", "uint16", "unchanged"),
    _f("concurrent-jobs", "", "int", "unchanged"),
    _f("container-architecture", "", "string", "unchanged"),
    _f("container-cap-add", "", "stringArray", "unchanged"),
    _f("container-cap-drop", "", "stringArray", "unchanged"),
    _f("defaultbranch", "", "string", "unchanged"),
    _f("github-instance", "", "string", "unchanged"),
    _f("log-prefix-job-id", "", "bool", "unchanged"),
    _f("network", "", "string", "unchanged"),
    _f("no-cache-server", "", "bool", "unchanged"),
    _f("no-skip-checkout", "", "bool", "unchanged"),
    _f("privileged", "", "bool", "unchanged"),
    _f("rebuild", "", "bool", "unchanged"),
    _f("remote-name", "", "string", "unchanged"),
    _f("replace-ghe-action-token-with-github-com", "", "string", "unchanged"),
    _f("replace-ghe-action-with-github-com", "", "stringArray", "unchanged"),
    _f("strict", "", "bool", "unchanged"),
    _f("use-gitignore", "", "bool", "unchanged"),
    _f("use-new-action-cache", "", "bool", "unchanged"),
    _f("userns", "", "string", "unchanged"),
    # act prints something and runs nothing
    _f("help", "h", "bool", "info", "pipedeck's rules first"),
    _f("version", "", "bool", "info"),
    _f("list", "l", "bool", "info"),
    _f("graph", "g", "bool", "info"),
    _f("validate", "", "bool", "info"),
    _f("bug-report", "", "bool", "info"),
    _f("man-page", "", "bool", "info"),
    _f("list-options", "", "bool", "info"),
    # what would break a guarantee of pipedeck's
    _f("quiet", "q", "bool", "refused", "it hides the steps' output pipedeck shows and stores"),
    _f("watch", "w", "bool", "refused", "it re-runs forever: one command is one recorded run"),
    _f("reuse", "r", "bool", "refused", "it leaves containers behind"),
    _f("insecure-secrets", "", "bool", "refused", "it prints secrets in clear"),
    _f(
        "action-cache-path",
        "",
        "string",
        "refused",
        "it puts step scripts outside the run's private folder",
    ),
    _f(
        "artifact-server-path",
        "",
        "string",
        "refused",
        "a run's artifacts are kept with the run (pipedeck show RUN)",
    ),
)
BY_NAME = {f.name: f for f in FLAGS}
BY_SHORT = {f.short: f for f in FLAGS if f.short}
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


@dataclass(frozen=True)
class Given:
    """One flag as given: its value (bools: "true"/"false"), the tokens to restate it, and
    where it came from (the command line, or an ``.actrc`` file)."""

    flag: Flag
    value: str
    tokens: tuple[str, ...]
    source: str = "the command line"

    @property
    def shown(self) -> str:
        where = "" if self.source == "the command line" else f" (in {self.source})"
        return f"{' '.join(self.tokens)}{where}"


@dataclass(frozen=True)
class Parsed:
    given: tuple[Given, ...]
    positional: tuple[str, ...]

    def values(self, name: str) -> list[str]:
        return [g.value for g in self.given if g.flag.name == name]

    def last(self, name: str, default: str | None = None) -> str | None:
        found = self.values(name)
        return found[-1] if found else default

    def on(self, name: str) -> bool:
        return self.last(name) == "true"


class ActArgError(Exception):
    """What act itself would reject (its own error is the answer: run act and show it)."""


def parse(args: Sequence[str], sources: Sequence[str] | None = None) -> Parsed:
    """``args`` as pflag reads them; ``sources[i]`` names where ``args[i]`` came from."""
    given: list[Given] = []
    positional: list[str] = []
    i = 0
    where = list(sources) if sources is not None else ["the command line"] * len(args)

    def take(flag: Flag, inline: str | None, shown: tuple[str, ...]) -> None:
        nonlocal i
        source = where[i]
        if flag.kind == "bool":
            value = "true" if inline is None else inline
            if value not in _TRUE | _FALSE:
                raise ActArgError(f"invalid argument {value!r} for {shown[0]}")
            given.append(Given(flag, "true" if value in _TRUE else "false", shown, source))
            return
        if inline is None:
            if i + 1 >= len(args):
                raise ActArgError(f"flag needs an argument: {shown[0]}")
            i += 1
            inline = args[i]
            shown = (*shown, inline)
        given.append(Given(flag, inline, shown, source))

    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional += args[i + 1 :]
            break
        if arg.startswith("--"):
            name, eq, inline = arg[2:].partition("=")
            flag = BY_NAME.get(name)
            if flag is None:
                raise ActArgError(f"unknown flag: --{name}")
            take(flag, inline if eq else None, (arg,))
        elif arg.startswith("-") and arg != "-":
            shorts = arg[1:]
            j = 0
            while j < len(shorts):
                flag = BY_SHORT.get(shorts[j])
                if flag is None:
                    raise ActArgError(f"unknown shorthand flag: {shorts[j]!r} in {arg}")
                rest = shorts[j + 1 :]
                if rest.startswith("="):
                    take(flag, rest[1:], (arg,))
                    break
                if flag.kind != "bool" and rest:
                    take(flag, rest, (arg,))
                    break
                take(flag, None, (arg,) if len(shorts) == 1 else (f"-{shorts[j]}",))
                j += 1
        else:
            positional.append(arg)
        i += 1
    return Parsed(tuple(given), tuple(positional))


# -- .actrc -------------------------------------------------------------------------------


def read_actrc(path: Path, environ: Mapping[str, str] | None = None) -> list[str]:
    """The arguments act takes from one ``.actrc``: each line trimmed, ``$VAR`` expanded as
    Go's ``os.ExpandEnv`` does, and a line that starts with ``-`` split at its first blank
    (a line that does not is ignored)."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return []
    env = os.environ if environ is None else environ
    out: list[str] = []
    for raw in re.split(r"\r?\n", text):
        line = expand_env(raw.strip(), env)
        if line.startswith("-"):
            out += re.split(r"\s", line, maxsplit=1)
    return out


def actrc_args(cwd: Path, environ: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """Every ``.actrc`` argument act will read (before the command line's), and for each the
    file it came from."""
    args: list[str] = []
    sources: list[str] = []
    for path in actrc_files(cwd, environ):
        found = read_actrc(path, environ)
        args += found
        sources += [str(path)] * len(found)
    return args, sources


def expand_env(text: str, environ: Mapping[str, str]) -> str:
    """Go's ``os.ExpandEnv``: ``$NAME`` and ``${NAME}`` (unset: empty), the shell's special
    one-character names, a lone ``$`` kept, bad ``${`` syntax eaten."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "$" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        name, width = _shell_name(text[i + 1 :])
        if name == "" and width > 0:
            pass  # invalid syntax: eaten
        elif name == "":
            out.append("$")
        else:
            out.append(environ.get(name, ""))
        i += 1 + width
    return "".join(out)


def _special(ch: str) -> bool:
    return ch in "*#$@!?-" or (ch.isdigit() and ch.isascii())


def _alnum(ch: str) -> bool:
    return ch == "_" or (ch.isascii() and ch.isalnum())


def _shell_name(s: str) -> tuple[str, int]:
    if s[0] == "{":
        if len(s) > 2 and _special(s[1]) and s[2] == "}":
            return s[1], 3
        for j in range(1, len(s)):
            if s[j] == "}":
                return ("", 2) if j == 1 else (s[1:j], j + 1)
        return "", 1
    if _special(s[0]):
        return s[0], 1
    j = 0
    while j < len(s) and _alnum(s[j]):
        j += 1
    return s[:j], j


# -- act --help -----------------------------------------------------------------------------

_HELP_LINE = re.compile(
    r"^\s+(?:-(?P<short>\w), )?--(?P<name>[\w-]+)(?: (?P<type>stringArray|string|int|uint16))?\s"
)


def help_flags(help_text: str) -> dict[str, tuple[str, Kind]]:
    """The flags ``act --help`` lists: name -> (shorthand, kind)."""
    out: dict[str, tuple[str, Kind]] = {}
    for line in help_text.splitlines():
        match = _HELP_LINE.match(line + " ")
        if match:
            kind = match.group("type") or "bool"
            out[match.group("name")] = (match.group("short") or "", kind)  # type: ignore[assignment]
    return out


def rules_text(flags: Iterable[Flag] = FLAGS) -> str:
    """The rules, for ``pipedeck act --help``."""
    titles = {
        "unchanged": "reach act as you give them",
        "merged": "merged with pipedeck's own",
        "info": "act prints something, runs nothing: act runs directly, nothing is recorded",
        "refused": "refused (exit 2): they break a guarantee of pipedeck's",
    }
    lines: list[str] = []
    flags = list(flags)
    for rule in RULES:
        lines.append(f"{titles[rule]}:")
        for flag in (f for f in flags if f.rule == rule):
            short = f"-{flag.short}, " if flag.short else "    "
            note = f"  {flag.note}" if flag.note else ""
            if flag.refused_false:
                note += "; =false is refused"
            lines.append(f"  {short}--{flag.name}{note}")
        lines.append("")
    return "\n".join(lines)
