"""``prepush --pull-request [BASE]``: the pull request the current branch would be, as GitHub
compares it: a three-dot diff (the branch against its merge base with BASE)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import BadInput
from tui.core.prepush.filters import PullRequestFacts
from tui.core.prepush.git import Git
from tui.core.prepush.push import Commit, commits_of, current_branch, remote_of
from tui.core.prepush.repo import default_branch


@dataclass(frozen=True)
class PullRequest:
    base: str  # the base branch's name
    base_sha: str
    head_ref: str  # the current branch's name
    head_sha: str
    merge_base: str
    remote: str
    files: tuple[str, ...]
    head: Commit | None
    commit_count: int
    action: str  # opened (the branch is not on the remote yet) or synchronize

    def facts(self) -> PullRequestFacts:
        return PullRequestFacts(
            base=self.base,
            files=self.files,
            head_message=self.head.message if self.head is not None else "",
            action=self.action,
        )


def pending_pull_request(project: Path, base: str | None = None) -> PullRequest:
    """The current branch as a pull request into ``base`` (default: the default branch):
    the base is the remote's branch where git tracks it, else the local one."""
    git = Git(project)
    git.top()
    branch = current_branch(git)
    remote = remote_of(git, branch)
    base = base or default_branch(git, remote)
    if base == branch:
        raise BadInput(
            f"--pull-request {base}: that is the branch you are on; name the branch the pull"
            " request goes into (or check out its head branch)"
        )
    base_sha = ""
    for ref in ([f"refs/remotes/{remote}/{base}"] if remote else []) + [f"refs/heads/{base}"]:
        base_sha = git.line("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if base_sha:
            break
    if not base_sha:
        raise BadInput(f"--pull-request {base}: no such branch (here or on {remote or 'a remote'})")
    head_sha = git.sha("HEAD")
    merge_base = git.line("merge-base", base_sha, head_sha)
    if not merge_base:
        raise BadInput(f"--pull-request {base}: {branch} has no history in common with it")
    out = git.run(
        "diff", "--name-only", "-z", "--no-renames", "--no-relative", merge_base, head_sha
    )
    pushed = bool(
        git.line("rev-parse", "--verify", "--quiet", "@{upstream}")
        or (
            remote
            and git.line("rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}")
        )
    )
    head = commits_of(git, ["-1", head_sha], no_walk=True)
    return PullRequest(
        base=base,
        base_sha=base_sha,
        head_ref=branch,
        head_sha=head_sha,
        merge_base=merge_base,
        remote=remote,
        files=tuple(p for p in out.split("\0") if p),
        head=head[0] if head else None,
        commit_count=int(git.line("rev-list", "--count", f"{merge_base}..{head_sha}") or 0),
        action="synchronize" if pushed else "opened",
    )
