"""Settings: flags > environment (``PIPEDECK_*``) > ``[tool.pipedeck]`` in the project's
``pyproject.toml`` or ``pipedeck.toml`` > defaults.

Secrets never come from here (they are read from files or the environment by the runners).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.errors import BadInput

DEFAULT_BUCKETS = ("my-model-storage",)


@dataclass(frozen=True)
class Settings:
    runner: str = "auto"
    s3_host: str = "127.0.0.1"
    s3_port: int = 4566
    buckets: tuple[str, ...] = DEFAULT_BUCKETS
    ca_bundle: Path | None = None
    offline: bool = False
    # setup-python's offline stand-in, for a Python version the runner lacks: "off" fails
    # clearly, "nearest" runs the nearest installed version (and says so on the step)
    python_substitute: str = "off"
    # workflow runs share one pip download cache under the state dir (PIP_CACHE_DIR, mounted
    # into job containers): false leaves pip its own (tui.core.workflows.pip_cache)
    pip_cache: bool = True

    @property
    def s3_endpoint(self) -> str:
        return f"http://{self.s3_host}:{self.s3_port}"


_FIELDS = {f.name for f in dataclasses.fields(Settings)}
RUNNERS = ("auto", "host", "docker")
PYTHON_SUBSTITUTES = ("off", "nearest")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def load(project: Path | None = None, **flags: Any) -> Settings:
    """Settings for ``project``; ``flags`` whose value is None are not given. Every value is
    checked by type and range where it comes from: a bad one is a one-line BadInput naming
    the file and key, the variable, or the flag."""
    values: dict[str, Any] = {}
    if project is not None:
        values.update(_from_files(project))
    values.update(_from_env())
    for name, value in flags.items():
        if value is None:
            continue
        if name not in _FIELDS:
            raise BadInput(f"unknown pipedeck setting: {name}")
        values[name] = _checked(name, value, f"--{name.replace('_', '-')}", typed=True)
    return Settings(**values)


def _from_files(project: Path) -> dict[str, Any]:
    own = project / "pipedeck.toml"
    pyproject = project / "pyproject.toml"
    if own.is_file():
        data, path = _read_toml(own), own
        table = _table(data.get("tool"), "pipedeck", path)
        raw = table if table is not None else data
    elif pyproject.is_file():
        path = pyproject
        raw = _table(_read_toml(pyproject).get("tool"), "pipedeck", path) or {}
    else:
        return {}
    unknown = set(raw) - _FIELDS
    if unknown:
        known = ", ".join(sorted(_FIELDS))
        raise BadInput(
            f"{path}: unknown pipedeck setting(s) {', '.join(sorted(unknown))} (known: {known})"
        )
    return {
        name: _checked(name, value, f"{path}: setting {name}", typed=True)
        for name, value in raw.items()
    }


def _table(tool: Any, name: str, path: Path) -> dict[str, Any] | None:
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise BadInput(f"{path}: [tool] must be a table")
    table = tool.get(name)
    if table is not None and not isinstance(table, dict):
        raise BadInput(f"{path}: [tool.{name}] must be a table of settings")
    return table


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when a settings file is there

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: invalid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror})") from None


def _from_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(_FIELDS):
        variable = f"PIPEDECK_{name.upper()}"
        value = os.environ.get(variable)
        if value is not None and value != "":
            out[name] = _checked(name, value, variable, typed=False)
    return out


def _checked(name: str, value: Any, where: str, *, typed: bool) -> Any:
    """``value`` for setting ``name`` as its type, or a BadInput naming ``where``. ``typed``:
    it comes from TOML or a flag (a bool is a bool); else it is an environment string."""

    def bad(expected: str) -> BadInput:
        if where.startswith("--"):  # a flag, as the user typed it
            return BadInput(f"{where} {value}: expected {expected}")
        if typed:  # a file's key = TOML value
            return BadInput(f"{where} = {value!r}: expected {expected}")
        return BadInput(f"{where}={value}: expected {expected}")  # VARIABLE=value

    if name == "s3_port":
        if typed and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad("a port number 1-65535")
        try:
            port = int(value)
        except (TypeError, ValueError):
            raise bad("a port number 1-65535") from None
        if not 1 <= port <= 65535:
            raise bad("a port number 1-65535")
        return port
    if name in ("offline", "pip_cache"):
        if isinstance(value, bool):
            return value
        if not typed and str(value).strip().lower() in _TRUE + _FALSE:
            return str(value).strip().lower() in _TRUE
        raise bad("true or false" if typed else "1/0, true/false, yes/no or on/off")
    if name == "buckets":
        items = value.split(",") if isinstance(value, str) and not typed else value
        if not isinstance(items, list | tuple) or not all(isinstance(b, str) for b in items):
            raise bad('a list of bucket names, e.g. ["my-model-storage"]')
        buckets = tuple(b.strip() for b in items if b.strip())
        wrong = [b for b in buckets if not _BUCKET.fullmatch(b)]
        if wrong:
            raise bad(f"S3 bucket names (3-63 of a-z 0-9 . -; {wrong[0]!r} is not one)")
        return buckets
    if name == "ca_bundle":
        if isinstance(value, Path):
            return value.expanduser()
        if not isinstance(value, str):
            raise bad("the path of a PEM file")
        return Path(value).expanduser() if value else None
    if not isinstance(value, str) or not value.strip():
        raise bad("a non-empty string")
    if name == "runner" and value not in RUNNERS:
        raise bad(f"one of {', '.join(RUNNERS)}")
    if name == "python_substitute" and value not in PYTHON_SUBSTITUTES:
        raise bad(f"one of {', '.join(PYTHON_SUBSTITUTES)}")
    return value
