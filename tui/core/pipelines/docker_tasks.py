"""Inside the driver, docker mode: kfp.local's ``DockerRunner`` tasks run pipedeck's way.

Pinned to kfp 2.17 like ``hooks.py``; two module attributes of ``kfp.local.docker_task_handler``
are replaced while the driver runs:

- ``DockerTaskHandler.run``: a KFP Python component gets the local component image instead of
  its ``base_image`` (kfp.local would pull ``python:3.11``), and KFP's ``pip install kfp``
  prefix is dropped (the image holds kfp: ``install_kfp_package=False`` semantics) while a
  ``packages_to_install`` install stays -- unless the caller built a derived image holding
  exactly that component's packages and index options (``tui.core.images.derived``, handed
  over in ``DERIVED_ENV_VAR``): then the task runs in that image and the whole install prefix
  is dropped;
- ``run_docker_container``: the container is labelled ``pipedeck.run=<run_id>`` (so a cancel
  can remove it), uses the host network (the local S3 server on 127.0.0.1), gets pipedeck's mounts
  and environment, runs as the calling user; its stdout/stderr become the task's logs; it is
  removed when it ends; and no image is ever pulled. With breakpoints (``PIPEDECK_DEBUG`` in
  the driver's environment) it is kept alive for the task's pauses (``docker_pause.py``).

kfp.local's own ``run_docker_container`` starts containers with ``auto_remove`` and reports exit
code 0 when the container is gone before it asked (kubeflow/pipelines#13332). Here the exit code
is read before the container is removed, and a Python component that exits 0 without writing
its ``executor_output.json`` (it died before the KFP executor finished) is reported as failed.

Imports only the standard library and pipedeck's driver-side modules at import time (the
docker SDK and kfp are imported when installed), so the caller can read the constants.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shlex
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core.images.containers import RUN_LABEL
from tui.core.images.derived import DERIVED_ENV_VAR, PackageSet, from_json
from tui.core.pipelines import docker_pause
from tui.core.pipelines.capture import ChunkLines, ExecutorLines
from tui.core.pipelines.command import pip_requirements, without_pip_prefix

TASK_LABEL = "pipedeck.task"
# The task containers' extra environment, as JSON, in the driver's environment.
CONTAINER_ENV_VAR = "PIPEDECK_CONTAINER_ENV"
EXECUTOR_MAIN = "kfp.dsl.executor_main"
_KFP_REQUIREMENT = re.compile(r"^kfp\s*($|[=<>~!\[;@ ])", re.I)
_RUN_REST = '"$0" "$@"'

Log = Callable[[str, str, str], None]  # (node id, stream, text)


def is_python_component(command: list[str]) -> bool:
    """A KFP lightweight Python component: its command runs the KFP executor."""
    return any(EXECUTOR_MAIN in part for part in command)


def without_kfp_install(command: list[str]) -> list[str]:
    """``command`` without KFP's ``pip install kfp`` step; other installs are kept."""
    if len(command) < 4 or command[:2] != ["sh", "-c"] or "pip install" not in command[2]:
        return command
    *steps, rest = command[2].split("&&")
    if rest.strip() != _RUN_REST:
        return command
    kept = [step for step in steps if not _installs_kfp(step)]
    if len(kept) == len(steps):
        return command
    if not any("pip install" in step for step in kept):
        return without_pip_prefix(command) or command
    return ["sh", "-c", "&&".join([*kept, rest]), *command[3:]]


def package_set(command: list[str]) -> PackageSet | None:
    """What the component's ``packages_to_install`` step installs (packages and index
    options; KFP's own ``pip install kfp`` step aside), or None when it installs nothing."""
    if len(command) < 4 or command[:2] != ["sh", "-c"] or "pip install" not in command[2]:
        return None
    *steps, rest = command[2].split("&&")
    if rest.strip() != _RUN_REST:
        return None
    packages: list[str] = []
    options: list[str] = []
    for step in steps:
        if "pip install" in step and not _installs_kfp(step):
            found = pip_requirements(["sh", "-c", f"{step}&&{_RUN_REST}", *command[3:]])
            packages += found.packages
            options += found.options
    return PackageSet.of(packages, options) if packages else None


def _installs_kfp(step: str) -> bool:
    try:
        words = shlex.split(step, posix=True)
    except ValueError:
        return False
    return "install" in words and any(_KFP_REQUIREMENT.match(w) for w in words)


def executor_output_file(command: list[str]) -> str | None:
    """Where the KFP executor of this (placeholder-resolved) command writes its output."""
    for flag, value in itertools.pairwise(command):
        if flag == "--executor_input":
            try:
                return str(json.loads(value)["outputs"]["outputFile"])
            except (ValueError, KeyError, TypeError):
                return None
    return None


def parse_mount(spec: str) -> tuple[str, dict[str, str]]:
    """``HOST:CONTAINER[:MODE]`` → a docker SDK volume entry."""
    host, _, rest = spec.partition(":")
    bind, _, mode = rest.partition(":")
    return host, {"bind": bind or host, "mode": mode or "rw"}


