"""The push about to be made, worked out with git: its ref, ``before`` and ``after``, the
commits GitHub receives, and the files its diff changes as GitHub computes it ("Git diff
comparisons": a two-dot diff for pushes).

- An existing branch (it has an upstream, or the remote already has it): ``before`` is the
  remote's tip (``@{upstream}``), and the files are ``git diff before after``.
- A new branch (``before`` all zeros): the commits are those the remote has none of
  (``after --not --remotes=<remote>``), and the diff is against the parent of the oldest of
  them, GitHub's "two-dot diff against the parent of the ancestor of the deepest commit
  pushed" (not the default branch's merge base: that is what a pull request compares). A root
  commit is diffed against the empty tree; no new commit at all is an empty diff.
- ``--since REF`` sets the base instead: ``before`` is REF, the commits ``REF..after``.
- A tag: no commits, its head commit the one it points at. A deletion (``after`` all zeros):
  nothing to diff; it runs no workflow.

From a ``pre-push`` hook the refs come from git (``<local ref> <local sha> <remote ref>
<remote sha>`` lines): the remote sha is ``before``, all zeros a new ref; a local sha of all
zeros is a deletion. Without it, the push is the current branch's (``refs/heads/<branch>``)
plus the tags named with ``--tag``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import BadInput
from tui.core.prepush.filters import PushFacts
from tui.core.prepush.git import Git

MAX_PAYLOAD_COMMITS = 2048  # GitHub's push payload lists at most this many commits
_FIELDS = "%H%x1f%T%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%B%x1f"


def is_zero(sha: str) -> bool:
    return not sha.strip("0")


@dataclass(frozen=True)
class Commit:
    id: str
    tree_id: str
    message: str
    timestamp: str  # ISO 8601, with the author's offset
    author: tuple[str, str]  # name, email
    committer: tuple[str, str]
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Push:
    """One ref update, as GitHub's push event sees it."""

    ref: str  # refs/heads/<branch>, refs/tags/<tag>
    before: str  # all zeros: the ref is new
    after: str  # all zeros: the ref is deleted
    remote: str = ""
    commits: tuple[Commit, ...] = ()
    commit_count: int = 0  # all of them (``commits`` holds at most MAX_PAYLOAD_COMMITS)
    files: tuple[str, ...] = ()  # the diff's changed files, in git's (path) order
    head: Commit | None = None
    base: str = ""  # what the files are diffed against
    note: str = ""  # how the base was chosen, for the user
    forced: bool = False

    @property
    def created(self) -> bool:
        return is_zero(self.before)

    @property
    def deleted(self) -> bool:
        return is_zero(self.after)

    @property
    def is_tag(self) -> bool:
        return self.ref.startswith("refs/tags/")

    @property
    def name(self) -> str:
        return self.ref.removeprefix("refs/heads/").removeprefix("refs/tags/")

    def facts(self) -> PushFacts:
        return PushFacts(
            ref=self.ref,
            files=self.files,
            head_message=self.head.message if self.head is not None else "",
            deleted=self.deleted,
            commit_count=self.commit_count,
        )


def current_branch(git: Git) -> str:
    branch = git.line("symbolic-ref", "--quiet", "--short", "HEAD")
    if not branch:
        raise BadInput("HEAD is detached: check out the branch you are about to push")
    return branch


def remote_of(git: Git, branch: str) -> str:
    """Where ``git push`` sends ``branch``: its push remote, its upstream's, the default."""
    for key in (f"branch.{branch}.pushRemote", "remote.pushDefault", f"branch.{branch}.remote"):
        found = git.config(key)
        if found and found != ".":
            return found
    remotes = git.run("remote").split()
    return "origin" if "origin" in remotes else (remotes[0] if remotes else "")


def pending_push(
    project: Path, *, since: str | None = None, tags: Sequence[str] = ()
) -> list[Push]:
    """The current branch's push (and the tags named), as ``git push`` would make it now;
    empty when the branch has nothing its upstream lacks."""
    git = Git(project)
    git.top()
    branch = current_branch(git)
    remote = remote_of(git, branch)
    after = git.sha("HEAD")
    zero = "0" * len(after)
    upstream = git.line("rev-parse", "--verify", "--quiet", "@{upstream}")
    tracked = git.line("rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}")
    before = upstream or tracked or zero
    pushes: list[Push] = []
    if since is not None or before != after:
        push = build_push(git, f"refs/heads/{branch}", before, after, remote, since=since)
        if since is not None or push.created or push.commit_count:  # else: behind, or even
            pushes.append(push)
    for tag in tags:
        sha = git.object_id(f"refs/tags/{tag}")
        if not sha:
            raise BadInput(f"--tag {tag}: no such tag")
        pushes.append(build_push(git, f"refs/tags/{tag}", zero, sha, remote))
    return pushes


