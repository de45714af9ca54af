"""The files a run hands act, made private, and checked first: its secret file and its env file.

act reads secrets from ``--secret-file`` (the project's ``.secrets`` by default) and ``-s``, and
its steps' environment from ``--env`` and ``--env-file`` (the project's ``.env``). A run gives act
private 0600 copies in its scratch folder instead, so nothing with a secret or a credential is
on a command line (``ps`` shows those to every user) or left behind: the secret file verbatim
(its suffix kept: act reads ``.yml``/``.yaml`` as YAML), or, with ``-s``, the secrets act would
have (``dotenv.read_secrets``) with those added, as JSON in a ``.yml``; the env file as the user's
env file with the run's environment (the local S3 server's credentials, the CA bundle's
variables) on top, as act puts ``--env`` on top of ``--env-file``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.errors import BadInput
from tui.core.paths import PRIVATE_FILE, private_dir
from tui.core.workflows import dotenv
from tui.core.workflows.act_argv import WorkflowRequest


@dataclass(frozen=True)
class RunFiles:
    secrets: Path | None = None  # for --secret-file
    env: Path | None = None  # for --env-file
    mask: list[str] = field(default_factory=list)  # every secret value, to be masked


@contextlib.contextmanager
def private_files(
    request: WorkflowRequest, scratch: Path, env: Mapping[str, str]
) -> Iterator[RunFiles]:
    """The run's private secret and env files (removed afterwards) and what to mask."""
    folder = private_dir(scratch / "secrets")
    try:
        source = secret_file(request)
        mask = dotenv.secret_values(source, what=_flag(request)) if source is not None else []
        mask += [value for _, value in request.secrets if value]
        secrets: Path | None = None
        if request.secrets:
            merged = dotenv.read_secrets(source, what=_flag(request)) if source else {}
            merged.update({name.upper(): value for name, value in request.secrets})
            secrets = _write(folder / "secrets.yml", json.dumps(merged).encode())
        elif source is not None:
            suffix = source.suffix if source.suffix in dotenv.YAML_SUFFIXES else ""
            secrets = _write(folder / f"secrets{suffix}", source.read_bytes())
        user_env = env_file(request)
        values = dotenv.read_file(user_env, what=_env_flag(request)) if user_env else {}
        values.update(env)
        env_path = _write(folder / "env.yml", json.dumps(values).encode())
        yield RunFiles(secrets, env_path, mask)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write(path: Path, data: bytes) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def secret_file(request: WorkflowRequest) -> Path | None:
    """The secret file act would read: ``--secret-file``, else the project's ``.secrets``."""
    if request.secret_file is not None:
        return request.secret_file
    default = request.project / ".secrets"
    return default if default.is_file() else None


def env_file(request: WorkflowRequest) -> Path | None:
    """The env file act would read: ``--env-file``, else the project's ``.env``."""
    if request.env_file is not None:
        return request.env_file
    default = request.project / ".env"
    return default if default.is_file() else None


def check_files(request: WorkflowRequest) -> None:
    """Read the secret, env and var files act will read (its defaults ``.secrets``, ``.env``,
    ``.vars`` in the project too) as act reads them: one that act would reject, printing it
    whole, is a one-line bad input naming its line instead."""
    source = secret_file(request)
    if source is not None:
        dotenv.read_file(source, what=_flag(request))
    user_env = env_file(request)
    if user_env is not None:
        dotenv.read_file(user_env, what=_env_flag(request))
    var_file = request.var_file or request.project / ".vars"
    if request.var_file is not None or var_file.is_file():
        dotenv.read_file(var_file, what="--var-file" if request.var_file else "var file")
    if request.payload is not None:
        _check_payload(request.payload)


def _check_payload(path: Path) -> None:
    """act reads the payload as a JSON object; anything else fails every step later."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise BadInput(f"--eventpath {path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise BadInput(f"--eventpath {path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"--eventpath {path}:{exc.lineno}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        kind = {"list": "list", "str": "string", "NoneType": "null"}.get(
            type(data).__name__, "number"
        )
        raise BadInput(f"--eventpath {path}: expected a JSON object (an event), not a {kind}")


def _flag(request: WorkflowRequest) -> str:
    return "--secret-file" if request.secret_file is not None else "secret file"


def _env_flag(request: WorkflowRequest) -> str:
    return "--env-file" if request.env_file is not None else "env file"
