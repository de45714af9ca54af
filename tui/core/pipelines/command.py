"""The command line of a KFP lightweight Python component, taken apart.

KFP compiles ``packages_to_install`` into a shell prefix of the component's command::

    sh -c '<ensure pip>; python3 -m pip install ... 'kfp==X' --no-deps && python3 -m pip
    install ... 'pandas' && "$0" "$@"' sh -ec 'program_path=$(mktemp -d) ...' <source> ...

``pip_requirements`` reads the packages (and index options) from that prefix, so the cached
component environment can hold them; ``without_pip_prefix`` drops the prefix when the
environment already holds them. Standard library only: the driver imports this module.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

# pip options that take a value, which we keep (index options) or skip.
_KEEP_WITH_VALUE = ("--index-url", "-i", "--extra-index-url", "--trusted-host", "--find-links")
_SKIP_WITH_VALUE = ("--target", "-t", "--prefix", "--root", "-c", "--constraint", "--python")
_RUN_REST = '"$0" "$@"'


@dataclass(frozen=True)
class PipRequirements:
    packages: tuple[str, ...] = ()
    options: tuple[str, ...] = ()  # index options, as pip arguments


def _prefix_script(command: Sequence[str]) -> str | None:
    """The ``sh -c`` install script, when ``command`` has KFP's install prefix."""
    if len(command) < 4 or list(command[:2]) != ["sh", "-c"]:
        return None
    script = command[2]
    if "pip install" not in script or not script.rstrip().endswith(_RUN_REST):
        return None
    return script


def without_pip_prefix(command: Sequence[str]) -> list[str] | None:
    """The command with KFP's ``pip install`` prefix removed, or None if it has none."""
    if _prefix_script(command) is None:
        return None
    # ``"$0" "$@"`` runs the rest of the argv: command[3] is $0, the others are $@.
    return list(command[3:])


def pip_requirements(command: Sequence[str]) -> PipRequirements:
    """Packages the prefix installs, kfp itself excluded (the environment pins it)."""
    script = _prefix_script(command)
    if script is None:
        return PipRequirements()
    packages: list[str] = []
    options: list[str] = []
    for segment in script.split("&&"):
        try:
            words = shlex.split(segment, posix=True)
        except ValueError:
            continue
        starts = [i + 2 for i in range(len(words) - 1) if words[i : i + 2] == ["pip", "install"]]
        if not starts:
            continue
        args = words[starts[-1] :]
        i = 0
        while i < len(args):
            arg = args[i]
            name, eq, _ = arg.partition("=")
            if name in _KEEP_WITH_VALUE:
                value = args[i + 1] if not eq and i + 1 < len(args) else ""
                options.extend([arg, value] if value else [arg])
                i += 1 if eq else 2
                continue
            if name in _SKIP_WITH_VALUE:
                i += 1 if eq else 2
                continue
            if not arg.startswith("-") and not _is_kfp(arg):
                packages.append(arg)
            i += 1
    return PipRequirements(tuple(packages), tuple(options))


def _is_kfp(requirement: str) -> bool:
    name = requirement.split(";")[0].strip()
    for sep in ("==", ">=", "<=", "~=", "!=", "<", ">", "[", "@", " "):
        name = name.split(sep)[0]
    return name.strip().lower() == "kfp"
