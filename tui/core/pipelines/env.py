"""The cached component virtualenv the subprocess runner's tasks (and the driver) run in.

It holds kfp (pipedeck's version: the driver's hooks are pinned to it) and the union of the
components' ``packages_to_install``. It is created once, with pip's output streamed as
progress, and reused while the package set stays the same, so nothing is ever installed into
pipedeck's own environment and a warm run starts at once.

Location: ``$XDG_STATE_HOME/pipedeck/component-envs/<key>/`` (or ``$PIPEDECK_COMPONENT_ENV_DIR``),
where ``key`` hashes the Python version, the kfp version and the sorted requirements, so
projects with the same requirements share one environment::

    venv/          the virtualenv
    driver-path/   on the driver's PYTHONPATH: a link to pipedeck's ``tui`` package
    ready.json     written last; an environment without it is rebuilt
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO

import tui
from tui.core.errors import MissingPrerequisite
from tui.core.paths import state_dir

ENV_DIR_VAR = "PIPEDECK_COMPONENT_ENV_DIR"


def envs_root() -> Path:
    override = os.environ.get(ENV_DIR_VAR)
    return Path(override).expanduser() if override else state_dir() / "component-envs"


def kfp_version() -> str:
    try:
        return metadata.version("kfp")
    except metadata.PackageNotFoundError as exc:
        raise MissingPrerequisite("kfp is not installed in pipedeck's environment") from exc


def _host_pip_supports_python_flag() -> bool:
    """pip >= 22.3 in pipedeck's environment can install into another interpreter."""
    try:
        version = metadata.version("pip")
    except metadata.PackageNotFoundError:
        return False
    parts = [int(p) for p in version.split(".")[:2] if p.isdigit()]
    return tuple(parts) >= (22, 3)


@dataclass(frozen=True)
class ComponentEnv:
    path: Path
    kfp: str
    packages: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    @property
    def venv(self) -> Path:
        return self.path / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def driver_path(self) -> Path:
        return self.path / "driver-path"

    @property
    def marker(self) -> Path:
        return self.path / "ready.json"

    @property
    def requirements(self) -> list[str]:
        return [f"kfp=={self.kfp}", *self.packages]

    def is_ready(self) -> bool:
        return self.marker.exists() and self.python.exists()

    def create_commands(self) -> list[list[str]]:
        """The commands that build the environment, in order (each may stream output)."""
        install = ["install", "--progress-bar", "off", "--disable-pip-version-check"]
        install += [*self.options, *self.requirements]
        if _host_pip_supports_python_flag():
            return [
                [sys.executable, "-m", "venv", "--without-pip", str(self.venv)],
                [sys.executable, "-m", "pip", "--python", str(self.python), *install],
            ]
        return [
            [sys.executable, "-m", "venv", str(self.venv)],
            [str(self.python), "-m", "pip", *install],
        ]

    def reset(self) -> None:
        """Remove a half-built environment before building it again."""
        shutil.rmtree(self.venv, ignore_errors=True)
        self.marker.unlink(missing_ok=True)
        self.path.mkdir(parents=True, exist_ok=True)

    def mark_ready(self, seconds: float) -> None:
        info = {"kfp": self.kfp, "packages": list(self.packages), "seconds": round(seconds, 2)}
        self.marker.write_text(json.dumps(info, indent=2), encoding="utf-8")

    def link_driver(self) -> Path:
        """``driver-path/tui`` → this pipedeck's ``tui`` package (only ``tui``, nothing else of
        pipedeck's environment, goes on the driver's path)."""
        source = Path(tui.__file__).resolve().parent
        link = self.driver_path / "tui"
        self.driver_path.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() and link.resolve() == source:
            return self.driver_path
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.exists():
            shutil.rmtree(link)
        try:
            link.symlink_to(source, target_is_directory=True)
        except OSError:
            shutil.copytree(source, link, ignore=shutil.ignore_patterns("__pycache__"))
        return self.driver_path


def component_env(packages: Sequence[str] = (), options: Sequence[str] = ()) -> ComponentEnv:
    """The environment for this set of requirements (not necessarily built yet)."""
    version = kfp_version()
    packages = tuple(sorted(dict.fromkeys(packages)))
    key_data = {
        "python": list(sys.version_info[:2]),
        "kfp": version,
        "packages": list(packages),
        "options": list(options),
    }
    key = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()[:16]
    return ComponentEnv(envs_root() / key, version, packages, tuple(options))


@contextlib.contextmanager
def locked(env: ComponentEnv) -> Iterator[IO[str]]:
    """An exclusive lock for building ``env`` (two runs never build the same one at once)."""
    env.path.parent.mkdir(parents=True, exist_ok=True)
    with (env.path.parent / f"{env.path.name}.lock").open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield fh
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure(env: ComponentEnv, on_line: Callable[[str], None] | None = None) -> float:
    """Build ``env`` if it is not ready (blocking). Returns the seconds spent building."""
    if env.is_ready():
        env.link_driver()
        return 0.0
    with locked(env):
        if env.is_ready():
            env.link_driver()
            return 0.0
        started = time.monotonic()
        env.reset()
        for argv in env.create_commands():
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
            )
            assert proc.stdout is not None
            tail: list[str] = []
            for line in proc.stdout:
                tail = [*tail[-19:], line.rstrip()]
                if on_line is not None:
                    on_line(line.rstrip())
            if proc.wait() != 0:
                raise MissingPrerequisite(
                    f"could not create the component environment ({' '.join(argv[:4])}…): "
                    + (tail[-1] if tail else f"exit {proc.returncode}")
                )
        seconds = time.monotonic() - started
        env.mark_ready(seconds)
        env.link_driver()
        return seconds
