"""pipedeck's state folder is where platformdirs puts it (pipedeck works it out itself on
Linux, so that no command imports platformdirs on its way in)."""

from __future__ import annotations

import platformdirs
import pytest

from tui.core.paths import state_dir


@pytest.mark.parametrize("value", ["", "   ", "/tmp/somewhere", "relative/dir", None])
def test_the_state_dir_is_platformdirs_own(value: str | None, monkeypatch) -> None:
    if value is None:
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_STATE_HOME", value)
    assert str(state_dir()) == platformdirs.user_state_dir("pipedeck", appauthor=False)
