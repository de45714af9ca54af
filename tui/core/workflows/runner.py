"""Run one GitHub Actions workflow through act and stream it as pipedeck events."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.errors import EXIT_CANCELLED, EXIT_OK, EXIT_RUN_FAILED
from tui.core.paths import private_dir, scratch_dir, state_dir
from tui.core.process import GroupProcess, stop_popen_group
from tui.core.stack import s3
from tui.core.store import RunRecord
from tui.core.sweep import RUN_ENV
from tui.core.workflows import act_cache, act_names, host_venv, run_files, standins
from tui.core.workflows.act_argv import (
    WorkflowRequest,
    build_argv,
    check_request,
    choose_event,
    find_act,
    free_port,
    run_env,
)
from tui.core.workflows.mode import ModeChoice, host_mode_lines

if TYPE_CHECKING:
    from tui.core import events as ev
    from tui.core.workflows.act_log import ActLogParser
    from tui.core.workflows.pauses import PauseWatch


class ActRunner:
    """One workflow run through act (run it through ``tui.core.runner.Run``)."""

    def __init__(self, request: WorkflowRequest, record: RunRecord, choice: ModeChoice) -> None:
        # The local stack's environment (the S3 server's endpoint, as steps reach it, and its
        # credentials) first, so `aws s3 cp` and boto3 reach it with no code change; the
        # user's env wins.
        stack = s3.run_env(for_containers=choice.mode == "docker")
        request = dataclasses.replace(request, env={**stack, **request.env})
        self.request = request
        self.record = record
        self.choice = choice
        self.run_id = record.run_id
        if request.as_act and request.event:  # act's own choice (act_command.act_event)
            self.event = request.event
        else:
            self.event = choose_event(request)
            check_request(request, self.event)
        if request.breakpoints or request.break_on_failure:
            from tui.core.workflows import breakpoints  # only a run with breakpoints

            breakpoints.check(request)
        self.act = find_act()
        self.standins = _standins(request)
        self._proc: GroupProcess | None = None
        self._parser: ActLogParser | None = None
        self._spawned = False
        self._spawn_error: Exception | None = None
        self._start = time.monotonic()
        self._scratch: Path | None = None
        self._files = contextlib.ExitStack()  # the private files, until the run ends
        self._mask: list[str] = []
        self._debug: Path | None = None  # breakpoints: the pauses' folder
        self._watch: PauseWatch | None = None
        self._argv: list[str] = []
        self._cancelled = False
        self._started_at: datetime | None = None
        self._named: set[str] = set()  # act's job keys whose container names are recorded
        self._containers: list[str] = []
        self._networks: list[str] = []

    def spawn(self) -> None:
        """Start act now, synchronously: everything its command line needs is made here (the
        scratch folder, the private secret and env files, the host venv, the action cache).
        :meth:`events` calls it unless the caller did first: the CLI does, so that what only
        reads act's output is imported while act starts. What goes wrong here is raised by
        :meth:`events`, where the run lifecycle reports it."""
        if self._spawned:
            return
        self._spawned = True
        self._start = time.monotonic()
        self._started_at = datetime.now(UTC)
        try:
            self._prepare_and_spawn()
        except Exception as exc:
            self._spawn_error = exc

    def _prepare_and_spawn(self) -> None:
        self.record.artifacts_dir.mkdir(parents=True, exist_ok=True)
        scratch = self._scratch = private_dir(scratch_dir(self.run_id))
        cache = act_cache.private_cache(scratch / "act-cache", self.request.workflows)
        env_values = run_env(self.request, self.choice.mode, self.record.artifacts_dir)
        copy = None
        if self.request.breakpoints or self.request.break_on_failure:
            self._debug = scratch / "debug"
            from tui.core.workflows import breakpoints
            from tui.core.workflows.pauses import PauseWatch

            workdir = self.request.act_cwd or self.request.project
            copy = breakpoints.write_copy(
                self.request.workflow.path,
                self._debug,
                self.request.breakpoints,
                self.request.break_on_failure,
                workdir,
            )
            env_values["PIPEDECK_DEBUG"] = str(self._debug)
            self._watch = PauseWatch(
                self.run_id,
                self._debug,
                docker=self.choice.mode == "docker",
                timeouts=breakpoints.timeouts(self.request.workflow.path, workdir),
            )
            self.record.meta.extra["debug"] = str(self._debug)
            self.record.write_meta()
        rerun = getattr(self.request, "rerun", None)  # `pipedeck rerun --failed` (rerun.py)
        if rerun is not None:
            copy = rerun.write_copy(self.request.workflow.path, scratch / "rerun")
        files = self._files.enter_context(
            run_files.private_files(self.request, scratch, env_values)
        )
        self._mask = [*files.mask, *s3.mask_values()]
        self._argv = build_argv(
            self.act,
            self.request,
            event=self.event,
            mode=self.choice.mode,
            image=self.choice.image,
            artifacts_dir=self.record.artifacts_dir,
            secret_file=files.secrets,
            env_file=files.env,
            artifact_port=free_port(),
            local_repositories=[*self.request.local_repositories, *self.standins],
            run_id=self.run_id,
            action_cache=cache,
            workflow_copy=copy,
            mounts=[self._debug] if self._debug is not None else [],
        )
        env = dict(os.environ)
        env.pop("PIPEDECK_ACT", None)
        env[RUN_ENV] = self.run_id  # every process of the run carries it (tui.core.sweep)
        if self.choice.mode == "host":
            env = host_step_env(env, host_venv.take(scratch / "venv"))
        if not self._cancelled:
            cwd = self.request.act_cwd or self.request.project
            self._proc = GroupProcess(self._argv, cwd=cwd, env=env)
            self._proc.spawn()
            atexit.register(self._kill)  # the caller never got to read it (Ctrl-C at once)

    def _kill(self) -> None:
        if self._proc is not None and self._proc.proc is not None:
            stop_popen_group(self._proc.proc, grace=2.0)

    async def events(self) -> AsyncIterator[ev.Event]:
        import asyncio  # after act is started (spawn)

        if not self._spawned:  # the TUI: off the event loop
            await asyncio.to_thread(self.spawn)
        try:
            if self._spawn_error is not None:
                raise self._spawn_error
            async for event in self._run():
                yield event
        finally:
            self.record.store_planned(self.request.dry_run)  # a dry run ran nothing
            atexit.unregister(self._kill)
            if self._proc is not None:  # an exception, or the consumer went away
                await self._proc.stop(grace=2.0)
            await self._remove_containers()
            self._files.close()
            if self._scratch is not None:
                await asyncio.to_thread(release_scratch, self._scratch, self.choice.mode)

    async def _run(self) -> AsyncIterator[ev.Event]:
        from tui.core import events as ev  # what reads act's output: imported as act starts
        from tui.core.masking import Masker
        from tui.core.workflows import job_outputs
        from tui.core.workflows.act_log import ActLogParser

        start = self._start
        masker = Masker(self._mask)
        yield masker.event(
            ev.RunStarted(
                run_id=self.run_id,
                kind="workflow",
                target=self.request.target,
                mode=self.choice.mode,
                argv=tuple(self._argv),
            )
        )
        yield ev.Log(
            run_id=self.run_id,
            stream="system",
            text=f"runner mode {self.choice.mode}: {self.choice.reason}",
        )
        if self.choice.mode == "host":
            for text in host_mode_lines():
                yield ev.Log(run_id=self.run_id, stream="system", text=text)
        for problem in (p for wf in self.request.workflows for p in wf.problems):
            text = f"warning: {problem} (pipedeck's check; act decides)"
            yield ev.Log(run_id=self.run_id, stream="system", text=text)
        if self.standins:
            names = standins.replaced(self.standins)
            yield ev.Log(
                run_id=self.run_id,
                stream="system",
                text=f"offline: local stand-ins replace {names}",
            )
        request = self.request
        callers = {j.id: j.name for wf in request.workflows for j in wf.jobs.values() if j.uses}
        # one workflow: node ids are its jobs; a folder's: "<workflow>/<job>", as act says
        prefix = "" if request.folder is not None else request.workflow.name
        outputs, hidden = job_outputs.for_parser(request)  # job.outputs; a re-run's stand-ins
        parser = ActLogParser(self.run_id, prefix, masker, callers, outputs, hidden)
        parser.cancelling = self._cancelled
        self._parser = parser
        exit_code = EXIT_RUN_FAILED
        if self._proc is not None:
            if self._cancelled:  # cancelled while act was starting
                await self._proc.stop()
            async for events in self._events_of(parser):
                for event in events:
                    yield self._watch.shown(event) if self._watch is not None else event
                if len(parser.jobs) != len(self._named):
                    self._record_names(parser)
            exit_code = await self._proc.wait()
            self._proc = None
        if self._cancelled:
            yield ev.RunFinished(
                run_id=self.run_id,
                status="cancelled",
                exit_code=EXIT_CANCELLED,
                duration=round(time.monotonic() - start, 3),
                error="cancelled by the user",
            )
            return
        for event in parser.finish():  # what act gave no result: not run, not invented
            yield event
        ok = exit_code == 0
        for event in await self._stored_objects():
            yield event
        error = ""
        if not ok:
            failed = [j.name for j in parser.jobs.values() if j.status == "failure"]
            error = (
                f"failed job(s): {', '.join(failed)}" if failed else f"act exited with {exit_code}"
            )
        # Jobs act left open (it crashed, or never reported them) are closed by the run
        # lifecycle (tui.core.runner), not invented here.
        yield ev.RunFinished(
            run_id=self.run_id,
            status="success" if ok else "failure",
            exit_code=EXIT_OK if ok else EXIT_RUN_FAILED,
            duration=round(time.monotonic() - start, 3),
            error=masker.text(error),
        )

    async def _events_of(self, parser: ActLogParser) -> AsyncIterator[list[ev.Event]]:
        """act's output as events; with breakpoints, the pauses' events among them."""
        assert self._proc is not None
        if self._watch is not None:
            async for events in self._watch.beside(self._proc, parser):
                yield events
            return
        async for batch in self._proc.batches():
            yield parser.feed_batch((line.text, line.stream) for line in batch)

    def _record_names(self, parser: ActLogParser) -> None:
        """Docker mode: the names act gives the containers and networks of each job it
        started that our label cannot reach (``container:`` jobs, services), kept in
        meta.json so a run killed with them running can be swept (``tui.core.sweep``)."""
        if self.choice.mode != "docker":
            self._named.update(parser.jobs)
            return
        jobs = {job_id: j for wf in self.request.workflows for job_id, j in wf.jobs.items()}
        for key, job in parser.jobs.items():
            if key in self._named:
                continue
            self._named.add(key)
            services = jobs[job.job_id].services if job.job_id in jobs else ()
            self._containers.append(act_names.job_container(key))
            self._containers += [act_names.service_container(key, s) for s in services]
            if services:
                self._networks.append(act_names.job_network(key, job.job_id))
        self.record.meta.extra.update(containers=self._containers, networks=self._networks)
        self.record.write_meta()

    @property
    def pid(self) -> int | None:
        """The run's child process (its process tree is what the run is running)."""
        return self._proc.pid if self._proc is not None else None

    async def cancel(self) -> None:
        self._cancelled = True
        if self._parser is not None:
            self._parser.cancelling = True
        if self._proc is not None and self._proc.proc is not None:
            await self._proc.stop()

    async def _stored_objects(self) -> list[ev.Event]:
        """What the run left (its artifact folder, its S3 objects) as artifacts, hashed."""
        import asyncio

        from tui.core.workflows.run_artifacts import run_artifacts

        if self._started_at is None:
            return []
        folder = self.record.artifacts_dir
        return await asyncio.to_thread(run_artifacts, self.run_id, self._started_at, folder)

    async def _remove_containers(self) -> None:
        """Docker mode: what the run's containers and networks left (on a cancel, a crash),
        by its label and the names it recorded - never anyone else's."""
        if self.choice.mode != "docker" or self._started_at is None:
            return
        import asyncio

        from tui.core.images import containers

        await asyncio.to_thread(
            containers.remove_run_containers,
            self.run_id,
            self._containers,
            self._networks,
            self._started_at,
        )


