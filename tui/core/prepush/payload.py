"""The event payloads act is given (``-e``): a push's as GitHub's push webhook has it (``ref``,
``before``, ``after``, ``commits`` with the files each adds, removes and modifies,
``head_commit``, ``repository``, ``pusher``, ``created``/``deleted``/``forced``), and a pull
request's (``action``, ``number``, ``pull_request`` with its head and base)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tui.core.paths import PRIVATE_FILE
from tui.core.prepush.pull_request import PullRequest
from tui.core.prepush.push import Commit, Push
from tui.core.prepush.repo import Repository

PR_NUMBER = 1  # a local pull request has no number: act names its ref refs/pull/1/merge


def _web(repo: Repository) -> str:
    """The repository's web address, when its remote is on GitHub ('' otherwise)."""
    return f"https://github.com/{repo.full_name}" if "github.com" in repo.url else ""


def repository_json(repo: Repository) -> dict[str, Any]:
    web = _web(repo)
    return {
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": {"name": repo.owner, "login": repo.owner},
        "private": False,
        "html_url": web,
        "url": web,
        "clone_url": repo.url,
        "default_branch": repo.default_branch,
        "master_branch": repo.default_branch,
    }


def commit_json(commit: Commit, repo: Repository) -> dict[str, Any]:
    web = _web(repo)
    return {
        "id": commit.id,
        "tree_id": commit.tree_id,
        "distinct": True,
        "message": commit.message,
        "timestamp": commit.timestamp,
        "url": f"{web}/commit/{commit.id}" if web else "",
        "author": {"name": commit.author[0], "email": commit.author[1]},
        "committer": {"name": commit.committer[0], "email": commit.committer[1]},
        "added": list(commit.added),
        "removed": list(commit.removed),
        "modified": list(commit.modified),
    }


def push_payload(push: Push, repo: Repository, pusher: tuple[str, str]) -> dict[str, Any]:
    web = _web(repo)
    compare = f"{web}/compare/{push.before[:12]}...{push.after[:12]}" if web else ""
    return {
        "ref": push.ref,
        "before": push.before,
        "after": push.after,
        "base_ref": None,
        "created": push.created,
        "deleted": push.deleted,
        "forced": push.forced,
        "compare": compare,
        "commits": [commit_json(c, repo) for c in push.commits],
        "head_commit": commit_json(push.head, repo) if push.head is not None else None,
        "repository": repository_json(repo),
        "pusher": {"name": pusher[0], "email": pusher[1]},
        "sender": {"login": pusher[0]},
    }


def pull_request_payload(pr: PullRequest, repo: Repository, user: str) -> dict[str, Any]:
    title = pr.head.message.splitlines()[0] if pr.head is not None and pr.head.message else ""
    return {
        "action": pr.action,
        "number": PR_NUMBER,
        "pull_request": {
            "number": PR_NUMBER,
            "state": "open",
            "draft": False,
            "title": title,
            "user": {"login": user},
            "head": {
                "ref": pr.head_ref,
                "sha": pr.head_sha,
                "label": f"{repo.owner}:{pr.head_ref}",
            },
            "base": {"ref": pr.base, "sha": pr.base_sha, "label": f"{repo.owner}:{pr.base}"},
            "commits": pr.commit_count,
            "changed_files": len(pr.files),
        },
        "repository": repository_json(repo),
        "sender": {"login": user},
    }


def write_payload(data: dict[str, Any], path: Path) -> Path:
    """``data`` as a JSON file at ``path``, readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
        out.write("\n")
    return path
