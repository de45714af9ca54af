"""Would GitHub run a workflow for this push (``on.push``) or pull request
(``on.pull_request``)? Pure: a workflow's ``on:`` value and the facts of the event in, a
:class:`Decision` (triggered, and why) out.

The rules, from GitHub's workflow syntax reference ("Filter pattern cheat sheet", "Git diff
comparisons"):

- ``on: push``, ``on: [push, …]`` and ``on: {push: …}`` all listen to pushes; ``push:`` with
  nothing under it has no filters.
- ``branches`` / ``tags`` select the ref by name, ``branches-ignore`` / ``tags-ignore``
  exclude it; patterns are read in order and the last match decides (``patterns.py``). A key
  and its ``-ignore`` together is an error: GitHub refuses the workflow (it never runs).
- A workflow that names only branch filters does not run for tag pushes, and one that names
  only tag filters not for branch pushes.
- ``paths`` runs the workflow when at least one changed file is selected; ``paths-ignore``
  when at least one is not ignored. No changed file: it does not run. Path filters are not
  evaluated for tag pushes. Only the first ``DIFF_FILE_LIMIT`` files of the diff are looked
  at (a match further down does not count: the workflow does not run); a push of more than
  ``COMMIT_LIMIT`` commits runs it whatever its path filters say.
- A head commit whose message holds one of ``SKIP_MARKERS`` runs no push (or pull request)
  workflow; deleting a branch or a tag runs none.
- ``pull_request``: ``types`` (default ``opened``, ``synchronize``, ``reopened``) must hold the
  action, ``branches`` / ``branches-ignore`` are matched against the base branch, ``paths``
  against the pull request's diff.

The reason names the first filter that decided and the name or path that decided it
(``paths: src/** matched src/app.py``, ``branches-ignore: docs/* matched docs/x``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.prepush.patterns import BadPattern, Pattern, compile_patterns, deciding

SKIP_MARKERS = ("[skip ci]", "[ci skip]", "[no ci]", "[skip actions]", "[actions skip]")
DIFF_FILE_LIMIT = 300
COMMIT_LIMIT = 1000
DEFAULT_PR_TYPES = ("opened", "synchronize", "reopened")
BRANCH_KEYS = ("branches", "branches-ignore")
TAG_KEYS = ("tags", "tags-ignore")
PATH_KEYS = ("paths", "paths-ignore")
SHOWN_FILES = 3  # changed files a "none matched" reason names


@dataclass(frozen=True)
class Decision:
    triggered: bool
    reason: str


@dataclass(frozen=True)
class PushFacts:
    """What the filters look at in a push: its ref (``refs/heads/…``, ``refs/tags/…``), the
    files its diff changes, in the diff's order, the head commit's message."""

    ref: str
    files: Sequence[str] = ()
    head_message: str = ""
    deleted: bool = False
    commit_count: int = 0


@dataclass(frozen=True)
class PullRequestFacts:
    base: str  # the base branch's name
    files: Sequence[str] = ()  # the pull request's diff (against the merge base)
    head_message: str = ""
    action: str = "synchronize"


class _Refused(Exception):
    """The workflow's filters are invalid: GitHub does not run it."""


def listens(on: Any, event: str) -> tuple[bool, Mapping[str, Any]]:
    """Does ``on:`` name ``event``, and its settings (empty when it has none)."""
    if isinstance(on, str):
        return on == event, {}
    if isinstance(on, list):
        return event in on, {}
    if isinstance(on, Mapping) and event in on:
        config = on[event]
        if config is None:
            return True, {}
        if not isinstance(config, Mapping):
            raise _Refused(f"on.{event} must be a mapping, not {type(config).__name__}")
        return True, config
    return False, {}


def skip_marker(message: str) -> str:
    """The first of ``SKIP_MARKERS`` ``message`` holds ('' when none)."""
    return next((marker for marker in SKIP_MARKERS if marker in message), "")


def decide_push(on: Any, facts: PushFacts) -> Decision:
    """Would a push with ``facts`` run a workflow whose ``on:`` is ``on``?"""
    try:
        return _decide_push(on, facts)
    except _Refused as exc:
        return Decision(False, f"error: {exc} (GitHub does not run this workflow)")


def _decide_push(on: Any, facts: PushFacts) -> Decision:
    kind = "tag" if facts.ref.startswith("refs/tags/") else "branch"
    if facts.deleted:
        return Decision(False, f"a {kind} deletion runs no workflow")
    found, config = listens(on, "push")
    if not found:
        return Decision(False, "no on.push")
    marker = skip_marker(facts.head_message)
    if marker:
        return Decision(False, f"{marker} in the head commit's message")
    _check_pairs(config, "push", (BRANCH_KEYS, TAG_KEYS, PATH_KEYS))
    has_branch = any(key in config for key in BRANCH_KEYS)
    has_tag = any(key in config for key in TAG_KEYS)
    reasons: list[str] = []
    if facts.ref.startswith("refs/heads/"):
        name = facts.ref.removeprefix("refs/heads/")
        if has_tag and not has_branch:
            keys = _named(config, TAG_KEYS)
            return Decision(False, f"only tag filters ({keys}): a branch push does not run it")
        if has_branch:
            decided = _ref_filter(config, BRANCH_KEYS, name, reasons)
            if decided is not None:
                return decided
        decided = _path_filter(config, facts.files, facts.commit_count, reasons)
        if decided is not None:
            return decided
    elif facts.ref.startswith("refs/tags/"):
        name = facts.ref.removeprefix("refs/tags/")
        if has_branch and not has_tag:
            keys = _named(config, BRANCH_KEYS)
            return Decision(False, f"only branch filters ({keys}): a tag push does not run it")
        if has_tag:
            decided = _ref_filter(config, TAG_KEYS, name, reasons)
            if decided is not None:
                return decided
        if any(key in config for key in PATH_KEYS):
            reasons.append("paths not evaluated for a tag push")
    else:
        return Decision(False, f"{facts.ref} is neither a branch nor a tag")
    return Decision(True, "; ".join(reasons) or "on.push, no filters")


