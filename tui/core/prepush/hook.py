"""``pipedeck hook install`` / ``uninstall``: a git ``pre-push`` hook that runs
``pipedeck prepush --git-hook-stdin`` on the refs git is pushing, and stops the push when a
workflow it triggers fails.

The hook goes where git looks for hooks (``git rev-parse --git-path hooks``: ``core.hooksPath``
when set, else ``.git/hooks``). It names pipedeck by an absolute path (the console script that
is running, else ``python -m tui`` with the running interpreter), so it works whatever PATH
git runs it with. A hook pipedeck did not write is never replaced nor removed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from tui.core.errors import BadInput
from tui.core.prepush.git import Git

MARKER = "# written by `pipedeck hook install`"
CHAIN = 'pipedeck prepush --git-hook-stdin --remote "$1"'


def hooks_dir(project: Path) -> Path:
    """Where git looks for hooks (``core.hooksPath`` respected): git answers relative to the
    folder it runs in."""
    git = Git(project)
    git.top()
    path = Path(git.run("rev-parse", "--git-path", "hooks").strip())
    return path if path.is_absolute() else (project / path).resolve()


def hook_path(project: Path) -> Path:
    return hooks_dir(project) / "pre-push"


def pipedeck_command(argv0: str | None = None) -> list[str]:
    """How the hook calls pipedeck: the running ``pipedeck`` console script, one beside this
    interpreter, else ``python -m tui`` with this interpreter."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name == "pipedeck" and os.access(argv0, os.X_OK):
        return [str(Path(argv0).resolve())]
    python = Path(sys.executable).absolute()  # not resolved: a venv's python is a symlink
    beside = shutil.which("pipedeck", path=str(python.parent))
    if beside:
        return [str(Path(beside).absolute())]
    return [str(python), "-m", "tui"]


def hook_script(command: Sequence[str]) -> str:
    call = " ".join(shlex.quote(part) for part in command)
    return (
        "#!/bin/sh\n"
        "# Skip this hook once with `git push --no-verify`.\n"
        f"{MARKER}; `pipedeck hook uninstall` removes it.\n"
        "# It runs the workflows GitHub would run for this push (pipedeck prepush, given the\n"
        "# refs git pushes on stdin) and stops the push when one of them fails.\n"
        f'exec {call} prepush --git-hook-stdin --remote "$1"\n'
    )


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(project: Path, command: Sequence[str]) -> tuple[Path, bool]:
    """Write the hook; returns its path and whether it replaced an older one of ours."""
    path = hook_path(project)
    existed = path.exists() or path.is_symlink()
    if existed and not is_ours(path):
        raise BadInput(
            f"{path} is a pre-push hook pipedeck did not write, so it is left alone; to chain"
            f" pipedeck, call `{CHAIN}` from it (passing on its stdin)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".pre-push.pipedeck")
    tmp.write_text(hook_script(command), encoding="utf-8")
    tmp.chmod(0o755)
    tmp.replace(path)
    return path, existed


def uninstall(project: Path) -> Path | None:
    """Remove the hook if pipedeck wrote it: its path, or None when there was none.
    BadInput when the hook there is someone else's."""
    path = hook_path(project)
    if not path.exists():
        return None
    if not is_ours(path):
        raise BadInput(f"{path} is a pre-push hook pipedeck did not write: it is left alone")
    path.unlink()
    return path
