"""A fake KFP API server (v2beta1) and a fake Kubernetes API for pod logs, on 127.0.0.1.

Responses are built from the ``kfp_server_api`` / ``kubernetes`` models and serialised with
their own ``ApiClient.sanitize_for_serialization``, so the real ``kfp.Client`` and the real
kubernetes client read them exactly as they read a real server's. Requests are recorded.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import kfp_server_api as kfp_api
from kubernetes import client as k8s

T0 = datetime(2026, 11, 26, 8, 0, 0, tzinfo=UTC)


def task(name: str, state: str, start: int = 0, end: int | None = None) -> Any:
    return kfp_api.V2beta1PipelineTaskDetail(
        display_name=name,
        state=state,
        create_time=T0 + timedelta(seconds=start),
        start_time=T0 + timedelta(seconds=start),
        end_time=T0 + timedelta(seconds=end) if end is not None else None,
    )


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


# script(get_count, terminated) → (run state, task details, error message)
Script = Callable[[int, bool], tuple[str, list[Any], str]]


@dataclass
class FakeKfp:
    script: Script
    status_override: int = 0  # e.g. 401 for every request
    requests: list[Request] = field(default_factory=list)
    run_id: str = "7f1c3a52-0000-4000-8000-000000000001"
    gets: int = 0
    terminated: bool = False
    experiments: dict[str, Any] = field(default_factory=dict)

    def handle(self, req: Request) -> tuple[int, Any]:
        self.requests.append(req)
        if self.status_override:
            return self.status_override, {"error": "denied", "code": 16, "message": "denied"}
        path = req.path
        if req.method == "GET" and path == "/apis/v2beta1/healthz":
            return 200, kfp_api.V2beta1GetHealthzResponse(multi_user=False)
        if path == "/apis/v2beta1/experiments" and req.method == "GET":
            wanted = ""
            for predicate in json.loads(req.query.get("filter", ["{}"])[0]).get("predicates", []):
                wanted = predicate.get("stringValue") or predicate.get("string_value") or ""
            found = [e for e in self.experiments.values() if e.display_name == wanted]
            return 200, kfp_api.V2beta1ListExperimentsResponse(
                experiments=found or None, total_size=len(found)
            )
        if path == "/apis/v2beta1/experiments" and req.method == "POST":
            exp = kfp_api.V2beta1Experiment(
                experiment_id=f"exp-{len(self.experiments) + 1}",
                display_name=req.body["display_name"],
                namespace=req.body.get("namespace"),
            )
            self.experiments[exp.experiment_id] = exp
            return 200, exp
        if path == "/apis/v2beta1/runs" and req.method == "POST":
            assert req.body["pipeline_spec"]["pipelineInfo"]["name"]
            return 200, kfp_api.V2beta1Run(
                run_id=self.run_id,
                experiment_id=req.body["experiment_id"],
                display_name=req.body["display_name"],
                state="PENDING",
            )
        if path == f"/apis/v2beta1/runs/{self.run_id}" and req.method == "GET":
            state, details, error = self.script(self.gets, self.terminated)
            self.gets += 1
            return 200, kfp_api.V2beta1Run(
                run_id=self.run_id,
                state=state,
                error=kfp_api.GoogleRpcStatus(code=2, message=error) if error else None,
                run_details=kfp_api.V2beta1RunDetails(task_details=details or None),
            )
        if path == f"/apis/v2beta1/runs/{self.run_id}:terminate" and req.method == "POST":
            self.terminated = True
            return 200, {}
        return 404, {"error": f"no route {req.method} {path}", "code": 5}

    def serialise(self, payload: Any) -> bytes:
        return json.dumps(kfp_api.ApiClient().sanitize_for_serialization(payload)).encode()


@dataclass
class FakePod:
    name: str
    node_name: str  # Argo's workflows.argoproj.io/node-name
    phase: str = "Succeeded"
    log: str = ""


@dataclass
class FakeKube:
    pods: list[FakePod]
    run_id: str
    namespace: str = "kubeflow"
    requests: list[Request] = field(default_factory=list)

    def handle(self, req: Request) -> tuple[int, Any]:
        self.requests.append(req)
        base = f"/api/v1/namespaces/{self.namespace}/pods"
        if req.path == base:
            selector = req.query.get("labelSelector", [""])[0]
            items = (
                [self._pod(p) for p in self.pods]
                if selector == f"pipeline/runid={self.run_id}"
                else []
            )
            return 200, k8s.V1PodList(items=items, metadata=k8s.V1ListMeta())
        for pod in self.pods:
            if req.path == f"{base}/{pod.name}":
                return 200, self._pod(pod)
            if req.path == f"{base}/{pod.name}/log":
                if req.query.get("container") != ["main"]:
                    return 400, {"kind": "Status", "message": "container name required"}
                return 200, pod.log
        return 404, {"kind": "Status", "message": f"not found: {req.path}", "code": 404}

    def _pod(self, pod: FakePod) -> Any:
        terminated = k8s.V1ContainerStateTerminated(exit_code=0)
        return k8s.V1Pod(
            metadata=k8s.V1ObjectMeta(
                name=pod.name,
                namespace=self.namespace,
                labels={"pipeline/runid": self.run_id},
                annotations={"workflows.argoproj.io/node-name": pod.node_name},
            ),
            status=k8s.V1PodStatus(
                phase=pod.phase,
                container_statuses=[
                    k8s.V1ContainerStatus(
                        name="main",
                        image="python:3.11",
                        image_id="",
                        ready=False,
                        restart_count=0,
                        state=k8s.V1ContainerState(terminated=terminated),
                    )
                ],
            ),
        )

    def serialise(self, payload: Any) -> bytes:
        if isinstance(payload, str):
            return payload.encode()
        return json.dumps(k8s.ApiClient().sanitize_for_serialization(payload)).encode()


def serve(fake: FakeKfp | FakeKube) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _do(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            req = Request(
                self.command,
                urllib.parse.unquote(url.path),
                urllib.parse.parse_qs(url.query),
                body,
                {k.lower(): v for k, v in self.headers.items()},
            )
            status, payload = fake.handle(req)
            data = fake.serialise(payload)
            self.send_response(status)
            kind = "text/plain" if isinstance(payload, str) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _do

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
