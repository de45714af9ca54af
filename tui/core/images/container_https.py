"""Can a job or task container reach a package index over HTTPS? Behind an intercepting proxy
it cannot until it trusts the proxy's CA (the ``ca_bundle`` setting, or the host's system CA
bundle, which trusts it where the host does).

:func:`probe` asks, in a throwaway container (``doctor`` and ``demo`` call it). Every answer is
kept in the state dir per (engine id, image id, CA bundle content), so ``auto`` decides from the
answers (:func:`trust`) and never probes on a run's way in: an answer missing or older than
``FRESH`` is asked for in the background, by a detached ``python -m
tui.core.images.container_https IMAGE BUNDLE…`` that outlives the run that started it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.paths import PRIVATE_FILE, private_dir, state_dir
from tui.core.workflows.act_argv import CONTAINER_CA_BUNDLE

HOST_BUNDLES = (
    Path("/etc/ssl/certs/ca-certificates.crt"),  # Debian, Ubuntu, Alpine
    Path("/etc/pki/tls/certs/ca-bundle.crt"),  # Fedora, RHEL
)
FRESH = 24 * 3600.0  # an answer older than this is asked for again (in the background)
PENDING = 300.0  # a background probe started this recently is not started again
PROBE_LABEL = "pipedeck.probe"
NO_BUNDLE = "-"  # the background probe's argv for "no bundle"
# curl where the image has it (the runner image), else Python's ssl (the component image)
SCRIPT = """url=$1; t=$2
if command -v curl >/dev/null 2>&1; then exec curl -sS --max-time "$t" -o /dev/null "$url"; fi
exec python3 -c 'import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])).close()
except Exception as exc:
    sys.exit("python3: %s" % getattr(exc, "reason", exc))' "$url" "$t"
