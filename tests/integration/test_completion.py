"""Shell completion: `pipedeck --show-completion bash` prints the script, and the completion
it calls completes commands and subcommands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PIPEDECK = Path(sys.executable).parent / "pipedeck"  # the name a shell completes (its env var)


def complete(words: str) -> list[str]:
    env = {
        **os.environ,
        "_PIPEDECK_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    done = subprocess.run([PIPEDECK], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_bash_script_and_what_it_completes() -> None:
    done = subprocess.run(
        [PIPEDECK, "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "complete " in done.stdout and "_PIPEDECK_COMPLETE" in done.stdout
    assert set(complete("pipedeck ru")) == {"run", "runs"}
    assert complete("pipedeck run w") == ["workflow"]
    assert "--dry-run" in complete("pipedeck prepush --dry")