class DockerTasks:
    """Install with :meth:`install` after ``Hooks.install`` (it logs through the hooks)."""

    def __init__(
        self,
        run_id: str,
        image: str,
        log: Log,
        current_task: Callable[[], str],
        *,
        mounts: Mapping[str, dict[str, str]] | None = None,
        env: Mapping[str, str] | None = None,
        derived: Mapping[PackageSet, str] | None = None,
        emit: Callable[[ev.Event], None] | None = None,
    ) -> None:
        self.run_id = run_id
        self.image = image
        self.log = log
        self.current_task = current_task
        self.mounts = dict(mounts or {})
        self.env = dict(env or {})
        self.emit = emit or (lambda event: None)  # the pauses' node.paused / node.resumed
        self._saved: list[tuple[Any, str, Any]] = []
        # package set → the derived image holding it (built by the caller for this run)
        self.derived = (
            dict(derived) if derived is not None else from_json(os.environ.pop(DERIVED_ENV_VAR, ""))
        )
        self._replaced: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def runner(self) -> Any:
        from kfp import local

        return local.DockerRunner(network_mode="host")

    def install(self) -> None:
        from kfp.local import docker_task_handler as handler

        original_run = handler.DockerTaskHandler.run
        tasks = self

        def run(task_handler: Any) -> Any:
            task_handler.image, task_handler.full_command = tasks.prepare(
                str(task_handler.image), list(task_handler.full_command)
            )
            return original_run(task_handler)

        self._saved += [
            (handler.DockerTaskHandler, "run", original_run),
            (handler, "run_docker_container", handler.run_docker_container),
        ]
        handler.DockerTaskHandler.run = run
        handler.run_docker_container = self.run_container

    def uninstall(self) -> None:
        while self._saved:
            owner, attr, original = self._saved.pop()
            setattr(owner, attr, original)

    # -- before kfp.local's handler runs ------------------------------------------------------

    def prepare(self, image: str, command: list[str]) -> tuple[str, list[str]]:
        if not is_python_component(command):
            return image, command  # a container component keeps its own image
        target, note = self.image, "the local component image"
        prepared = without_kfp_install(command)
        packages = package_set(command) if self.derived else None
        derived = self.derived.get(packages) if packages is not None else None
        stripped = without_pip_prefix(command) if derived is not None else None
        if packages is not None and derived is not None and stripped is not None:
            # the derived image holds exactly these packages: nothing is left to install
            target, prepared = derived, stripped
            note = f"the local component image with {packages.describe()} preinstalled"
        if image != target:
            with self._lock:
                first = (image, target) not in self._replaced
                self._replaced.add((image, target))
            if first:
                self.log(
                    self.current_task(),
                    "system",
                    f"base_image {image} → {target} ({note}; docker mode pulls nothing)",
                )
        return target, prepared

    # -- the container -------------------------------------------------------------------------

    def run_container(
        self,
        client: Any,
        image: str,
        command: list[str],
        volumes: dict[str, Any],
        **run_args: Any,
    ) -> int:
        from docker.errors import ImageNotFound

        node_id = self.current_task()
        try:
            client.images.get(image)
        except ImageNotFound:
            self.log(
                node_id,
                "system",
                f"image {image} is not in the Docker engine and docker mode pulls nothing: "
                "`docker load` or build it",
            )
            return 1
        env = {**self.env, **_as_dict(run_args.pop("environment", None))}
        for key in ("detach", "auto_remove", "remove", "stdout", "stderr", "stream", "tty"):
            run_args.pop(key, None)
        run_args.setdefault("network_mode", "host")
        if os.getuid() != 0 and "user" not in run_args:
            run_args["user"] = f"{os.getuid()}:{os.getgid()}"  # its files stay the user's
            env.setdefault("HOME", "/tmp")  # noqa: S108  (in the container: pip needs a HOME)
        labels = {**_as_dict(run_args.pop("labels", None))}
        labels.update({RUN_LABEL: self.run_id, TASK_LABEL: node_id})
        create = dict(
            volumes={**self.mounts, **volumes}, environment=env, labels=labels, **run_args
        )
        if docker_pause.enabled():
            code = docker_pause.run(
                client, image, command, create, node_id, self.log, self.emit, self.run_id
            )
        else:
            code = self._run(client.containers.create(image, command, **create), node_id)
        if code == 0 and is_python_component(command):
            return self._check_executor_output(node_id, command)
        return code

    def _run(self, container: Any, node_id: str) -> int:
        try:
            container.start()
            readers = [
                threading.Thread(target=self._pump, args=(container, node_id, name), daemon=True)
                for name in ("stdout", "stderr")
            ]
            for reader in readers:
                reader.start()
            code = int(container.wait().get("StatusCode", 1))
            for reader in readers:
                reader.join(timeout=10)
        finally:
            with contextlib.suppress(Exception):  # the caller removes what is left by its label
                container.remove(force=True, v=True)
        return code

    def _check_executor_output(self, node_id: str, command: list[str]) -> int:
        path = executor_output_file(command)
        if path is None or Path(path).is_file():
            return 0
        self.log(
            node_id,
            "system",
            f"the container exited with code 0 but wrote no executor output ({path}): the "
            "component stopped before the KFP executor finished; reporting the task as failed "
            "(kfp.local's DockerRunner reports it as a success, kubeflow/pipelines#13332)",
        )
        return 1

    def _pump(self, container: Any, node_id: str, stream: str) -> None:
        lines = ExecutorLines("stdout" if stream == "stdout" else "stderr")
        try:
            chunks = container.logs(
                stream=True, follow=True, stdout=stream == "stdout", stderr=stream == "stderr"
            )
            for text in _lines(chunks):
                for kind, line in lines.feed(text):
                    self.log(node_id, kind, line)
        except Exception:  # the container went away (cancel): its logs end here
            return


def _lines(chunks: Any) -> Iterator[str]:
    split = ChunkLines()
    for chunk in chunks:
        yield from split.feed(chunk)
    yield from split.close()


def _as_dict(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    out = {}
    for item in value:
        key, _, val = str(item).partition("=")
        out[key] = val
    return out
