"""``ClusterPipelineRunner``: one pipeline run on Kubeflow Pipelines (the pipedeck kind cluster,
or any KFP given by ``--kfp-host``), as a stream of events.

It loads locally built component images into kind (``kind load docker-image``), creates the
run with ``kfp.Client.create_run_from_pipeline_package`` (experiment ``pipedeck``), polls
``get_run`` and turns ``run_details.task_details`` into node events (``task_map``), and streams
the ``main`` container logs of the run's pods (``pod_logs``). CANCELED is final (kfp's
``wait_for_run_completion`` does not treat it so). ``cancel()`` is ``terminate_run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core.cluster.pod_logs import PodLogs
from tui.core.cluster.task_map import RUN_FINAL, TaskTracker
from tui.core.errors import (
    EXIT_CANCELLED,
    EXIT_MISSING_PREREQ,
    EXIT_OK,
    EXIT_RUN_FAILED,
    MissingPrerequisite,
)
from tui.core.pipelines.spec import PipelineSpec

EXPERIMENT = "pipedeck"
HEALTHZ = "/apis/v2beta1/healthz"
POLL = 2.0
CANCEL_WAIT = 120.0


class KfpUnavailable(MissingPrerequisite):
    """The API does not answer, refuses us, or is not KFP."""


@dataclass(frozen=True)
class KfpTarget:
    """Where runs go: the API, how to authenticate, and how to read pod logs."""

    host: str
    token: str = ""
    namespace: str = ""  # a multi-user KFP's profile namespace; "" for single-user
    pod_namespace: str = "kubeflow"
    kubeconfig: Path | None = None  # None: the default kubeconfig, if there is one
    kube_context: str = ""
    kind_cluster: str = ""  # set when the target is pipedeck's kind cluster
    ui_host: str = ""

    @property
    def mode(self) -> str:
        return "cluster" if self.kind_cluster else "kfp-host"


@dataclass
class ClusterRunOptions:
    spec_path: Path  # the compiled pipeline YAML
    spec: PipelineSpec
    target: str  # what the user named, for run.started
    kfp: KfpTarget
    arguments: Mapping[str, Any] = field(default_factory=dict)
    cache: bool = True
    run_name: str = ""
    poll: float = POLL
    # Component images present in the local Docker engine, loaded into kind before the run.
    load_images: Callable[[list[str]], list[str]] | None = None


class ClusterPipelineRunner:
    """Implements ``tui.core.runner.Runner`` for a run on KFP."""

    def __init__(self, run_id: str, options: ClusterRunOptions) -> None:
        self.run_id = run_id
        self.options = options
        self.mode = options.kfp.mode
        self.kfp_run_id = ""
        self._client: Any = None
        self._cancelled = False
        self._wake = asyncio.Event()
        self._logs: PodLogs | None = None

    def argv(self) -> tuple[str, ...]:
        k = self.options.kfp
        out = ["kfp.Client", f"host={k.host}", f"experiment={EXPERIMENT}"]
        if k.namespace:
            out.append(f"namespace={k.namespace}")
        return tuple(out)

    @property
    def pid(self) -> int | None:
        """Nothing of the run runs locally: its pods are on the cluster."""
        return None

    async def cancel(self) -> None:
        self._cancelled = True
        self._wake.set()
        if self._client is not None and self.kfp_run_id:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._client.terminate_run, self.kfp_run_id)

    async def events(self) -> AsyncIterator[ev.Event]:
        started = time.monotonic()
        tracker = TaskTracker(self.run_id, self.options.spec)
        yield ev.RunStarted(
            run_id=self.run_id,
            kind="pipeline",
            target=self.options.target,
            mode=self.mode,
            argv=self.argv(),
        )
        finished: ev.RunFinished | None = None
        try:
            async for event in self._run(tracker):
                if isinstance(event, ev.RunFinished):
                    finished = event
                else:
                    yield event
        except KfpUnavailable as exc:
            finished = self._finished("failure", EXIT_MISSING_PREREQ, exc.message)
        except Exception as exc:
            finished = self._finished("failure", EXIT_RUN_FAILED, _api_error(exc, self.options))
        finally:
            if self._logs is not None:
                self._logs.stop()
        if self._logs is not None:
            for event in self._log_events():
                yield event
        status: ev.NodeStatus = "cancelled" if self._cancelled else "failure"
        if finished is not None and finished.status == "success":
            status = "success"
        for event in tracker.close(status):
            yield event
        if finished is None:
            finished = (
                self._finished("cancelled", EXIT_CANCELLED, "cancelled")
                if self._cancelled
                else self._finished("failure", EXIT_RUN_FAILED, "the run ended unexpectedly")
            )
        yield ev.RunFinished(
            run_id=self.run_id,
            status=finished.status,
            exit_code=finished.exit_code,
            duration=round(time.monotonic() - started, 3),
            error=finished.error,
        )

    async def _run(self, tracker: TaskTracker) -> AsyncIterator[ev.Event]:
        o = self.options
        if o.load_images is not None and o.spec.images:
            yield self._log(f"loading local component images into kind: {', '.join(o.spec.images)}")
            for line in await asyncio.to_thread(o.load_images, list(o.spec.images)):
                yield self._log(line)
        if self._cancelled:
            return
        await asyncio.to_thread(self._precheck)
        self._client = await asyncio.to_thread(self._make_client)
        self.kfp_run_id = await asyncio.to_thread(self._create_run)
        ui = (o.kfp.ui_host or o.kfp.host).rstrip("/")
        yield self._log(f"KFP run {self.kfp_run_id}: {ui}/#/runs/details/{self.kfp_run_id}")
        if self._cancelled:  # cancelled while the run was being created
            await self.cancel()
        loop = asyncio.get_running_loop()
        self._logs, note = await asyncio.to_thread(self._pod_logs, tracker, loop)
        if note:
            yield self._log(note)
        deadline: float | None = None
        while True:
            run = await asyncio.to_thread(self._client.get_run, self.kfp_run_id)
            details = (run.run_details.task_details if run.run_details else None) or []
            for event in tracker.update(task.to_dict() for task in details):
                yield event
            if self._logs is not None:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self._logs.poll)
                for event in self._log_events():
                    yield event
            state = str(run.state or "")
            if state in RUN_FINAL:
                if self._logs is not None:
                    await asyncio.to_thread(_finish_quietly, self._logs)
                    for event in self._log_events():
                        yield event
                for event in tracker.update(task.to_dict() for task in details):
                    yield event
                yield self._outcome(state, run)
                return
            if self._cancelled:
                deadline = deadline or time.monotonic() + CANCEL_WAIT
                if time.monotonic() > deadline:
                    yield self._finished(
                        "cancelled", EXIT_CANCELLED, f"cancelled (KFP still reports {state})"
                    )
                    return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), o.poll)

    # -- kfp ------------------------------------------------------------------------------

    def _precheck(self) -> None:
        """One healthz request first: kfp.Client's own check retries for 25 s and logs
        tracebacks when the API refuses or is not KFP."""
        k = self.options.kfp
        request = urllib.request.Request(k.host + HEALTHZ)  # noqa: S310
        if k.token:
            request.add_header("Authorization", f"Bearer {k.token}")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise KfpUnavailable(_http_message(k.host, exc.code, exc.reason)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise KfpUnavailable(
                f"KFP at {k.host} does not answer ({reason}): "
                + ("check --kfp-host" if k.mode == "kfp-host" else "run `pipedeck up --cluster`")
            ) from None
        except ValueError:
            raise KfpUnavailable(
                f"{k.host}{HEALTHZ} is not KFP's API (no JSON): check --kfp-host"
            ) from None

    def _make_client(self) -> Any:
        import kfp

        k = self.options.kfp
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            return kfp.Client(
                host=k.host,
                existing_token=k.token or None,
                namespace=k.namespace or "kubeflow",
                ui_host=k.ui_host or None,
            )

    def _create_run(self) -> str:
        o = self.options
        # kfp.Client prints links to stdout, which belongs to --json: keep it quiet.
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            result = self._client.create_run_from_pipeline_package(
                str(o.spec_path),
                arguments=dict(o.arguments),
                run_name=o.run_name or f"{o.target} ({self.run_id})",
                experiment_name=EXPERIMENT,
                namespace=o.kfp.namespace or None,
                enable_caching=o.cache,
            )
        return str(result.run_id)

    def _pod_logs(
        self, tracker: TaskTracker, loop: asyncio.AbstractEventLoop
    ) -> tuple[PodLogs | None, str]:
        k = self.options.kfp
        try:
            from kubernetes import client, config  # type: ignore[import-untyped]

            api_client = config.new_client_from_config(
                config_file=str(k.kubeconfig) if k.kubeconfig else None,
                context=k.kube_context or None,
            )
        except Exception as exc:
            return None, (
                f"pod logs: no kubeconfig for this KFP ({_first(exc)}); task logs are in the KFP UI"
            )
        logs = PodLogs(
            client.CoreV1Api(api_client),
            k.pod_namespace,
            self.kfp_run_id,
            tracker,
            notify=lambda: _call_soon(loop, self._wake.set),
        )
        return logs, ""

    def _log_events(self) -> list[ev.Log]:
        assert self._logs is not None
        return [
            ev.Log(run_id=self.run_id, node_id=node, stream=stream, text=text)
            for node, stream, text in self._logs.drain()
        ]

    def _outcome(self, state: str, run: Any) -> ev.RunFinished:
        if state == "SUCCEEDED":
            return self._finished("success", EXIT_OK)
        if state == "CANCELED" or self._cancelled:
            return self._finished("cancelled", EXIT_CANCELLED, "cancelled")
        error = getattr(getattr(run, "error", None), "message", "") or ""
        if state == "SKIPPED":
            return self._finished("failure", EXIT_RUN_FAILED, error or "KFP skipped the run")
        return self._finished("failure", EXIT_RUN_FAILED, error or f"the run ended {state}")

    def _finished(self, status: ev.RunStatus, code: int, error: str = "") -> ev.RunFinished:
        return ev.RunFinished(
            run_id=self.run_id, status=status, exit_code=code, duration=0.0, error=error
        )

    def _log(self, text: str) -> ev.Log:
        return ev.Log(run_id=self.run_id, stream="system", text=text)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    with contextlib.suppress(RuntimeError):  # the loop closed
        loop.call_soon_threadsafe(callback)


def _finish_quietly(logs: PodLogs) -> None:
    with contextlib.suppress(Exception):
        logs.finish()


def _api_error(exc: BaseException, options: ClusterRunOptions) -> str:
    """One line for the user from kfp_server_api / urllib3 / kubernetes errors."""
    host = options.kfp.host
    status = getattr(exc, "status", None)
    body = getattr(exc, "body", None)
    if status is not None:
        message = ""
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            data = json.loads(body) if body else {}
            message = str(data.get("message") or data.get("error") or "")
        reason = getattr(exc, "reason", "") or ""
        return _http_message(host, int(status), str(reason), message or _first(exc))
    name = type(exc).__name__
    if name in ("MaxRetryError", "NewConnectionError", "ConnectionRefusedError"):
        return f"KFP at {host} does not answer: `pipedeck up --cluster`, or check --kfp-host"
    return f"KFP at {host}: {name}: {_first(exc)}"


def _http_message(host: str, status: int, reason: str, detail: str = "") -> str:
    if status in (401, 403):
        return f"KFP at {host} refused the request ({status} {reason}): check --kfp-token"
    return f"KFP at {host}: {status} {reason}: {detail}".rstrip(": ")


def _first(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