def parse_hook_lines(lines: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """git's ``pre-push`` stdin: ``<local ref> <local sha> <remote ref> <remote sha>``."""
    out = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise BadInput(f"--git-hook-stdin: expected 4 fields, got {line.strip()!r}")
        out.append((parts[0], parts[1], parts[2], parts[3]))
    return out


def hook_pushes(project: Path, lines: Iterable[str], remote: str = "") -> list[Push]:
    """The ref updates git is about to push (a ``pre-push`` hook's stdin)."""
    git = Git(project)
    git.top()
    pushes = []
    for _local_ref, local_sha, remote_ref, remote_sha in parse_hook_lines(lines):
        if is_zero(local_sha):
            pushes.append(Push(ref=remote_ref, before=remote_sha, after=local_sha, remote=remote))
            continue
        pushes.append(build_push(git, remote_ref, remote_sha, local_sha, remote))
    return pushes


def build_push(
    git: Git, ref: str, before: str, after: str, remote: str, *, since: str | None = None
) -> Push:
    """The push of ``after`` to ``ref`` over ``before`` (all zeros: a new ref)."""
    head_sha = git.sha(after)
    if ref.startswith("refs/tags/") and since is None:
        tagged = commits_of(git, ["-1", head_sha], no_walk=True)
        return Push(ref, before, after, remote, head=tagged[0] if tagged else None)
    forced = False
    if since is not None:
        base = git.sha(since)
        before = base
        walk = [f"{base}..{head_sha}"]
        note = f"--since {since}: diffed against {base[:12]}"
    elif not is_zero(before) and git.has_commit(before):
        base = before
        walk = [f"{before}..{head_sha}"]
        forced = not git.ok("merge-base", "--is-ancestor", before, head_sha)
        note = f"diffed against the remote's {before[:12]}" + (" (a forced push)" if forced else "")
    else:
        walk = [head_sha, *_not_on(git, remote)]
        base, note = _new_ref_base(git, walk, head_sha)
        if not is_zero(before):  # the remote has a tip we do not: the push replaces it
            forced = True
            note = f"the remote's {before[:12]} is not here (git fetch); {note}"
    count = int(git.line("rev-list", "--count", *walk) or 0)
    commits = commits_of(git, [f"--max-count={MAX_PAYLOAD_COMMITS}", *walk])
    files = _changed(git, base, head_sha)
    head = commits[-1] if commits and commits[-1].id == head_sha else None
    if head is None:
        found = commits_of(git, ["-1", head_sha], no_walk=True)
        head = found[0] if found else None
    return Push(
        ref,
        before,
        after,
        remote,
        commits=tuple(commits),
        commit_count=count,
        files=tuple(files),
        head=head,
        base=base,
        note=note,
        forced=forced,
    )


def _not_on(git: Git, remote: str) -> list[str]:
    """rev-list arguments leaving out what the remote already has (its tracking refs)."""
    if remote and git.run("for-each-ref", "--count=1", f"refs/remotes/{remote}/").strip():
        return ["--not", f"--remotes={remote}"]
    return []


def _new_ref_base(git: Git, walk: list[str], head_sha: str) -> tuple[str, str]:
    """A new branch's diff base: the parent of the oldest commit pushed."""
    oldest = git.line("rev-list", "--topo-order", "--reverse", *walk)
    if not oldest:
        return head_sha, "a new branch with no new commit: nothing changed"
    parent = git.line("rev-parse", "--verify", "--quiet", f"{oldest}^1")
    if not parent:
        return git.empty_tree(), f"a new branch from the root commit {oldest[:12]}: every file"
    return parent, (
        f"a new branch: diffed against {parent[:12]}, the parent of the oldest commit pushed"
    )


def _changed(git: Git, base: str, head: str) -> list[str]:
    out = git.run(
        "diff", "--name-only", "-z", "--no-renames", "--no-relative", "--no-ext-diff", base, head
    )
    return [path for path in out.split("\0") if path]


def commits_of(git: Git, args: list[str], *, no_walk: bool = False) -> list[Commit]:
    """The commits ``args`` selects, oldest first, with the files each adds, removes and
    modifies (a merge against its first parent)."""
    extra = ["--no-walk"] if no_walk else ["--reverse", "--topo-order"]
    out = git.run(
        "log",
        "-z",
        *extra,
        "--no-renames",
        "--diff-merges=first-parent",
        "--name-status",
        f"--format=%x1e{_FIELDS}",
        *args,
    )
    commits = []
    for record in out.split("\x1e")[1:]:
        fields = record.split("\x1f")
        if len(fields) < 9:
            continue
        sha, tree, an, ae, when, cn, ce, message, rest = fields[:9]
        changes: dict[str, list[str]] = {"A": [], "D": [], "M": []}
        parts = rest.strip("\0\n").split("\0")
        for status, path in zip(parts[0::2], parts[1::2], strict=False):
            changes.get(status.strip()[:1], changes["M"]).append(path)
        commits.append(
            Commit(
                id=sha.strip(),
                tree_id=tree,
                message=message.rstrip("\n"),
                timestamp=when,
                author=(an, ae),
                committer=(cn, ce),
                added=tuple(changes["A"]),
                removed=tuple(changes["D"]),
                modified=tuple(changes["M"]),
            )
        )
    return commits
