"""The ``main`` container logs of a KFP run's pods (label ``pipeline/runid=<run id>``), read
with the kubernetes client and followed while they run.

``poll()`` lists the run's pods and starts one follower thread per executor pod (a failed
driver pod's log is read too: it says why the task never ran). Lines arrive on ``queue`` as
``(node id, stream, text)``; ``stop()`` closes every open log stream.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from tui.core.cluster.task_map import TaskTracker, node_for_pod
from tui.core.events import Stream

NODE_NAME = "workflows.argoproj.io/node-name"
CONTAINER = "main"

Line = tuple[str, Stream, str]  # node id, stream, text


class PodLogs:
    def __init__(
        self,
        core_api: Any,  # kubernetes.client.CoreV1Api
        namespace: str,
        run_id: str,
        tracker: TaskTracker,
        notify: Callable[[], None] = lambda: None,
    ) -> None:
        self.api = core_api
        self.namespace = namespace
        self.run_id = run_id
        self.tracker = tracker
        self.notify = notify
        self.queue: queue.Queue[Line] = queue.Queue()
        self.followed: set[str] = set()
        self.threads: list[threading.Thread] = []
        self.responses: list[Any] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def poll(self) -> None:
        """List the run's pods; follow the new ones that matter. Blocking (run in a thread)."""
        pods = self.api.list_namespaced_pod(
            self.namespace, label_selector=f"pipeline/runid={self.run_id}"
        )
        for pod in pods.items or []:
            name = pod.metadata.name
            if name in self.followed:
                continue
            annotations = pod.metadata.annotations or {}
            mapped = node_for_pod(str(annotations.get(NODE_NAME, "")), self.tracker)
            if mapped is None:
                continue
            node_id, executor = mapped
            phase = (pod.status.phase if pod.status else "") or ""
            if not executor and phase != "Failed":
                continue  # a driver: only its failure is worth reading
            self.followed.add(name)
            stream: Stream = "stdout" if executor else "stderr"
            thread = threading.Thread(
                target=self._follow, args=(name, node_id, stream), daemon=True
            )
            self.threads.append(thread)
            thread.start()

    def _follow(self, pod: str, node_id: str, stream: Stream) -> None:
        try:
            if not self._wait_started(pod):
                return
            response = self.api.read_namespaced_pod_log(
                pod, self.namespace, container=CONTAINER, follow=True, _preload_content=False
            )
            with self.lock:
                self.responses.append(response)
            pending = b""
            for chunk in response.stream(4096):
                if self.stopping.is_set():
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    self._put(node_id, stream, raw)
            if pending:
                self._put(node_id, stream, pending)
        except Exception as exc:  # ApiException, a closed connection: say so, once
            if not self.stopping.is_set():
                self.queue.put((node_id, "system", f"pod {pod}: logs unavailable ({_short(exc)})"))
                self.notify()

    def _put(self, node_id: str, stream: Stream, raw: bytes) -> None:
        self.queue.put((node_id, stream, raw.decode("utf-8", errors="replace").rstrip("\r")))
        self.notify()

    def _wait_started(self, pod: str, timeout: float = 900.0) -> bool:
        """Until ``main`` runs or ran (its log exists); False if stopped first."""
        deadline = time.monotonic() + timeout
        while not self.stopping.is_set() and time.monotonic() < deadline:
            current = self.api.read_namespaced_pod(pod, self.namespace)
            status = current.status
            if status is not None and status.phase in ("Succeeded", "Failed"):
                return True
            for cs in (status.container_statuses if status else None) or []:
                if cs.name == CONTAINER and cs.state and (cs.state.running or cs.state.terminated):
                    return True
            self.stopping.wait(1.0)
        return False

    def drain(self) -> list[Line]:
        out = []
        while True:
            try:
                out.append(self.queue.get_nowait())
            except queue.Empty:
                return out

    def finish(self, timeout: float = 15.0) -> None:
        """Let followers read to the end (their pods are done), then stop the rest."""
        self.poll()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            for response in self.responses:
                with contextlib.suppress(Exception):
                    response.close()


def _short(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    status = getattr(exc, "status", None)
    if status is not None:
        return f"{status} {reason or ''}".strip()
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
