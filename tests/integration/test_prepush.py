"""``pipedeck prepush`` and its pre-push hook on a real git repository with a local bare
remote: which of four workflows a push selects and why, a real run with the push's payload,
and a failing workflow stopping ``git push``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import CliResult, log_lines, run_cli

WORKFLOWS = {
    "src.yml": """\
on:
  push:
    paths: ['src/**']
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "after=${{ github.event.after }} before=${{ github.event.before }}"
      - if: contains(github.event.head_commit.message, 'break')
        run: echo "the head commit asks to fail" && exit 1
""",
    "nodocs.yml": """\
on:
  push:
    paths-ignore: ['docs/**']
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: echo "not only docs"
""",
    "main.yml": """\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo "main moved"
""",
    "tags.yml": """\
on:
  push:
    tags: ['v*']
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - run: echo "released ${{ github.ref }}"
""",
}
ENV = {
    "GIT_AUTHOR_NAME": "pipedeck tests",
    "GIT_AUTHOR_EMAIL": "tests@pipedeck.invalid",
    "GIT_COMMITTER_NAME": "pipedeck tests",
    "GIT_COMMITTER_EMAIL": "tests@pipedeck.invalid",
    "PIPEDECK_RUNNER": "host",  # the hook's runs: no Docker engine needed
}


def git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=folder,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def sha(folder: Path, rev: str = "HEAD") -> str:
    return git(folder, "rev-parse", rev).stdout.strip()


def commit(folder: Path, path: str, message: str) -> str:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{message}\n")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    return sha(folder)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project with the four workflows, pushed once to a bare remote (main tracks it)."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    project = tmp_path / "project"
    folder = project / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in WORKFLOWS.items():
        (folder / name).write_text(text)
    (project / "README.md").write_text("a project\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "start")
    git(project, "remote", "add", "origin", str(remote))
    git(project, "push", "-q", "-u", "origin", "main")
    return project


def prepush(project: Path, *args: str, stdin: str | None = None) -> CliResult:
    if stdin is None:
        return run_cli("prepush", *args, "--project", str(project))
    done = subprocess.run(
        [sys.executable, "-m", "tui", "prepush", *args, "--project", str(project)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def decided(result: CliResult, ref: str | None = None) -> dict[str, tuple[bool, str]]:
    """workflow file name -> (triggered, reason), from the trigger.decided records."""
    assert result.code == 0, result.stderr
    return {
        Path(e["workflow"]).name: (e["triggered"], e["reason"])
        for e in result.events
        if e["type"] == "trigger.decided" and (ref is None or e["ref"] == ref)
    }


def test_a_push_of_docs_then_of_src(repo: Path) -> None:
    commit(repo, "docs/guide.md", "document it")
    first = decided(prepush(repo, "--dry-run", "--json"))
    assert first == {
        "main.yml": (True, "branches: main matched main"),
        "nodocs.yml": (
            False,
            "paths-ignore: every changed file is ignored (docs/** matched docs/guide.md)",
        ),
        "src.yml": (False, "paths: no pattern matched docs/guide.md"),
        "tags.yml": (False, "only tag filters (tags): a branch push does not run it"),
    }
    commit(repo, "src/app.py", "code it")
    both = decided(prepush(repo, "--dry-run", "--json"))  # the push holds both commits
    assert both == {
        "main.yml": (True, "branches: main matched main"),
        "nodocs.yml": (True, "paths-ignore: src/app.py is not ignored"),
        "src.yml": (True, "paths: src/** matched src/app.py"),
        "tags.yml": (False, "only tag filters (tags): a branch push does not run it"),
    }
    since = decided(prepush(repo, "--dry-run", "--json", "--since", "HEAD~1"))
    assert since["nodocs.yml"][0] and since["src.yml"][0]
    git(repo, "push", "-q")
    nothing = prepush(repo, "--dry-run", "--json")
    assert (nothing.code, nothing.stdout) == (0, "")
    assert "nothing to push" in nothing.stderr


def test_a_tag_push(repo: Path) -> None:
    git(repo, "tag", "-a", "v1.0", "-m", "the first release")
    result = prepush(repo, "--dry-run", "--json", "--tag", "v1.0")
    assert decided(result, "refs/tags/v1.0") == {
        "main.yml": (False, "only branch filters (branches): a tag push does not run it"),
        "nodocs.yml": (True, "paths not evaluated for a tag push"),
        "src.yml": (True, "paths not evaluated for a tag push"),
        "tags.yml": (True, "tags: v* matched v1.0"),
    }
    tag_object = sha(repo, "refs/tags/v1.0")
    line = f"refs/tags/v1.0 {tag_object} refs/tags/v1.0 {'0' * 40}\n"
    hooked = prepush(repo, "--dry-run", "--json", "--git-hook-stdin", stdin=line)
    assert decided(hooked) == decided(result, "refs/tags/v1.0")


def test_a_new_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "docs/typo")
    commit(repo, "docs/guide.md", "fix a typo")
    new = decided(prepush(repo, "--dry-run", "--json"))
    assert new == {
        "main.yml": (False, "branches: no pattern matched docs/typo"),
        "nodocs.yml": (
            False,
            "paths-ignore: every changed file is ignored (docs/** matched docs/guide.md)",
        ),
        "src.yml": (False, "paths: no pattern matched docs/guide.md"),
        "tags.yml": (False, "only tag filters (tags): a branch push does not run it"),
    }
    table = prepush(repo, "--dry-run")
    assert "a new branch: diffed against" in table.stdout  # the parent of the oldest pushed
    assert "the parent of the oldest commit pushed" in table.stdout
    assert all(f".github/workflows/{name}" in table.stdout for name in WORKFLOWS)
    pull = decided(prepush(repo, "--dry-run", "--json", "--pull-request"))
    assert {reason for _, reason in pull.values()} == {"no on.pull_request"}


def test_skip_ci_in_the_head_commit_runs_nothing(repo: Path) -> None:
    commit(repo, "src/app.py", "try it [skip ci]")
    reasons = decided(prepush(repo, "--dry-run", "--json"))
    assert set(reasons.values()) == {(False, "[skip ci] in the head commit's message")}
    assert "[skip ci] in the head" in prepush(repo, "--dry-run").stdout  # not read as markup


def test_a_deletion_runs_nothing(repo: Path) -> None:
    line = f"(delete) {'0' * 40} refs/heads/old {sha(repo)}\n"
    result = decided(prepush(repo, "--json", "--git-hook-stdin", stdin=line))
    assert {reason for _, reason in result.values()} == {"a branch deletion runs no workflow"}


def test_the_triggered_workflow_runs_with_the_push_as_its_event(repo: Path) -> None:
    before = sha(repo)
    commit(repo, "docs/guide.md", "document it")
    after = commit(repo, "src/app.py", "code it")
    result = prepush(repo, "--runner", "host", "--json")
    assert result.code == 0, result.stderr
    runs = [e for e in result.events if e["type"] == "run.started"]
    assert sorted(e["target"] for e in runs) == ["main.yml", "nodocs.yml", "src.yml"]
    kinds = [e["type"] for e in result.events]
    assert kinds.index("run.started") > max(
        i for i, kind in enumerate(kinds) if kind == "trigger.decided"
    )  # the decisions come first, in the same stream
    assert f"after={after} before={before}" in log_lines(result.events)
    assert {e["status"] for e in result.events if e["type"] == "run.finished"} == {"success"}

    commit(repo, "src/app.py", "break the build")
    failed = prepush(repo, "--runner", "host")
    assert failed.code == 1
    assert "the head commit asks to fail" in failed.stdout
    assert "1 of 3 triggered workflow(s) failed: src.yml" in failed.stdout
    assert "[src.yml › build › " in failed.stdout  # whose line it is, the runs interleaved


def test_the_triggered_workflows_run_side_by_side(repo: Path) -> None:
    for name in ("slow-a.yml", "slow-b.yml"):
        (repo / ".github" / "workflows" / name).write_text(
            "on: push\njobs:\n  wait:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - run: sleep 2 && echo {name} done\n"
        )
    commit(repo, "src/app.py", "code it")
    result = prepush(repo, "--runner", "host", "--json")
    assert result.code == 0, result.stderr
    kinds = [(e["type"], e.get("target", "")) for e in result.events]
    started = [i for i, (kind, _) in enumerate(kinds) if kind == "run.started"]
    finished = [i for i, (kind, _) in enumerate(kinds) if kind == "run.finished"]
    assert len(started) == len(finished) == 5
    assert max(started) < min(finished)  # all five started before the first one ended


def test_the_hook_runs_the_push_and_a_failure_stops_it(repo: Path, tmp_path: Path) -> None:
    installed = run_cli("hook", "install", "--project", str(repo))
    assert installed.code == 0, installed.stderr
    hook = repo / ".git" / "hooks" / "pre-push"
    script = hook.read_text().splitlines()
    assert script[1] == "# Skip this hook once with `git push --no-verify`."
    assert "prepush --git-hook-stdin" in script[-1]

    good = commit(repo, "src/app.py", "code it")
    pushed = git(repo, "push", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    assert f"after={good}" in pushed.stdout + pushed.stderr
    remote = tmp_path / "remote.git"
    assert sha(remote, "main") == good

    commit(repo, "src/app.py", "break the build")
    blocked = git(repo, "push", "origin", "main", check=False)
    assert blocked.returncode != 0
    assert "the head commit asks to fail" in blocked.stdout + blocked.stderr
    assert sha(remote, "main") == good  # the remote did not move

    skipped = git(repo, "push", "--no-verify", "origin", "main", check=False)
    assert skipped.returncode == 0, skipped.stderr
    assert sha(remote, "main") == sha(repo)
    assert "the head commit asks to fail" not in skipped.stdout + skipped.stderr


def test_hook_install_refuses_a_foreign_hook_and_uninstall_removes_only_ours(
    repo: Path,
) -> None:
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\nexec ./my-checks\n")
    refused = run_cli("hook", "install", "--project", str(repo))
    assert refused.code == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "did not write" in refused.stderr
    assert "pipedeck prepush --git-hook-stdin" in refused.stderr  # how to chain it
    assert run_cli("hook", "uninstall", "--project", str(repo)).code == 2
    assert hook.read_text() == "#!/bin/sh\nexec ./my-checks\n"

    hook.unlink()
    assert run_cli("hook", "install", "--project", str(repo)).code == 0
    assert run_cli("hook", "install", "--project", str(repo)).code == 0  # ours: updated
    removed = run_cli("hook", "uninstall", "--project", str(repo))
    assert removed.code == 0 and not hook.exists()


def test_hook_install_respects_core_hooks_path(repo: Path) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")
    assert run_cli("hook", "install", "--project", str(repo)).code == 0
    assert (repo / ".githooks" / "pre-push").is_file()
    assert not (repo / ".git" / "hooks" / "pre-push").exists()
    assert run_cli("hook", "uninstall", "--project", str(repo)).code == 0
    assert not (repo / ".githooks" / "pre-push").exists()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_prepush_tui_shows_the_decisions_and_the_runs_side_by_side(repo: Path, tmp_path: Path):
    commit(repo, "src/app.py", "break the build")
    session = f"pipedeck-prepush-{uuid.uuid4().hex[:8]}"
    state = tmp_path / "state"
    command = (
        f"cd {repo} && unset COLUMNS LINES CI && XDG_STATE_HOME={state} "
        f"{sys.executable} -m tui prepush --runner host --tui; echo PREPUSH-EXITED-$?; sleep 30"
    )

    def screen() -> str:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True)
        return done.stdout.decode()

    def wait_for(text: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared:\n{screen()}")

    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command])
    try:
        shown = wait_for("paths: src/** matched src/app.py")  # the decisions, on top
        assert "only tag filters (tags)" in shown
        shown = wait_for("the head commit asks to fail")  # src.yml's failing step's log line
        deadline = time.monotonic() + 90  # all three ended: two passed, src.yml failed
        while not (screen().count("✓ success") >= 2 and "✗ failure" in screen()):
            assert time.monotonic() < deadline, screen()
            time.sleep(0.2)
        shown = screen()
        assert shown.count("[1] workflow run") == 1 and "[5] workflow run" in shown  # 3 columns
        subprocess.run(["tmux", "send-keys", "-t", session, "q"])
        after = wait_for("PREPUSH-EXITED-", 30)
        assert "PREPUSH-EXITED-1" in after  # one failed: the push would be stopped
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