"""


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str


@dataclass(frozen=True)
class Trust:
    """What the cached answers say about a container mode: whether its containers can verify
    HTTPS (or nothing says they cannot), the CA bundle to give them (the configured one, or
    the host's where that is what makes it work) and one line for the mode's reason."""

    works: bool
    bundle: Path | None
    note: str = ""


def host_bundle() -> Path | None:
    return next((p for p in HOST_BUNDLES if p.is_file()), None)


def index_url() -> str:
    return os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple/pip/"


def is_certificate_problem(detail: str) -> bool:
    lowered = detail.lower()
    return "certificate" in lowered or "ssl" in lowered


# -- probing ------------------------------------------------------------------------------


def probe(image: str, ca_bundle: Path | None, timeout: int = 30) -> Probe:
    """Reach the package index from a container of ``image`` (host network, as act runs
    jobs), with ``ca_bundle`` mounted where pipedeck mounts it; the answer is kept for
    :func:`trust`. Needs an engine and the image; the container is removed however it ends."""
    from tui.core.images import docker_engine

    client = docker_engine.client(timeout=timeout + 10)
    volumes, env = {}, {}
    if ca_bundle is not None:
        volumes[str(ca_bundle.resolve())] = {"bind": CONTAINER_CA_BUNDLE, "mode": "ro"}
        env = dict.fromkeys(("CURL_CA_BUNDLE", "SSL_CERT_FILE"), CONTAINER_CA_BUNDLE)
    url = index_url()
    container = None
    try:
        container = client.containers.create(
            image,
            ["sh", "-c", SCRIPT, "probe", url, str(timeout)],
            network_mode="host",
            volumes=volumes,
            environment=env,
            labels={PROBE_LABEL: "container-https"},
        )
        container.start()
        code = int(container.wait(timeout=timeout + 10).get("StatusCode", 1))
        text = container.logs(stdout=False, stderr=True).decode(errors="replace")
        ident = _identity(client, image)
    except Exception as exc:  # the engine's answer, not the index's: not kept
        return Probe(False, f"{url}: {_first_line(str(exc)) or type(exc).__name__}")
    finally:
        if container is not None:
            with contextlib.suppress(Exception):
                container.remove(force=True)
        client.close()
    found = Probe(True, f"{url} answers") if code == 0 else Probe(False, f"{url}: {_first(text)}")
    if ident is not None:
        _store(_key(*ident, ca_bundle), found, image, ca_bundle)
    return found


def _first(text: str) -> str:
    return _first_line(text) or "no answer"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


# -- the answers, kept --------------------------------------------------------------------


def cache_dir() -> Path:
    return state_dir() / "container-https"


def _identity(client: Any, image: str) -> tuple[str, str] | None:
    """(engine id, image id); None when either is unknown."""
    try:
        return str(client.info()["ID"]), str(client.api.inspect_image(image)["Id"])
    except Exception:
        return None


def _key(engine: str, image_id: str, bundle: Path | None) -> str:
    if bundle is None:
        content = NO_BUNDLE
    else:
        try:
            content = hashlib.sha256(bundle.read_bytes()).hexdigest()
        except OSError:
            content = f"unreadable {bundle}"
    return hashlib.sha256(f"{engine}\n{image_id}\n{content}".encode()).hexdigest()[:32]


def _store(key: str, found: Probe, image: str, bundle: Path | None) -> None:
    import json

    folder = private_dir(cache_dir())
    data = {"ok": found.ok, "detail": found.detail, "checked": time.time(), "image": image}
    data["bundle"] = str(bundle) if bundle is not None else ""
    tmp = folder / f"{key}.{os.getpid()}.tmp"
    with contextlib.suppress(OSError):
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        tmp.replace(folder / f"{key}.json")


def _lookup(key: str) -> tuple[Probe, float] | None:
    """The kept answer and its age in seconds."""
    import json

    try:
        data = json.loads((cache_dir() / f"{key}.json").read_text())
        found = Probe(bool(data["ok"]), str(data["detail"]))
        return found, max(0.0, time.time() - float(data["checked"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def refresh_later(image: str, bundles: list[Path | None]) -> bool:
    """Ask for these answers in a detached process (unless one was asked for lately); whether
    one was started. Never waits, never raises."""
    markers = []
    folder = private_dir(cache_dir())
    for bundle in bundles:
        marker = folder / _marker(image, bundle)
        with contextlib.suppress(OSError):
            if time.time() - marker.stat().st_mtime < PENDING:
                continue
        markers.append((bundle, marker))
    if not markers:
        return False
    env = {k: v for k, v in os.environ.items() if k != "PIPEDECK_RUN_ID"}  # no run's sweep
    argv = [sys.executable, "-m", "tui.core.images.container_https", image]
    argv += [str(b) if b is not None else NO_BUNDLE for b, _ in markers]
    try:
        for _, marker in markers:
            marker.touch()
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    except OSError:
        return False
    return True


def _marker(image: str, bundle: Path | None) -> str:
    """The file saying a background probe of ``image`` with ``bundle`` is under way."""
    return hashlib.sha256(f"{image}\n{bundle}".encode()).hexdigest()[:32] + ".pending"


# -- what auto may do ---------------------------------------------------------------------


def trust(image: str, configured: Path | None) -> Trust:
    """Whether containers of ``image`` can verify HTTPS, from the kept answers only (a probe
    is started in the background for what is missing or old). With ``configured`` (the
    ``ca_bundle`` setting) only that bundle counts. Without it, containers get the host's
    system CA bundle where they fail without it and it works, and also while nothing is
    known yet (it holds what the host trusts: it does no harm where it is not needed)."""
    from tui.core.images import docker_engine

    try:
        client = docker_engine.client(timeout=5)
    except Exception:
        return Trust(True, configured)
    try:
        ident = _identity(client, image)
    finally:
        client.close()
    if ident is None:
        return Trust(True, configured)
    first = _answer(image, ident, configured)
    failed = first is not None and not first.ok and is_certificate_problem(first.detail)
    if configured is not None or (first is not None and not failed):
        if not failed:
            return Trust(True, configured)
        note = f"containers cannot verify HTTPS even with ca_bundle {configured}"
        return Trust(False, configured, f"{note} ({first.detail if first else ''})")
    host = host_bundle()
    second = _answer(image, ident, host) if host is not None else None
    if host is None or (second is not None and not second.ok):
        if first is None:  # nothing known without a bundle: decided as before
            return Trust(True, None)
        if second is None:
            note = f"containers cannot verify HTTPS ({first.detail if first else ''})"
            return Trust(False, None, f"{note} and there is no system CA bundle to give them")
        note = "containers cannot verify HTTPS, with the host's CA bundle or without"
        return Trust(False, None, f"{note} ({second.detail})")
    why = "without it they cannot verify HTTPS" if failed else "checking whether they need it"
    return Trust(True, host, f"containers get the host's CA bundle {host} ({why})")


def _answer(image: str, ident: tuple[str, str], bundle: Path | None) -> Probe | None:
    """The kept answer for ``bundle`` (None: unknown); a probe is started when it is missing
    or old (with no bundle, the host's bundle is asked about too: the next run may need it)."""
    kept = _lookup(_key(*ident, bundle))
    if kept is None or kept[1] > FRESH:
        host = host_bundle()
        extra = [host] if bundle is None and host is not None else []
        refresh_later(image, [bundle, *extra])
    return kept[0] if kept is not None else None


def _main(argv: list[str]) -> None:
    """The background probe: ``IMAGE BUNDLE…`` (``-``: no bundle); each answer is kept."""
    image, bundles = argv[0], argv[1:]
    for name in bundles:
        bundle = None if name == NO_BUNDLE else Path(name)
        with contextlib.suppress(Exception):
            probe(image, bundle)
        (cache_dir() / _marker(image, bundle)).unlink(missing_ok=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
