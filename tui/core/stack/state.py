"""What ``pipedeck up`` started, recorded in ``$XDG_STATE_HOME/pipedeck/stack.json`` so that
``down`` stops exactly that and ``status`` can show it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from tui.core.paths import state_dir
from tui.core.process import alive as process_alive


@dataclass(frozen=True)
class Service:
    name: str
    pid: int
    pid_started: float
    endpoint: str
    backend: str
    data_dir: str
    log: str

    def alive(self) -> bool:
        return process_alive(self.pid, self.pid_started)


def stack_file() -> Path:
    return state_dir() / "stack.json"


def load() -> dict[str, Service]:
    try:
        data = json.loads(stack_file().read_text(encoding="utf-8"))
        return {name: Service(**entry) for name, entry in data.items()}
    except (OSError, ValueError, TypeError):
        return {}


def save(services: dict[str, Service]) -> None:
    path = stack_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({k: asdict(v) for k, v in services.items()}, indent=2))
    tmp.replace(path)