def _standins(request: WorkflowRequest) -> list[str]:
    """Stand-ins for the well-known actions the workflows use, when offline (an action the
    user points at a folder of theirs with --local-repository keeps it)."""
    if not standins.used_standins(request.workflows):
        return []
    if request.offline or not standins.github_reachable():
        return standins.local_repositories(request.workflows, request.local_repositories)
    return []


def release_scratch(scratch: Path, mode: str) -> None:
    """The run's scratch folder goes; what the next run can use as it is stays."""
    act_cache.give_back(scratch / "act-cache")
    if mode == "host":
        host_venv.give_back(scratch / "venv")
    shutil.rmtree(scratch, ignore_errors=True)


def host_step_env(env: dict[str, str], venv_bin: Path) -> dict[str, str]:
    """The environment host-mode steps inherit: the run's own virtualenv first on PATH (a
    step's ``pip install`` lands there, never in the user's Python or pipedeck's, which is
    taken off PATH), then a tools folder holding only ``aws`` (the awscli pipedeck ships, as
    GitHub's runners have one)."""
    env = dict(env)
    own_bin = Path(sys.prefix) / "bin"
    if sys.prefix != sys.base_prefix:
        env.pop("VIRTUAL_ENV", None)
        parts = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != own_bin]
    else:
        parts = [p for p in env.get("PATH", "").split(os.pathsep) if p]
    tools = _tools_dir(own_bin)
    first = [str(venv_bin), *([str(tools)] if tools else [])]
    env["PATH"] = os.pathsep.join([*first, *parts])
    env["VIRTUAL_ENV"] = str(venv_bin.parent)
    return env


def _tools_dir(own_bin: Path) -> Path | None:
    aws = own_bin / "aws"
    if not aws.exists():
        return None
    tools = state_dir() / "tools"
    link = tools / "aws"
    if not (link.is_symlink() and link.resolve() == aws.resolve()):
        tools.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(aws)
    return tools
