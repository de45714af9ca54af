"""``PipelineRunner``: one pipeline run through kfp.local, as a stream of events.

Mode ``subprocess`` runs tasks as processes in the component environment; mode ``docker`` runs
them in containers of the component image (``docker_mode.py``, ``docker_tasks.py``), which are
removed by their ``pipedeck.run`` label when the run ends or is cancelled. Before a docker run's
tasks start, the derived images holding its components' ``packages_to_install`` are built if
the engine lacks them (``tui.core.images.derived``, the build's output as ``system`` logs).

It builds the component environment if needed (pip's output as ``system`` logs), then starts
the driver (``driver.py``) with that environment's Python in its own process group and turns
the driver's JSON lines into events. ``cancel()`` stops the group: the driver and every task
process go. Run it through ``tui.core.runner.Run``, which closes the tasks the driver left open.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import json
import os
import shutil
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core import metric_lines
from tui.core.errors import EXIT_CANCELLED, EXIT_MISSING_PREREQ, EXIT_OK, EXIT_RUN_FAILED
from tui.core.images import derived as derived_images
from tui.core.masking import Masker
from tui.core.paths import private_dir, scratch_dir
from tui.core.pipelines import docker_mode, from_task, task_pause
from tui.core.pipelines.docker_tasks import CONTAINER_ENV_VAR
from tui.core.pipelines.env import ComponentEnv
from tui.core.process import GroupProcess
from tui.core.stack import s3
from tui.core.sweep import RUN_ENV

LOG_TAIL = 30  # log lines kept per task, for the failure message
SHOWN_TAIL = 10


@dataclass
class PipelineRunOptions:
    spec_path: Path  # the compiled pipeline YAML
    target: str  # what the user named, for run.started
    run_dir: Path  # the run's directory in the run store
    project: Path
    env: ComponentEnv
    arguments: Mapping[str, Any] = field(default_factory=dict)
    cache: bool = True
    cache_root: Path | None = None  # shared between runs; None keeps it in the run dir
    mode: str = "subprocess"  # or "docker": tasks in containers of ``image``
    mode_reason: str = ""  # why this mode (a system log line at the start), if chosen
    image: str = ""
    ca_bundle: Path | None = None  # docker: mounted into every task container
    # docker: images with the components' packages preinstalled, built before the tasks start
    derived: tuple[derived_images.DerivedImage, ...] = ()
    debug: Path | None = None  # breakpoints: the pauses' folder (task_pause.py)
    breakpoints: tuple[str, ...] = ()  # task node ids to pause before
    break_on_failure: bool = False
    source: Path | None = None  # the pipeline file: a retry takes its edits
    from_plan: from_task.FromPlan | None = None  # --from TASK: what runs again

    @property
    def pipeline_root(self) -> Path:
        return self.run_dir / "pipeline_root"


@dataclass
class _Ended:
    """How a set-up command ended (filled in by ``PipelineRunner._child``)."""

    code: int = 0
    last: str = ""  # its last output line, or "exit code N" when it printed none


class PipelineRunner:
    """Implements ``tui.core.runner.Runner`` for a local kfp.local run (subprocess or docker)."""

    def __init__(self, run_id: str, options: PipelineRunOptions) -> None:
        self.run_id = run_id
        self.options = options
        self.mode = options.mode
        self._proc: GroupProcess | None = None
        self._cancelled = False
        self._logs: dict[str, deque[str]] = {}
        self._stderr: deque[str] = deque(maxlen=LOG_TAIL)
        self._derived: list[derived_images.DerivedImage] = []  # built: the driver uses them

    def driver_argv(self) -> list[str]:
        o = self.options
        argv = [
            str(o.env.python),
            "-m",
            "tui.core.pipelines.driver",
            "--spec",
            str(o.spec_path),
            "--run-id",
            self.run_id,
            "--pipeline-root",
            str(o.pipeline_root),
            "--arguments",
            json.dumps(dict(o.arguments)),
        ]
        if o.mode == "docker":
            argv += ["--docker-image", o.image]
            for mount in docker_mode.container_mounts(o.run_dir.parent, o.ca_bundle):
                argv += ["--mount", mount]
        else:
            argv.append("--skip-pip")
        if o.cache:
            argv.append("--cache")
            if o.cache_root is not None:
                argv += ["--cache-root", str(o.cache_root)]
        argv += from_task.driver_args(o.from_plan)
        return argv

    @property
    def pid(self) -> int | None:
        """The run's child process (its process tree is what the run is running)."""
        return self._proc.pid if self._proc is not None else None

    async def cancel(self) -> None:
        self._cancelled = True
        if self._proc is not None:
            await self._proc.stop(grace=5.0)

    async def events(self) -> AsyncIterator[ev.Event]:
        """The run's events, the local S3 server's secret key masked in every one of them
        (the components get it in their environment)."""
        masker = Masker(s3.mask_values())
        async for event in self._events():
            yield masker.event(event)

    async def _events(self) -> AsyncIterator[ev.Event]:
        started = time.monotonic()
        yield ev.RunStarted(
            run_id=self.run_id,
            kind="pipeline",
            target=self.options.target,
            mode=self.mode,
            argv=tuple(self.driver_argv()),
        )
        if self.options.mode_reason:
            yield self._log(f"runner mode {self.mode}: {self.options.mode_reason}")
        finished: ev.RunFinished | None = None
        removed: list[str] = []
        try:
            if not self.options.env.is_ready():
                async for event in self._build_env():
                    if isinstance(event, ev.RunFinished):
                        finished = event
                    else:
                        yield event
            self.options.env.link_driver()
            if finished is None and not self._cancelled and self.options.derived:
                async for event in self._build_derived():
                    yield event
            if finished is None and not self._cancelled:
                async for event in self._drive():
                    if isinstance(event, ev.RunFinished):
                        finished = event
                    else:
                        yield event
        finally:
            if self._proc is not None:
                await self._proc.stop(grace=2.0)
            if self.mode == "docker":  # what the driver could not remove (it was killed)
                removed = await asyncio.to_thread(docker_mode.remove_run_containers, self.run_id)
            # the driver's and the tasks' temp files (kfp's ephemeral_component.py, its
            # workspaces); outputs stay in the run store's pipeline_root
            await asyncio.to_thread(shutil.rmtree, scratch_dir(self.run_id), True)
        if removed:
            yield self._log(f"removed the run's task containers: {', '.join(removed)}")
        if finished is None:
            if self._cancelled:
                finished = self._finished("cancelled", EXIT_CANCELLED, "cancelled")
            else:
                finished = self._finished("failure", EXIT_RUN_FAILED, "the run ended unexpectedly")
        yield ev.RunFinished(
            run_id=self.run_id,
            status=finished.status,
            exit_code=finished.exit_code,
            duration=round(time.monotonic() - started, 3),
            error=finished.error,
        )

    def _finished(self, status: ev.RunStatus, code: int, error: str = "") -> ev.RunFinished:
        return ev.RunFinished(
            run_id=self.run_id, status=status, exit_code=code, duration=0.0, error=error
        )

    def _log(self, text: str, stream: ev.Stream = "system", node_id: str = "") -> ev.Log:
        return ev.Log(run_id=self.run_id, node_id=node_id, stream=stream, text=text)

    # -- the component environment ----------------------------------------------------------

    async def _build_env(self) -> AsyncIterator[ev.Event]:
        env = self.options.env
        env.path.parent.mkdir(parents=True, exist_ok=True)
        with (env.path.parent / f"{env.path.name}.lock").open("a") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield self._log(f"component environment: another run is building {env.path}")
                await asyncio.to_thread(fcntl.flock, lock.fileno(), fcntl.LOCK_EX)
            try:
                if env.is_ready():
                    return
                packages = " ".join(env.requirements)
                yield self._log(f"component environment: creating {env.venv} ({packages})")
                begun = time.monotonic()
                env.reset()
                for argv in env.create_commands():
                    ended = _Ended()
                    child_env = {**os.environ, RUN_ENV: self.run_id}
                    async for event in self._child(argv, child_env, "component environment", ended):
                        yield event
                    if self._cancelled:
                        return
                    if ended.code != 0:
                        why = f"could not create the component environment at {env.venv}"
                        yield self._finished("failure", EXIT_MISSING_PREREQ, f"{why}: {ended.last}")
                        return
                seconds = time.monotonic() - begun
                env.mark_ready(seconds)
                yield self._log(f"component environment: ready in {seconds:.1f}s")
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    async def _child(
        self, argv: list[str], env: dict[str, str], what: str, ended: _Ended
    ) -> AsyncIterator[ev.Event]:
        """Run a set-up command (a venv, an image build) as this run's child, each line a
        ``what: …`` system log; ``ended`` gets its exit code and its last line."""
        self._proc = GroupProcess(argv, env=env)
        await self._proc.start()
        last: str | None = None
        async for line in self._proc.lines():
            last = line.text
            yield self._log(f"{what}: {line.text}")
        ended.code = await self._proc.wait()
        ended.last = f"exit code {ended.code}" if last is None else last
        self._proc = None

    # -- docker: the derived component images ----------------------------------------------

    async def _build_derived(self) -> AsyncIterator[ev.Event]:
        """Build the derived images the engine lacks, one at a time; an image that cannot be
        built is left out (its tasks pip-install in their containers, as without it)."""
        wanted = self.options.derived
        absent = {i.ref for i in await asyncio.to_thread(derived_images.missing, wanted)}
        for image in wanted:
            if self._cancelled:
                return
            if image.ref in absent:
                async for event in self._build_one(image):
                    yield event
            else:
                self._derived.append(image)
        await asyncio.to_thread(derived_images.mark_used, self._derived)

    async def _build_one(self, image: derived_images.DerivedImage) -> AsyncIterator[ev.Event]:
        what = image.packages.describe()
        with derived_images.lock_file(image.ref).open("a") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield self._log(f"component image: another run is building {image.ref}")
                await asyncio.to_thread(fcntl.flock, lock.fileno(), fcntl.LOCK_EX)
                if not await asyncio.to_thread(derived_images.missing, [image]):
                    self._derived.append(image)  # that run built it
                    return
            try:
                yield self._log(
                    f"building component image for {what} (first run with these packages): "
                    f"{image.ref}"
                )
                begun = time.monotonic()
                argv, spec = derived_images.build_command(image, self.options.ca_bundle)
                ended = _Ended()
                env = {**os.environ, **spec, RUN_ENV: self.run_id}
                async for event in self._child(argv, env, "component image", ended):
                    yield event
                if self._cancelled:
                    return
                if ended.code != 0:
                    yield self._log(
                        f"could not build the component image for {what} ({ended.last}); its tasks "
                        "pip-install them in their containers"
                    )
                    return
                self._derived.append(image)
                seconds = time.monotonic() - begun
                yield self._log(f"component image {image.ref} built in {seconds:.1f}s")
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    # -- the driver -------------------------------------------------------------------------

    async def _drive(self) -> AsyncIterator[ev.Event]:
        o = self.options
        o.pipeline_root.mkdir(parents=True, exist_ok=True)
        driver_path = str(o.env.driver_path)
        # The local stack's environment (the S3 server's endpoint + credentials) reaches
        # every component, so boto3 code talks to it with no change.
        env = {**os.environ, **s3.run_env(), RUN_ENV: self.run_id}
        tmp = private_dir(scratch_dir(self.run_id) / "tmp")
        env.update(TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp))
        if o.mode == "docker":  # the task containers' environment (not in argv: credentials)
            env[CONTAINER_ENV_VAR] = json.dumps(docker_mode.container_env(o.ca_bundle))
            env[derived_images.DERIVED_ENV_VAR] = derived_images.to_json(self._derived)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (driver_path, env.get("PYTHONPATH")) if p)
        env["PIPEDECK_DRIVER_PATH"] = driver_path
        if o.debug is not None:
            env.update(task_pause.driver_env(o.debug, o.breakpoints, o.break_on_failure, o.source))
        self._proc = GroupProcess(self.driver_argv(), cwd=o.project, env=env)
        await self._proc.start()
        result: dict[str, Any] | None = None
        async for line in self._proc.lines():
            if line.stream == "stderr":
                self._stderr.append(line.text)
                yield self._log(line.text, "stderr")
                continue
            try:
                data = json.loads(line.text)
            except ValueError:
                yield self._log(line.text, "stdout")
                continue
            if data.get("type") == "driver.result":
                result = data
                continue
            try:
                event = ev.from_dict(data)
            except ValueError:
                yield self._log(line.text, "stdout")
                continue
            yield self._track(event)
            if isinstance(event, ev.Log) and event.node_id:
                metric = metric_lines.parse(event.text)
                if metric is not None:  # a task printing ::metric name=…,step=…::value
                    yield ev.Metric(
                        run_id=self.run_id,
                        name=metric.name,
                        value=metric.value,
                        step=metric.step,
                        source="kfp",
                        node_id=event.node_id,
                    )
        code = await self._proc.wait()
        yield self._outcome(code, result)

    def _track(self, event: ev.Event) -> ev.Event:
        if isinstance(event, ev.NodeFinished):
            if self._cancelled and event.status == "failure":
                return dataclasses.replace(event, status="cancelled")
        elif isinstance(event, ev.Log) and event.node_id and event.stream != "system":
            self._logs.setdefault(event.node_id, deque(maxlen=LOG_TAIL)).append(event.text)
        return event

    def _outcome(self, code: int, result: dict[str, Any] | None) -> ev.RunFinished:
        if self._cancelled:
            return self._finished("cancelled", EXIT_CANCELLED, "cancelled")
        if result is None:
            tail = "\n".join(self._stderr) or "(no output)"
            return self._finished(
                "failure", EXIT_RUN_FAILED, f"the kfp.local driver exited with code {code}:\n{tail}"
            )
        if result.get("status") == "success" and code == 0:
            return self._finished("success", EXIT_OK)
        if result.get("status") == "error":
            return self._finished("failure", EXIT_MISSING_PREREQ, str(result.get("error", "")))
        return self._finished("failure", EXIT_RUN_FAILED, self._failure_message(result))

    def _failure_message(self, result: dict[str, Any]) -> str:
        failed = [str(f) for f in result.get("failed") or []]
        if not failed:
            return str(result.get("error") or "the pipeline failed")
        node = failed[0]
        lines = _user_frames(list(self._logs.get(node, ())))[-SHOWN_TAIL:]
        text = f"task {node!r} failed"
        if len(failed) > 1:
            text += f" (and {len(failed) - 1} more: {', '.join(failed[1:])})"
        if lines:
            text += "; its last log lines:\n" + "\n".join(f"  {line}" for line in lines)
        return text


def _user_frames(lines: list[str]) -> list[str]:
    """A component's traceback from the user's code on (kfp's executor frames are noise)."""
    for index, line in enumerate(lines):
        if "ephemeral_component.py" in line and line.lstrip().startswith("File "):
            return lines[index:]
    return lines
