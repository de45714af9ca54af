"""setup-python's ``cache: pip``, offline: the key actions/setup-python computes, and a pip
cache folder of the job's own, for the step after it (pipedeck's actions/cache stand-in) to
restore into and, in its post step, save from.

Standard library only; run with the virtualenv's python by the stand-in's composite action.
Writes ``key``, ``restore-key``, ``base`` to GITHUB_OUTPUT and ``PIP_CACHE_DIR`` (the job's own
pip cache, ``<base>/pip-cache``) to GITHUB_ENV, so the job's later steps use it instead of
pipedeck's shared download cache, as a job on GitHub uses its own, restored one.
"""

from __future__ import annotations

import glob
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PATH = "**/requirements.txt"
BACKUP_PATH = "**/pyproject.toml"  # what actions/setup-python falls back to for pip
FOLDER = "pip-cache"  # the cached path, relative to the base (the same in every run)


def hash_files(patterns: list[str], workspace: Path) -> str:
    """What ``hashFiles()`` gives: the SHA-256 of the files' SHA-256 digests, files in the
    workspace only, in path order; "" when none matches."""
    files: set[Path] = set()
    for pattern in patterns:
        for match in glob.glob(str(workspace / pattern), recursive=True):  # noqa: PTH207
            path = Path(match)
            if path.is_file() and path.resolve().is_relative_to(workspace.resolve()):
                files.add(path)
    if not files:
        return ""
    total = hashlib.sha256()
    for path in sorted(files):
        total.update(hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def os_release() -> str:
    """``<version>-<distributor>`` as actions/setup-python gets it from ``lsb_release -i -r
    -s`` (``22.04-Ubuntu``), else from /etc/os-release."""
    if shutil.which("lsb_release"):
        out = subprocess.run(
            ["lsb_release", "-i", "-r", "-s"], capture_output=True, text=True, check=False
        ).stdout.split()
        if len(out) >= 2:
            return f"{out[1]}-{out[0]}"
    fields: dict[str, str] = {}
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            name, _, value = line.partition("=")
            fields[name] = value.strip().strip('"')
    except OSError:
        return platform.release()
    return f"{fields.get('VERSION_ID', '')}-{fields.get('ID', 'linux').capitalize()}"


def append(variable: str, values: dict[str, str]) -> None:
    target = os.environ.get(variable)
    if target:
        with Path(target).open("a") as out:
            out.writelines(f"{name}={value}\n" for name, value in values.items())


def fail(message: str) -> int:
    print(f"::error::{message}", flush=True)
    time.sleep(0.2)  # act (host mode) can drop a step's last line when it exits at once
    return 1


def main() -> int:
    manager = os.environ.get("CACHE", "").strip()
    if manager in ("pipenv", "poetry"):
        print(
            f"::warning::setup-python stand-in: cache: {manager} is not supported offline"
            " (pip only): nothing cached"
        )
        return 0
    if manager != "pip":
        return fail(f"Caching for '{manager}' is not supported")
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    given = [p.strip() for p in os.environ.get("DEPENDENCY_PATH", "").splitlines() if p.strip()]
    patterns = given or [DEFAULT_PATH]
    digest = hash_files(patterns, workspace) or hash_files([BACKUP_PATH], workspace)
    if not digest:
        return fail(
            f"No file in {Path.cwd()} matched to [{','.join(patterns)} or {BACKUP_PATH}],"
            " make sure you have checked out the target repository"
        )
    version = os.environ.get("PYTHON_VERSION") or platform.python_version()
    runner_os = os.environ.get("RUNNER_OS", "Linux")
    prefix = f"setup-python-{runner_os}-{os_release()}-python-{version}-pip"
    temp = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir())
    base = Path(tempfile.mkdtemp(prefix="pipedeck-pip-", dir=temp))
    (base / FOLDER).mkdir()
    append("GITHUB_OUTPUT", {"key": f"{prefix}-{digest}", "restore-key": prefix, "base": str(base)})
    append("GITHUB_ENV", {"PIP_CACHE_DIR": str(base / FOLDER)})
    print(
        f"cache: pip: this job's own pip cache ({base / FOLDER}), restored from and saved to"
        " pipedeck's actions/cache store as actions/setup-python does, in place of pipedeck's"
        " shared pip download cache"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
