"""Fixtures for the contract tests: recording fakes of kind and kubectl first on PATH."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

FAKE = Path(__file__).parent / "fake_cli.py"


@dataclass
class FakeTools:
    bin: Path
    state_file: Path
    log_file: Path

    def set(self, **values: object) -> None:
        state = self.state()
        state.update(values)
        self.state_file.write_text(json.dumps(state))

    def state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def calls(self, tool: str | None = None) -> list[list[str]]:
        if not self.log_file.exists():
            return []
        rows = [json.loads(line) for line in self.log_file.read_text().splitlines()]
        return [row[1:] for row in rows if tool is None or row[0] == tool]


@pytest.fixture
def fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTools:
    """``kind`` and ``kubectl`` shims running ``fake_cli.py`` with this interpreter."""
    folder = tmp_path / "fakebin"
    folder.mkdir()
    for tool in ("kind", "kubectl"):
        shim = folder / tool
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" {tool} "$@"\n')
        shim.chmod(0o755)
    tools = FakeTools(folder, tmp_path / "fake-state.json", tmp_path / "fake-calls.jsonl")
    tools.set(clusters=[])
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("PIPEDECK_FAKE_STATE", str(tools.state_file))
    monkeypatch.setenv("PIPEDECK_FAKE_LOG", str(tools.log_file))
    return tools


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