def decide_pull_request(on: Any, facts: PullRequestFacts) -> Decision:
    """Would a pull request with ``facts`` run a workflow whose ``on:`` is ``on``?"""
    try:
        return _decide_pull_request(on, facts)
    except _Refused as exc:
        return Decision(False, f"error: {exc} (GitHub does not run this workflow)")


def _decide_pull_request(on: Any, facts: PullRequestFacts) -> Decision:
    found, config = listens(on, "pull_request")
    if not found:
        return Decision(False, "no on.pull_request")
    marker = skip_marker(facts.head_message)
    if marker:
        return Decision(False, f"{marker} in the head commit's message")
    _check_pairs(config, "pull_request", (BRANCH_KEYS, PATH_KEYS))
    reasons: list[str] = []
    types = _strings(config, "types") if "types" in config else list(DEFAULT_PR_TYPES)
    if facts.action not in types:
        return Decision(False, f"types: {', '.join(types)} (not {facts.action})")
    if "types" in config:
        reasons.append(f"types: {facts.action}")
    if any(key in config for key in BRANCH_KEYS):
        decided = _ref_filter(config, BRANCH_KEYS, facts.base, reasons, what="base ")
        if decided is not None:
            return decided
    decided = _path_filter(config, facts.files, 0, reasons)
    if decided is not None:
        return decided
    return Decision(True, "; ".join(reasons) or "on.pull_request, no filters")


def _check_pairs(config: Mapping[str, Any], event: str, pairs: Sequence[Sequence[str]]) -> None:
    for key, ignore in pairs:
        if key in config and ignore in config:
            raise _Refused(f"on.{event} has both {key} and {ignore}")


def _named(config: Mapping[str, Any], keys: Sequence[str]) -> str:
    return ", ".join(key for key in keys if key in config)


def _strings(config: Mapping[str, Any], key: str) -> list[str]:
    value = config.get(key)
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    raise _Refused(f"{key} must be a list of patterns")


def _patterns(config: Mapping[str, Any], key: str) -> list[Pattern]:
    try:
        return compile_patterns(_strings(config, key))
    except BadPattern as exc:
        raise _Refused(f"{key}: {exc}") from None


def _ref_filter(
    config: Mapping[str, Any],
    keys: Sequence[str],
    name: str,
    reasons: list[str],
    what: str = "",
) -> Decision | None:
    """``branches``/``tags`` (``keys[0]``) or their ``-ignore`` on ``name``: a decision when
    it stops the workflow; else its reason is appended."""
    include, ignore = keys
    if include in config:
        patterns = _patterns(config, include)
        found = deciding(patterns, name)
        if found is None:
            return Decision(False, f"{include}: no pattern matched {what}{name}")
        if found.negative:
            return Decision(False, f"{include}: {found.raw} excluded {what}{name}")
        reasons.append(f"{include}: {found.raw} matched {what}{name}")
        return None
    patterns = _patterns(config, ignore)
    found = deciding(patterns, name)
    if found is not None and not found.negative:
        return Decision(False, f"{ignore}: {found.raw} matched {what}{name}")
    if found is not None:
        reasons.append(f"{ignore}: {found.raw} let {what}{name} through")
    else:
        reasons.append(f"{ignore}: nothing matched {what}{name}")
    return None


def _path_filter(
    config: Mapping[str, Any], files: Sequence[str], commits: int, reasons: list[str]
) -> Decision | None:
    """``paths`` or ``paths-ignore`` over the changed ``files``: a decision when it stops the
    workflow; else its reason is appended."""
    key = next((k for k in PATH_KEYS if k in config), None)
    if key is None:
        return None
    patterns = _patterns(config, key)
    if commits > COMMIT_LIMIT:
        reasons.append(f"{key}: not evaluated, more than {COMMIT_LIMIT:,} commits pushed")
        return None
    if not files:
        return Decision(False, f"{key}: no files changed")
    looked = files[:DIFF_FILE_LIMIT]
    beyond = (
        f" (GitHub looks at the first {DIFF_FILE_LIMIT} of {len(files)} changed files)"
        if len(files) > DIFF_FILE_LIMIT
        else ""
    )
    excluded: tuple[Pattern, str] | None = None  # the first file a ``!`` pattern took out
    for path in looked:
        found = deciding(patterns, path)
        if key == "paths" and found is not None and not found.negative:
            reasons.append(f"paths: {found.raw} matched {path}")
            return None
        if key == "paths" and found is not None and excluded is None:
            excluded = (found, path)
        if key == "paths-ignore" and (found is None or found.negative):
            why = f" ({found.raw})" if found is not None else ""
            reasons.append(f"paths-ignore: {path} is not ignored{why}")
            return None
    shown = ", ".join(looked[:SHOWN_FILES]) + (", …" if len(looked) > SHOWN_FILES else "")
    if excluded is not None:
        pattern, path = excluded
        rest = ", no other file selected" if len(looked) > 1 else ""
        return Decision(False, f"paths: {pattern.raw} excluded {path}{rest}{beyond}")
    if key == "paths":
        return Decision(False, f"paths: no pattern matched {shown}{beyond}")
    first = deciding(patterns, looked[0])
    by = f"{first.raw} matched " if first is not None else ""
    return Decision(False, f"paths-ignore: every changed file is ignored ({by}{shown}){beyond}")
