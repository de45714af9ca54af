"""pipedeck's offline stand-in for actions/cache: restore (the action's main step) and save
(its post step), with an index of entries kept in one folder.

Standard library only, and self-contained: it runs inside the job (``python3 cache.py
restore|save``, started by main.js / post.js), where pipedeck itself may not be installed.
pipedeck reads the same folder through ``tui.core.workflows.actions_cache``, which loads this
file: one implementation of the index, the matching and the LRU eviction.

The folder (``PIPEDECK_ACTIONS_CACHE``, set by pipedeck's run) holds ``index.json`` and one
archive per entry, ``<digest>.tar.zst`` when the runner has ``zstd`` (actions/cache's choice
too) else ``.tar.gz``; both are written whole (a temporary file, then a rename), and the
index is changed under a lock (``index.lock``) so that parallel jobs do not lose entries.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FOLDER_VARIABLE = "PIPEDECK_ACTIONS_CACHE"
MAX_BYTES = 2 * 1024**3  # the size cap (2 GiB, GitHub's default is 10 GiB a repository)
INDEX = "index.json"
WORKSPACE, ROOT = "workspace", "root"  # the archive's two trees: in the workspace, elsewhere


# ---- the index -------------------------------------------------------------------------


def read_index(folder: Path) -> list[dict[str, Any]]:
    """The entries, oldest first; a missing or unreadable index is an empty cache."""
    try:
        data = json.loads((folder / INDEX).read_text())
    except (OSError, ValueError):
        return []
    entries = data.get("entries") if isinstance(data, dict) else None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def write_index(folder: Path, entries: list[dict[str, Any]]) -> None:
    write_whole(folder / INDEX, json.dumps({"version": 1, "entries": entries}, indent=1).encode())


def write_whole(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[list[dict[str, Any]]]:
    """The index, read under the folder's lock and written back whole when the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "index.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entries = read_index(folder)
        yield entries
        write_index(folder, entries)
        own_like_folder(folder, folder / INDEX, folder / "index.lock")


def version_of(paths: list[str], cross_os: bool, method: str) -> str:
    """What actions/cache calls the cache version: an entry restores only for the same paths
    (and compression ``method``, and cross-OS setting)."""
    parts = [*paths, method, *(["enableCrossOsArchive"] if cross_os else [])]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def find(
    entries: list[dict[str, Any]], key: str, restore_keys: list[str], version: str
) -> dict[str, Any] | None:
    """The entry actions/cache would restore: for the key, then each restore key in order,
    an exact match, else the newest entry the key is a prefix of."""
    same = [e for e in entries if e.get("version") == version]
    for wanted in [key, *restore_keys]:
        exact = [e for e in same if e["key"] == wanted]
        if exact:
            return exact[-1]
        prefixed = [e for e in same if str(e["key"]).startswith(wanted)]
        if prefixed:
            return max(prefixed, key=lambda e: float(e.get("created", 0)))
    return None


def evict(folder: Path, entries: list[dict[str, Any]], max_bytes: int) -> list[dict[str, Any]]:
    """Remove the least recently used entries (and their archives) until the rest fit in
    ``max_bytes``; ``entries`` is changed in place. Returns the removed ones."""
    removed = []
    by_use = sorted(entries, key=lambda e: float(e.get("last_used", 0)))
    total = sum(int(e.get("size", 0)) for e in entries)
    while by_use and total > max_bytes:
        entry = by_use.pop(0)
        total -= int(entry.get("size", 0))
        remove(folder, entries, entry)
        removed.append(entry)
    return removed


def remove(folder: Path, entries: list[dict[str, Any]], entry: dict[str, Any]) -> None:
    entries.remove(entry)
    with contextlib.suppress(OSError):
        (folder / str(entry["archive"])).unlink()


# ---- paths and archives ----------------------------------------------------------------


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def resolve_paths(patterns: list[str], workspace: Path) -> list[Path]:
    """The files and folders the ``path`` input names: globs (``**`` too, hidden files
    matched), ``~`` expanded, relative to the workspace, ``!pattern`` excluding."""
    found: dict[Path, None] = {}
    excluded: set[Path] = set()
    for pattern in patterns:
        negate = pattern.startswith("!")
        path = Path(pattern[1:] if negate else pattern).expanduser()
        base = str(path if path.is_absolute() else workspace / path)
        hidden = {"include_hidden": True} if sys.version_info >= (3, 11) else {}
        matches = glob.glob(base, recursive=True, **hidden)  # type: ignore[arg-type]  # noqa: PTH207
        for match in matches:
            (excluded.add if negate else found.setdefault)(Path(os.path.normpath(match)))
    return [p for p in found if p not in excluded and not any(x in p.parents for x in excluded)]


def archive_name(path: Path, workspace: Path) -> str:
    if path == workspace or path.is_relative_to(workspace):
        return str(Path(WORKSPACE, path.relative_to(workspace)))
    return str(Path(ROOT, *path.parts[1:]))


