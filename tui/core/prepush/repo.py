"""What a payload says of the repository, and its default branch, from git alone (no network:
the remote's URL and its tracking refs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.core.prepush.git import Git

_OWNER_NAME = re.compile(r"[:/]([^/:]+)/([^/:]+?)(?:\.git)?/*$")


@dataclass(frozen=True)
class Repository:
    owner: str
    name: str
    url: str  # the remote's URL as git has it ('' when there is no remote)
    default_branch: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


def default_branch(git: Git, remote: str) -> str:
    """The remote's default branch: its ``HEAD`` as git last saw it, else the first of
    ``init.defaultBranch``, ``main``, ``master`` the remote (or this repository) has."""
    if remote:
        head = git.line("symbolic-ref", "--quiet", "--short", f"refs/remotes/{remote}/HEAD")
        if head.startswith(f"{remote}/"):
            return head.removeprefix(f"{remote}/")
    candidates = [b for b in (git.config("init.defaultBranch"), "main", "master") if b]
    for prefix in ([f"refs/remotes/{remote}/"] if remote else []) + ["refs/heads/"]:
        for branch in candidates:
            if git.ok("show-ref", "--verify", "--quiet", f"{prefix}{branch}"):
                return branch
    return candidates[0]


def repository(git: Git, remote: str) -> Repository:
    url = git.line("remote", "get-url", remote) if remote else ""
    found = _OWNER_NAME.search(url.rstrip("/"))
    if found:
        owner, name = found.group(1), found.group(2)
    else:
        top = git.top()
        owner, name = top.parent.name or "local", top.name
    return Repository(owner, name, url, default_branch(git, remote))
