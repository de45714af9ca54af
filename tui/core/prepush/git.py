"""Running git for ``prepush``: one call, its output as text, a failure as a one-line error."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tui.core.errors import BadInput, MissingPrerequisite

TIMEOUT = 60  # seconds: every call here is local (no fetch, no ls-remote)


class Git:
    """git in one folder (the project); ``run`` raises BadInput with git's own message."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def run(self, *args: str, check: bool = True, stdin: str | None = None) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.folder,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except FileNotFoundError:
            raise MissingPrerequisite("git not found: prepush needs git on PATH") from None
        except subprocess.TimeoutExpired:
            raise BadInput(f"git {args[0]} took over {TIMEOUT}s in {self.folder}") from None
        if check and done.returncode != 0:
            message = done.stderr.strip().splitlines()
            first = message[-1] if message else f"exit {done.returncode}"
            raise BadInput(f"git {' '.join(args[:2])}: {first.removeprefix('fatal: ')}")
        return done.stdout

    def ok(self, *args: str) -> bool:
        """Does the git command succeed (a question: ``merge-base --is-ancestor``)?"""
        try:
            done = subprocess.run(
                ["git", *args], cwd=self.folder, capture_output=True, timeout=TIMEOUT
            )
        except (FileNotFoundError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0

    def line(self, *args: str) -> str:
        """The first line of the output ('' when the command fails)."""
        out = self.run(*args, check=False)
        return out.splitlines()[0].strip() if out.strip() else ""

    def sha(self, rev: str) -> str:
        """``rev`` as the commit it names (BadInput when it names none)."""
        found = self.line("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if not found:
            raise BadInput(f"{rev}: no such commit in {self.folder}")
        return found

    def object_id(self, rev: str) -> str:
        """``rev`` as the object it names (a tag object stays one), '' when none."""
        return self.line("rev-parse", "--verify", "--quiet", rev)

    def has_commit(self, sha: str) -> bool:
        return self.ok("cat-file", "-e", f"{sha}^{{commit}}")

    def empty_tree(self) -> str:
        """The empty tree's id (a root commit's changes are diffed against it)."""
        return self.run("hash-object", "-t", "tree", "--stdin", stdin="").strip()

    def config(self, key: str) -> str:
        return self.line("config", "--get", key)

    def top(self) -> Path:
        found = self.line("rev-parse", "--show-toplevel")
        if not found:
            raise BadInput(f"{self.folder} is not in a git repository (prepush compares commits)")
        return Path(found)