def zstd() -> str | None:
    """The ``zstd`` program, when the runner has one."""
    return shutil.which("zstd")


def compression() -> str:
    """How this runner's entries are compressed; part of their version, so a runner without
    zstd misses the entries one with it saved (as actions/cache's do) instead of failing."""
    return "zstd" if zstd() else "gzip"


def make_archive(target: Path, paths: list[Path], workspace: Path, compression: str) -> int:
    """``paths`` as a tar at ``target`` (written whole), by zstd (-T0 -3) or gzip; its size."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        if compression == "zstd":
            with os.fdopen(fd, "wb") as out:
                program = str(zstd())
                squeeze = subprocess.Popen(
                    [program, "-q", "-T0", "-3", "-c"], stdin=subprocess.PIPE, stdout=out
                )
                assert squeeze.stdin is not None
                with squeeze.stdin, tarfile.open(fileobj=squeeze.stdin, mode="w|") as tar:
                    add_all(tar, paths, workspace)
                if squeeze.wait() != 0:
                    raise OSError(f"zstd failed (exit {squeeze.returncode}) compressing {target}")
        else:
            os.close(fd)
            with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
                add_all(tar, paths, workspace)
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    return target.stat().st_size


def add_all(tar: tarfile.TarFile, paths: list[Path], workspace: Path) -> None:
    for path in paths:
        tar.add(path, arcname=archive_name(path, workspace))


def extract(archive: Path, workspace: Path) -> None:
    """Unpack an entry: its workspace tree into the workspace, the rest at their paths."""
    if archive.name.endswith(".tar.zst"):
        program = zstd()
        if program is None:
            raise OSError(f"{archive.name} needs zstd to unpack, and this runner has none")
        unsqueeze = subprocess.Popen(
            [program, "-q", "-d", "-c", str(archive)], stdout=subprocess.PIPE
        )
        assert unsqueeze.stdout is not None
        with unsqueeze.stdout, tarfile.open(fileobj=unsqueeze.stdout, mode="r|") as tar:
            unpack(tar, workspace)
        if unsqueeze.wait() != 0:
            raise OSError(f"zstd failed (exit {unsqueeze.returncode}) unpacking {archive}")
        return
    with tarfile.open(archive, "r:gz") as tar:
        unpack(tar, workspace)


def unpack(tar: tarfile.TarFile, workspace: Path) -> None:
    bases = {WORKSPACE: workspace, ROOT: Path("/")}
    for member in tar:
        top, _, rest = member.name.partition("/")
        if top not in bases:
            continue
        member.name = rest or "."
        if rest and member.isdir():
            (bases[top] / rest).mkdir(parents=True, exist_ok=True)
        if hasattr(tarfile, "tar_filter"):
            tar.extract(member, bases[top], filter="tar")
        else:  # pragma: no cover - Python < 3.11.4
            tar.extract(member, bases[top])


# ---- restore and save, as the action's steps -------------------------------------------


def restore(env: dict[str, str], folder: Path) -> tuple[str, dict[str, str]]:
    """Look up (and unless lookup-only, unpack) an entry. Returns a message and the outputs."""
    key = checked_key(env.get("INPUT_KEY", ""))
    restore_keys = lines(env.get("INPUT_RESTORE-KEYS", ""))
    patterns = lines(env.get("INPUT_PATH", ""))
    cross_os = truthy(env.get("INPUT_ENABLECROSSOSARCHIVE", ""))
    version = version_of(patterns, cross_os, compression())
    workspace = base_of(env)
    outputs = {"cache-primary-key": key, "cache-hit": "false", "cache-matched-key": ""}
    with locked(folder) as entries:
        entry = find(entries, key, restore_keys, version)
        lookup_only = truthy(env.get("INPUT_LOOKUP-ONLY", ""))
        if entry is not None and not lookup_only:
            entry["last_used"] = time.time()
    if entry is None:
        if truthy(env.get("INPUT_FAIL-ON-CACHE-MISS", "")):
            keys = ", ".join([key, *restore_keys])
            raise CacheError(
                "Failed to restore cache entry. Exiting as fail-on-cache-miss is set."
                f" Input key: {keys}"
            )
        return f"Cache not found for input keys: {', '.join([key, *restore_keys])}", outputs
    outputs["cache-matched-key"] = str(entry["key"])
    outputs["cache-hit"] = "true" if entry["key"] == key else "false"
    if lookup_only:
        return f"Cache found and can be restored from key: {entry['key']}", outputs
    extract(folder / str(entry["archive"]), workspace)
    return f"Cache restored from key: {entry['key']}", outputs


def save(
    env: dict[str, str], folder: Path, state: dict[str, str], max_bytes: int = MAX_BYTES
) -> str:
    """Save the paths under the key the main step computed, unless it was an exact hit."""
    key = state.get("primary") or checked_key(env.get("INPUT_KEY", ""))
    if state.get("matched") == key:
        return f"Cache hit occurred on the primary key {key}, not saving cache."
    patterns = lines(env.get("INPUT_PATH", ""))
    method = compression()
    version = version_of(patterns, truthy(env.get("INPUT_ENABLECROSSOSARCHIVE", "")), method)
    if any(e["key"] == key and e.get("version") == version for e in read_index(folder)):
        return f"Cache already exists for key {key}: not saving (another job saved it)."
    workspace = base_of(env)
    paths = resolve_paths(patterns, workspace)
    if not paths:
        return (
            "::warning::Path Validation Error: Path(s) specified in the action for caching"
            " do(es) not exist, hence no cache is being saved."
        )
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(f"{key}\0{version}".encode()).hexdigest()[:32]
    archive = digest + (".tar.zst" if method == "zstd" else ".tar.gz")
    size = make_archive(folder / archive, paths, workspace, method)
    own_like_folder(folder, folder / archive)
    if size > max_bytes:  # it would evict everything and still not fit
        (folder / archive).unlink()
        return (
            f"::warning::cache entry {key} ({size} bytes) is larger than the cap"
            f" ({max_bytes} bytes): not saved"
        )
    now = time.time()
    entry = {
        "key": key,
        "version": version,
        "archive": archive,
        "size": size,
        "created": now,
        "last_used": now,
        "workflow": env.get("GITHUB_WORKFLOW", ""),
        "job": env.get("GITHUB_JOB", ""),
        "repository": env.get("GITHUB_REPOSITORY", ""),
        "paths": patterns,
    }
    with locked(folder) as entries:
        for old in [e for e in entries if e["key"] == key and e.get("version") == version]:
            entries.remove(old)  # a racing job's: ours replaces it (same archive file name)
        entries.append(entry)
        evicted = evict(folder, entries, max_bytes)
    message = f"Cache saved with key: {key} ({size} bytes)"
    if evicted:
        message += f"; evicted (least recently used): {', '.join(str(e['key']) for e in evicted)}"
    return message


class CacheError(Exception):
    pass


def base_of(env: dict[str, str]) -> Path:
    """What relative ``path`` lines are relative to, and where the archive's tree of them
    unpacks: the workspace, or (the pipedeck-only input ``pipedeck-base``, which the
    setup-python stand-in gives for pip's cache) a folder of the job's own."""
    return Path(env.get("INPUT_PIPEDECK-BASE") or env.get("GITHUB_WORKSPACE") or Path.cwd())


def own_like_folder(folder: Path, *paths: Path) -> None:
    """A job container runs as root: what it writes into the host's cache folder is given
    the folder's owner, so that the user's own pipedeck can still prune it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    owner = folder.stat()
    if owner.st_uid == 0:
        return
    for path in paths:
        with contextlib.suppress(OSError):
            os.chown(path, owner.st_uid, owner.st_gid)


def checked_key(key: str) -> str:
    key = key.strip()
    if not key:
        raise CacheError("Input required and not supplied: key")
    if len(key) > 512:
        raise CacheError(f"Key Validation Error: {key} cannot be larger than 512 characters.")
    if "," in key:
        raise CacheError(f"Key Validation Error: {key} cannot contain commas.")
    return key


def truthy(value: str) -> bool:
    return value.strip().lower() == "true"


def append(path_variable: str, env: dict[str, str], values: dict[str, str]) -> None:
    target = env.get(path_variable)
    if target:
        with Path(target).open("a") as out:
            out.writelines(f"{name}={value}\n" for name, value in values.items())


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    print(
        "pipedeck: offline stand-in for actions/cache"
        f" ({'restore' if argv[:1] == ['restore'] else 'save'}, entries kept by pipedeck)"
    )
    folder_text = env.get(FOLDER_VARIABLE, "")
    if not folder_text:
        print(
            "::notice::actions/cache: no pipedeck cache folder reaches this job (pipedeck"
            " gives one to the runs it starts): cold cache, nothing restored or saved"
        )
        if argv[:1] == ["restore"]:
            key = env.get("INPUT_KEY", "").strip()
            append("GITHUB_OUTPUT", env, {"cache-hit": "false", "cache-primary-key": key})
        return 0
    folder = Path(folder_text)
    try:
        if argv[:1] == ["restore"]:
            message, outputs = restore(env, folder)
            append("GITHUB_OUTPUT", env, outputs)
            matched = outputs["cache-matched-key"]
            state = {"primary": outputs["cache-primary-key"], "matched": matched}
            append("GITHUB_STATE", env, state)
        else:
            state = {name: env.get(f"STATE_{name}", "") for name in ("primary", "matched")}
            message = save(env, folder, state)
    except CacheError as exc:
        print(f"::error::{exc}")
        return 1
    except (OSError, tarfile.TarError) as exc:  # a broken cache never fails the job
        print(f"::warning::actions/cache stand-in: {exc}")
        return 0
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
