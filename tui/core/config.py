"""Settings: flags > environment (``PIPEDECK_*``) > ``[tool.pipedeck]`` in the project's
``pyproject.toml`` or ``pipedeck.toml`` > defaults.

Secrets never come from here (they are read from files or the environment by the runners).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
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

    @property
    def s3_endpoint(self) -> str:
        return f"http://{self.s3_host}:{self.s3_port}"


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def load(project: Path | None = None, **flags: Any) -> Settings:
    """Settings for ``project``; ``flags`` whose value is None are not given."""
    values: dict[str, Any] = {}
    if project is not None:
        values.update(_from_files(project))
    values.update(_from_env())
    values.update({k: v for k, v in flags.items() if v is not None})
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise BadInput(f"unknown pipedeck setting(s): {', '.join(sorted(unknown))}")
    return Settings(**{k: _coerce(k, v) for k, v in values.items()})


def _from_files(project: Path) -> dict[str, Any]:
    own = project / "pipedeck.toml"
    pyproject = project / "pyproject.toml"
    if own.is_file():
        data = _read_toml(own)
        values, path = dict(data.get("tool", {}).get("pipedeck", data)), own
    elif pyproject.is_file():
        values, path = dict(_read_toml(pyproject).get("tool", {}).get("pipedeck", {})), pyproject
    else:
        return {}
    unknown = set(values) - set(_FIELDS)
    if unknown:
        known = ", ".join(_FIELDS)
        raise BadInput(
            f"{path}: unknown pipedeck setting(s) {', '.join(sorted(unknown))} (known: {known})"
        )
    return values


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: invalid TOML ({exc})") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror})") from None


def _from_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _FIELDS:
        value = os.environ.get(f"PIPEDECK_{name.upper()}")
        if value is not None and value != "":
            out[name] = value
    return out


def _coerce(name: str, value: Any) -> Any:
    kind = _FIELDS[name].type
    try:
        if kind == "int":
            return int(value)
        if kind == "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if kind == "tuple[str, ...]":
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            return tuple(str(v) for v in value)
        if kind == "Path | None":
            return Path(value).expanduser() if value else None
        return str(value)
    except (TypeError, ValueError):
        raise BadInput(f"setting {name}={value!r}: expected {kind}") from None
