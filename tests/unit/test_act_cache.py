"""A run's action cache folder: links into the shared cache; when the run ends what act wrote
in it (workspaces with secrets inlined) goes and the links are the next run's."""

from __future__ import annotations

from pathlib import Path

from tui.core.workflows import act_cache


def test_the_next_run_gets_the_links_and_none_of_the_last_runs_files(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "actions-checkout@v4").mkdir(parents=True)
    first = act_cache.private_cache(tmp_path / "one", [], shared)
    assert (first / "actions-checkout@v4").resolve() == shared / "actions-checkout@v4"
    workspace = first / "0123456789abcdef"  # act's host workspace: a step script with a secret
    workspace.mkdir()
    (workspace / "step.sh").write_text("echo hunter2\n")
    act_cache.give_back(first, shared)
    assert not first.exists()
    (shared / "actions-setup-python@v5").mkdir()  # cloned by some other run meanwhile
    (shared / "actions-checkout@v4").rmdir()  # and the user cleared this one
    second = act_cache.private_cache(tmp_path / "two", [], shared)
    names = sorted(p.name for p in second.iterdir())
    assert names == ["actions-setup-python@v5", act_cache.TOOL_CACHE]
    assert all((second / n).is_symlink() for n in names)


def test_two_runs_at_once_each_get_a_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    one = act_cache.private_cache(tmp_path / "one", [], shared)
    act_cache.give_back(one, shared)
    two = act_cache.private_cache(tmp_path / "two", [], shared)  # takes the kept one
    three = act_cache.private_cache(tmp_path / "three", [], shared)  # makes its own
    assert two.is_dir() and three.is_dir()
    act_cache.give_back(two, shared)
    act_cache.give_back(three, shared)  # the slot is full: removed
    assert not two.exists() and not three.exists()
