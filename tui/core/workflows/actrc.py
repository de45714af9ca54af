"""Where act reads its ``.actrc`` files (the flags table, ``act_flags.py``, reads them: a
run looks here first, so that it loads the table only when there is one)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def actrc_files(cwd: Path, environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where act looks, in its order: the XDG config file, ``~/.actrc``, ``./.actrc``."""
    env = os.environ if environ is None else environ
    home = Path(env.get("HOME") or Path.home())
    config = env.get("XDG_CONFIG_HOME") or ""
    xdg = (Path(config) if config else home / ".config") / "act" / "actrc"
    return [xdg, home / ".actrc", cwd / ".actrc"]
