"""Contract: ``ClusterPipelineRunner`` with the REAL ``kfp.Client`` against a fake KFP API server
(v2beta1, from ``kfp_server_api`` models) and the REAL kubernetes client against a fake pod-log
endpoint: create run (experiment ``pipedeck``), task details in every state → node events,
pod logs → log events, CANCELED final, cancel = terminate."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.fake_kfp import FakeKfp, FakeKube, FakePod, serve, task
from tui.core import events as ev
from tui.core.cluster.runner import ClusterPipelineRunner, ClusterRunOptions, KfpTarget
from tui.core.pipelines.spec import PipelineSpec, load_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pipelines"
WF = "simple-x7k2p"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PipelineSpec]:
    from kfp import compiler

    spec = importlib.util.spec_from_file_location("simple_fixture", FIXTURES / "simple.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path_factory.mktemp("compiled") / "pipeline.yaml"
    compiler.Compiler().compile(module.simple, str(path))
    return path, load_spec(path)


def simple_success(gets: int, terminated: bool) -> tuple[str, list, str]:
    base = [task(WF, "RUNNING"), task("root-driver", "SUCCEEDED", 0, 2), task("root", "RUNNING")]
    if gets == 0:
        return "PENDING", [], ""
    if gets == 1:
        return "RUNNING", [*base, task("make-data-driver", "RUNNING", 2)], ""
    if gets == 2:
        return (
            "RUNNING",
            [
                *base,
                task("make-data-driver", "SUCCEEDED", 2, 4),
                task("make-data", "RUNNING", 4),
                task("executor", "RUNNING", 4),
            ],
            "",
        )
    if gets == 3:
        return (
            "RUNNING",
            [
                *base,
                task("make-data-driver", "SUCCEEDED", 2, 4),
                task("make-data", "SUCCEEDED", 4, 10),
                task("executor", "SUCCEEDED", 4, 10),
                task("read-data-driver", "SUCCEEDED", 10, 12),
                task("read-data", "RUNNING", 12),
            ],
            "",
        )
    done = [
        task(WF, "SUCCEEDED", 0, 20),
        task("root-driver", "SUCCEEDED", 0, 2),
        task("root", "SUCCEEDED", 2, 20),
        task("make-data-driver", "SUCCEEDED", 2, 4),
        task("make-data", "SUCCEEDED", 4, 10),
        task("executor", "SUCCEEDED", 4, 10),
        task("read-data-driver", "SUCCEEDED", 10, 12),
        task("read-data", "SUCCEEDED", 12, 19),
        task("executor", "SUCCEEDED", 12, 19),
    ]
    return "SUCCEEDED", done, ""


PODS = [
    FakePod(f"{WF}-system-container-driver-1", f"{WF}.root.make-data-driver", log="driver noise"),
    FakePod(
        f"{WF}-system-container-impl-2",
        f"{WF}.root.make-data.executor",
        log="making 3 rows of 'hello'\nsecond line\n",
    ),
    FakePod(
        f"{WF}-system-container-impl-3",
        f"{WF}.root.read-data.executor",
        log="read 3 rows; summary was hello x3\n",
    ),
]


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[tuple[FakeKube, Path]]:
    fake = FakeKube(PODS, run_id=FakeKfp(simple_success).run_id)
    server, url = serve(fake)
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
        f"clusters: [{{name: fake, cluster: {{server: '{url}'}}}}]\n"
        "users: [{name: fake, user: {token: fake-token}}]\n"
        "contexts: [{name: fake, context: {cluster: fake, user: fake}}]\n"
    )
    yield fake, config
    server.shutdown()


def make_runner(
    compiled: tuple[Path, PipelineSpec], url: str, kubeconfig: Path | None, **target: str
) -> ClusterPipelineRunner:
    path, spec = compiled
    kfp = KfpTarget(
        host=url,
        kubeconfig=kubeconfig,
        kube_context="fake" if kubeconfig else "",
        kind_cluster="pipedeck",
        **target,
    )
    options = ClusterRunOptions(
        spec_path=path,
        spec=spec,
        target="simple.py:simple",
        kfp=kfp,
        arguments={"message": "hello", "count": 3},
        poll=0.02,
    )
    return ClusterPipelineRunner("20261126-080000-abcd", options)


async def collect(runner: ClusterPipelineRunner, cancel_after: int = 0) -> list[ev.Event]:
    out: list[ev.Event] = []
    async for event in runner.events():
        out.append(event)
        if cancel_after and len(out) == cancel_after:
            await runner.cancel()
    return out


def nodes(events: list[ev.Event]) -> list[tuple[str, str, str]]:
    out = []
    for e in events:
        if isinstance(e, ev.NodeStarted):
            out.append(("started", e.node_id, ""))
        elif isinstance(e, ev.NodeFinished):
            out.append(("finished", e.node_id, e.status))
    return out


async def test_contract_a_run_creates_polls_and_streams_logs(
    compiled: tuple[Path, PipelineSpec],
    kube: tuple[FakeKube, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = FakeKfp(simple_success)
    server, url = serve(fake)
    try:
        events = await collect(make_runner(compiled, url, kube[1]))
    finally:
        server.shutdown()
    assert isinstance(events[0], ev.RunStarted) and events[0].mode == "cluster"
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished)
    assert (finished.status, finished.exit_code) == ("success", 0)
    assert nodes(events) == [
        ("started", "make-data", ""),
        ("finished", "make-data", "success"),
        ("started", "read-data", ""),
        ("finished", "read-data", "success"),
    ]
    done = [e for e in events if isinstance(e, ev.NodeFinished)]
    assert done[0].duration == 6.0  # start_time → end_time of the task's node
    logs = [(e.node_id, e.stream, e.text) for e in events if isinstance(e, ev.Log)]
    assert ("make-data", "stdout", "making 3 rows of 'hello'") in logs
    assert ("make-data", "stdout", "second line") in logs
    assert ("read-data", "stdout", "read 3 rows; summary was hello x3") in logs
    assert not [t for _, _, t in logs if "driver noise" in t]  # a succeeded driver is quiet
    assert any(f"/#/runs/details/{fake.run_id}" in t for _, _, t in logs)
    # what the real kfp.Client sent
    methods = [(r.method, r.path) for r in fake.requests]
    assert ("POST", "/apis/v2beta1/experiments") in methods
    create = next(r for r in fake.requests if (r.method, r.path) == ("POST", "/apis/v2beta1/runs"))
    assert create.body["runtime_config"]["parameters"] == {"message": "hello", "count": 3}
    assert fake.experiments and next(iter(fake.experiments.values())).display_name == "pipedeck"
    # the pods were found by their run label and read from their main container
    log_reads = [r for r in kube[0].requests if r.path.endswith("/log")]
    assert {r.query["container"][0] for r in log_reads} == {"main"}
    assert capsys.readouterr().out == ""  # kfp.Client's prints never reach --json's stdout


async def test_contract_a_failed_task_fails_the_run_with_kfps_error(
    compiled: tuple[Path, PipelineSpec],
) -> None:
    def script(gets: int, terminated: bool) -> tuple[str, list, str]:
        details = [
            task("make-data-driver", "SUCCEEDED", 0, 1),
            task("make-data", "SUCCEEDED", 1, 5),
            task("read-data-driver", "SUCCEEDED", 5, 6),
            task("read-data", "RUNNING" if gets < 2 else "FAILED", 6, None if gets < 2 else 9),
        ]
        if gets < 2:
            return "RUNNING", details, ""
        return "FAILED", details, "task read-data failed: exit status 1"

    server, url = serve(FakeKfp(script))
    try:
        events = await collect(make_runner(compiled, url, None))
    finally:
        server.shutdown()
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished)
    assert (finished.status, finished.exit_code) == ("failure", 1)
    assert finished.error == "task read-data failed: exit status 1"
    assert ("finished", "read-data", "failure") in nodes(events)
    # no kubeconfig here: logs are pointed to the UI, the run still works
    assert any(isinstance(e, ev.Log) and "pod logs" in e.text for e in events)


async def test_contract_a_failed_driver_fails_its_task(
    compiled: tuple[Path, PipelineSpec],
) -> None:
    def script(gets: int, terminated: bool) -> tuple[str, list, str]:
        return "FAILED", [task("make-data-driver", "FAILED", 0, 2)], "driver: bad input"

    server, url = serve(FakeKfp(script))
    try:
        events = await collect(make_runner(compiled, url, None))
    finally:
        server.shutdown()
    assert nodes(events) == [("started", "make-data", ""), ("finished", "make-data", "failure")]


async def test_contract_skipped_and_pending_states(compiled: tuple[Path, PipelineSpec]) -> None:
    def script(gets: int, terminated: bool) -> tuple[str, list, str]:
        if gets == 0:
            return "PENDING", [task("make-data-driver", "PENDING", 0)], ""
        return (
            "SUCCEEDED",
            [
                task("make-data", "SKIPPED", 0, 0),
                task("read-data", "SUCCEEDED", 1, 2),
            ],
            "",
        )

    server, url = serve(FakeKfp(script))
    try:
        events = await collect(make_runner(compiled, url, None))
    finally:
        server.shutdown()
    assert ("finished", "make-data", "skipped") in nodes(events)
    assert ("finished", "read-data", "success") in nodes(events)


async def test_contract_cancel_terminates_and_canceled_is_final(
    compiled: tuple[Path, PipelineSpec],
) -> None:
    def script(gets: int, terminated: bool) -> tuple[str, list, str]:
        running = [task("make-data-driver", "SUCCEEDED", 0, 1), task("make-data", "RUNNING", 1)]
        if not terminated:
            return "RUNNING", running, ""
        if script.after_terminate == 0:  # type: ignore[attr-defined]
            script.after_terminate += 1  # type: ignore[attr-defined]
            return "CANCELING", running, ""
        return "CANCELED", [task("make-data", "CANCELED", 1, 3)], ""

    script.after_terminate = 0  # type: ignore[attr-defined]
    fake = FakeKfp(script)
    server, url = serve(fake)
    try:
        runner = make_runner(compiled, url, None)
        # cancel once the task is seen running (run.started, the link, the no-kubeconfig note,
        # node.started)
        events = await asyncio.wait_for(collect(runner, cancel_after=4), 20)
    finally:
        server.shutdown()
    assert fake.terminated
    assert ("POST", f"/apis/v2beta1/runs/{fake.run_id}:terminate") in [
        (r.method, r.path) for r in fake.requests
    ]
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished)
    assert (finished.status, finished.exit_code) == ("cancelled", 130)
    assert ("finished", "make-data", "cancelled") in nodes(events)


async def test_contract_canceled_elsewhere_ends_the_run(
    compiled: tuple[Path, PipelineSpec],
) -> None:
    """Someone pressed Terminate in the KFP UI: CANCELED is final, the stream ends."""

    def script(gets: int, terminated: bool) -> tuple[str, list, str]:
        if gets < 2:
            return "RUNNING", [task("make-data", "RUNNING", 0)], ""
        return "CANCELED", [task("make-data", "CANCELED", 0, 4)], ""

    server, url = serve(FakeKfp(script))
    try:
        events = await asyncio.wait_for(collect(make_runner(compiled, url, None)), 20)
    finally:
        server.shutdown()
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished) and finished.status == "cancelled"
    assert ("finished", "make-data", "cancelled") in nodes(events)


async def test_contract_a_refused_token_is_one_line(compiled: tuple[Path, PipelineSpec]) -> None:
    server, url = serve(FakeKfp(simple_success, status_override=401))
    try:
        events = await collect(make_runner(compiled, url, None, token="bad-token"))
    finally:
        server.shutdown()
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished) and finished.status == "failure"
    assert "refused the request (401" in finished.error and "--kfp-token" in finished.error
    assert "\n" not in finished.error


async def test_contract_token_and_namespace_reach_the_api(
    compiled: tuple[Path, PipelineSpec],
) -> None:
    fake = FakeKfp(simple_success)
    server, url = serve(fake)
    try:
        await collect(make_runner(compiled, url, None, token="s3cret", namespace="team-a"))
    finally:
        server.shutdown()
    auth = {r.headers.get("authorization") for r in fake.requests}
    assert auth == {"Bearer s3cret"}
    listed = next(r for r in fake.requests if r.path == "/apis/v2beta1/experiments")
    assert listed.query.get("namespace") == ["team-a"]
    created = next(
        r for r in fake.requests if r.method == "POST" and r.path.endswith("experiments")
    )
    assert created.body["namespace"] == "team-a"
