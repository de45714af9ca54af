"""The offline actions/cache stand-in saves and restores, as actions/cache does: a folder
cached by a ``hashFiles`` key is restored on the second run (``cache-hit`` true), a changed key
file misses and restores the older entry by its restore-keys prefix; ``pipedeck cache ls`` /
``prune`` show and remove the entries; the size cap evicts the least recently used."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import MODES, log_lines, run_cli, workflow_file_project
from tui.core.workflows import actions_cache

WORKFLOW = """\
name: deps-cache
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: cache
        uses: actions/cache@v4
        with:
          path: deps
          key: deps-${{ hashFiles('deps.txt') }}
          restore-keys: |
            deps-
      - name: outputs
        run: >-
          echo "hit=${{ steps.cache.outputs.cache-hit }}
          matched=${{ steps.cache.outputs.cache-matched-key }}
          primary=${{ steps.cache.outputs.cache-primary-key }}"
      - name: install
        if: steps.cache.outputs.cache-hit != 'true'
        run: mkdir -p deps && cat deps.txt >> deps/installed.txt
      - name: check
        run: echo "installed=$(tr '\\n' ' ' < deps/installed.txt)"
"""


def run(project: Path, mode: str = "host") -> list[str]:
    result = run_cli(
        "run", "workflow", "--offline", "--runner", mode, "--json", "--project", str(project)
    )
    lines = log_lines(result.events)
    assert result.code == 0, "\n".join(lines)[-3000:] + result.stderr
    return lines


def line(lines: list[str], start: str) -> str:
    return next(text for text in lines if text.startswith(start))


def commit(project: Path) -> None:
    for argv in (["git", "add", "-A"], ["git", "commit", "-q", "-m", "deps"]):
        subprocess.run(
            argv,
            cwd=project,
            check=True,
            capture_output=True,
            env={
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@t.invalid",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@t.invalid",
                "PATH": "/usr/bin:/bin",
            },
        )


def cache_ls() -> list[dict]:
    result = run_cli("cache", "ls", "--json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("mode", MODES)
def test_a_folder_cached_by_hashfiles_key_is_restored_and_missed_after_a_change(
    tmp_path: Path, mode: str, request: pytest.FixtureRequest
) -> None:
    """In docker mode the job container gets the cache folder mounted at the host's path:
    the stand-in (node and python3 in the job container) reads and writes the same entries
    ``pipedeck cache ls`` lists."""
    if mode == "docker":
        request.getfixturevalue("runner_image")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "deps.txt").write_text("six==1.16.0\n")
    project = workflow_file_project(tmp_path, WORKFLOW)

    first = run(project, mode)
    assert line(first, "hit=").startswith("hit=false matched= primary=deps-")
    primary = line(first, "hit=").rpartition("primary=")[2]
    assert len(primary) > len("deps-")  # hashFiles found deps.txt
    assert any(f"Cache saved with key: {primary}" in text for text in first)
    assert line(first, "installed=") == "installed=six==1.16.0 "

    second = run(project, mode)
    assert line(second, "hit=") == f"hit=true matched={primary} primary={primary}"
    assert any(f"Cache restored from key: {primary}" in text for text in second)
    assert line(second, "installed=") == "installed=six==1.16.0 "  # restored, not reinstalled
    assert any("not saving cache" in text for text in second)

    (project / "deps.txt").write_text("six==1.17.0\n")
    commit(project)
    third = run(project, mode)
    newer = line(third, "hit=").rpartition("primary=")[2]
    assert newer != primary
    assert line(third, "hit=") == f"hit=false matched={primary} primary={newer}"
    # the older entry came back by the restore-keys prefix, and the install step added to it
    assert line(third, "installed=") == "installed=six==1.16.0 six==1.17.0 "

    listed = cache_ls()
    assert [e["key"] for e in listed] == [newer, primary]  # most recently used first
    assert {e["workflow"] for e in listed} == {"deps-cache"}
    assert all(e["size"] > 0 and Path(e["archive"]).is_file() for e in listed)
    table = run_cli("cache", "ls")
    assert primary[:20] in table.stdout and "deps-cache:build" in table.stdout

    pruned = run_cli("cache", "prune", "--all")
    assert pruned.code == 0 and "removed 2 cache entries" in pruned.stdout
    assert cache_ls() == []
    assert list(actions_cache.cache_dir().glob("*.tar.*")) == []


def test_prune_by_key_prefix_and_its_usage_errors(tmp_path: Path) -> None:
    folder = actions_cache.cache_dir()
    for key in ("pip-a", "pip-b", "npm-a"):
        save(tmp_path, folder, key, size=10)
    assert run_cli("cache", "prune").code == 2
    assert run_cli("cache", "prune", "pip-", "--all").code == 2
    result = run_cli("cache", "prune", "pip-")
    assert result.code == 0 and "removed 2 cache entries" in result.stdout
    assert [e.key for e in actions_cache.entries()] == ["npm-a"]


def save(
    tmp_path: Path, folder: Path, key: str, size: int, max_bytes: int = actions_cache.MAX_BYTES
) -> str:
    """Save a folder of ``size`` random bytes under ``key`` as the stand-in's post step does."""
    workspace = tmp_path / "ws"
    (workspace / "data").mkdir(parents=True, exist_ok=True)
    (workspace / "data" / "blob").write_bytes(bytes(range(256)) * (size // 256 + 1))
    env = {"INPUT_KEY": key, "INPUT_PATH": "data", "GITHUB_WORKSPACE": str(workspace)}
    message: str = actions_cache.standin().save(env, folder, {}, max_bytes=max_bytes)
    time.sleep(0.01)  # distinct created / last-used times
    return message


def restore(tmp_path: Path, folder: Path, key: str, restore_keys: str = "") -> dict[str, str]:
    workspace = tmp_path / "restored"
    env = {
        "INPUT_KEY": key,
        "INPUT_PATH": "data",
        "INPUT_RESTORE-KEYS": restore_keys,
        "GITHUB_WORKSPACE": str(workspace),
    }
    _, outputs = actions_cache.standin().restore(env, folder)
    time.sleep(0.01)
    return dict(outputs)


def test_the_size_cap_evicts_the_least_recently_used_entry(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    save(tmp_path, folder, "a", size=4000)
    one = actions_cache.entries(folder)[0].size
    cap = 2 * one + one // 2  # room for two entries
    save(tmp_path, folder, "b", size=4000, max_bytes=cap)
    assert restore(tmp_path, folder, "a")["cache-hit"] == "true"  # a is now used after b
    message = save(tmp_path, folder, "c", size=4000, max_bytes=cap)
    assert "evicted (least recently used): b" in message
    assert [e.key for e in actions_cache.entries(folder)] == ["c", "a"]
    assert len(list(folder.glob("*.tar.*"))) == 2
    newest = actions_cache.entries(folder)[0].size
    assert [e.key for e in actions_cache.evict(newest, folder)] == ["a"]  # the same rule
    assert "larger than the cap" in save(tmp_path, folder, "d", size=4000, max_bytes=10)
    assert [e.key for e in actions_cache.entries(folder)] == ["c"]


def test_restore_keys_match_by_prefix_newest_first(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    for key in ("linux-pip-1", "linux-pip-2", "linux-npm-1"):
        save(tmp_path, folder, key, size=10)
    outputs = restore(tmp_path, folder, "linux-pip-3", "linux-pip-\nlinux-")
    assert outputs == {
        "cache-primary-key": "linux-pip-3",
        "cache-hit": "false",
        "cache-matched-key": "linux-pip-2",
    }
    assert (tmp_path / "restored" / "data" / "blob").is_file()
    assert restore(tmp_path, folder, "linux-npm-2", "linux-")["cache-matched-key"] == (
        "linux-npm-1"  # the newest entry with the prefix
    )
    assert restore(tmp_path, folder, "mac-pip-1", "mac-")["cache-matched-key"] == ""


def test_entries_are_zstd_where_the_runner_has_it_and_gzip_where_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As actions/cache: zstd when the runner has it; the compression is part of an entry's
    version, so a runner without zstd misses a zstd entry (never fails on it)."""
    if actions_cache.standin().zstd() is None:
        pytest.skip("no zstd on this machine")
    folder = tmp_path / "cache"
    save(tmp_path, folder, "z", size=3000)
    assert [p.suffix for p in folder.glob("*.tar.*")] == [".zst"]
    assert restore(tmp_path, folder, "z")["cache-hit"] == "true"
    blob = tmp_path / "restored" / "data" / "blob"
    assert blob.read_bytes() == (tmp_path / "ws" / "data" / "blob").read_bytes()

    monkeypatch.setattr(actions_cache.standin(), "zstd", lambda: None)
    assert restore(tmp_path, folder, "z")["cache-hit"] == "false"  # a miss, not an error
    save(tmp_path, folder, "g", size=3000)
    assert sorted(p.name.split(".", 1)[1] for p in folder.glob("*.tar.*")) == ["tar.gz", "tar.zst"]
    blob.unlink()
    assert restore(tmp_path, folder, "g")["cache-hit"] == "true"
    assert blob.read_bytes() == (tmp_path / "ws" / "data" / "blob").read_bytes()
