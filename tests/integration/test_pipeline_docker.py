"""A user runs the fixture pipelines with ``--runner docker``: kfp.local's DockerRunner, every
task in a container of the locally built component image, and reads the events ``--json``
prints. One component-image build per session (``component_image``); cached afterwards."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.conftest import FIXTURES, CliResult, read_events_until, run_cli, start_cli
from tests.integration.conftest import HOST_CA
from tests.integration.test_pipeline_runs import logs, run_finished, statuses
from tests.integration.test_stack import s3_client, stack  # noqa: F401  (fixture)
from tui.core.pipelines import docker_mode
from tui.core.pipelines import env as component_env
from tui.core.pipelines.docker_tasks import RUN_LABEL
from tui.core.pipelines.spec import load_spec

pytestmark = pytest.mark.docker

PIPELINES = FIXTURES / "pipelines"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TASK_STATUS = re.compile(r"Task '([^']+)' finished with status (SUCCESS|FAILURE)")

CRASHING = """
from kfp import dsl


@dsl.component(base_image="python:3.11")
def vanish() -> str:
    import os

    print("about to vanish", flush=True)
    os._exit(0)  # the process ends before the KFP executor writes its output
    return "never"


@dsl.component(base_image="python:3.11")
def after(value: str):
    print(f"after got {value}")


@dsl.pipeline(name="crashing")
def crashing():
    after(value=vanish().output)
"""

# Plain kfp.local, DockerRunner, on the same compiled spec with the component image in place of
# python:3.11 (no registry answers here); kfp's own per-task `pip install kfp` is satisfied by
# the image without the network.
PLAIN = """
import sys
from kfp import components, local
local.init(runner=local.DockerRunner(network_mode="host"), pipeline_root=sys.argv[2],
           raise_on_error=False)
components.load_component_from_file(sys.argv[1])()
"""


@pytest.fixture(scope="session")
def driver_envs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docker driver's environment (kfp + docker SDK), built once for the session."""
    root = tmp_path_factory.getbasetemp() / "docker-driver-envs"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(component_env.ENV_DIR_VAR, str(root))
        component_env.ensure(docker_mode.driver_env())
    return root


@pytest.fixture(autouse=True)
def docker_env(
    component_image: str, driver_envs: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Tasks that pip-install go through this machine's intercepting proxy: the CA setting."""
    monkeypatch.setenv(component_env.ENV_DIR_VAR, str(driver_envs))
    if HOST_CA.is_file():
        monkeypatch.setenv("PIPEDECK_CA_BUNDLE", str(HOST_CA))
    yield component_image


def run(target: str, *args: str, cwd: Path = PIPELINES) -> CliResult:
    return run_cli("run", "pipeline", target, "--json", "--runner", "docker", *args, cwd=cwd)


def containers_of(run_id: str) -> list[str]:
    client = docker.from_env()
    try:
        found = client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"})
        return [str(c.name) for c in found]
    finally:
        client.close()


def test_artifacts_pass_between_tasks_in_containers(component_image: str) -> None:
    result = run("simple.py")
    assert result.code == 0, result.stderr
    started = result.events[0]
    assert started["type"] == "run.started" and started["mode"] == "docker"
    assert statuses(result) == {"make-data": "success", "read-data": "success"}
    (artifact,) = [e for e in result.events if e["type"] == "artifact"]
    assert artifact["node_id"] == "make-data" and artifact["metadata"] == {"rows": 3}
    assert Path(artifact["uri"]).read_text().splitlines() == ["0,hello", "1,hello", "2,hello"]
    assert "making 3 rows of 'hello'" in logs(result, "make-data", "stdout")
    assert "read 3 rows; summary was hello x3" in logs(result, "read-data", "stdout")
    system = [e["text"] for e in result.events if e["type"] == "log" and e["stream"] == "system"]
    assert (
        f"runner mode docker: requested with --runner docker; tasks run in {component_image}"
        in (system)
    )
    assert any(f"base_image python:3.11 → {component_image}" in line for line in system)
    assert containers_of(started["run_id"]) == []


def test_metrics_arrive_as_metric_events() -> None:
    result = run("metrics.py")
    assert result.code == 0, result.stderr
    metrics = {e["name"]: e for e in result.events if e["type"] == "metric"}
    assert metrics["accuracy"]["value"] == 0.75 and metrics["loss"]["value"] == 0.5
    assert metrics["accuracy"]["node_id"] == "train" and metrics["accuracy"]["source"] == "kfp"
    types = {e["artifact_type"] for e in result.events if e["type"] == "artifact"}
    assert types == {"system.Metrics", "system.ClassificationMetrics"}


def test_a_failing_task_fails_the_run_and_its_downstream_does_not_run() -> None:
    result = run("failing.py")
    assert result.code == 1
    assert statuses(result) == {"first": "success", "explode": "failure", "after": "not run"}
    end = run_finished(result)
    assert "task 'explode' failed" in end["error"]
    assert "ValueError: the model diverged" in end["error"]
    assert not logs(result, "after", "stdout")


def test_parallel_for_logs_are_attributed_to_their_iteration() -> None:
    result = run("parallel.py", "--no-cache")
    assert result.code == 0, result.stderr
    for index, item in enumerate("abc"):
        node = f"for-loop-2/iteration-{index}/shout"
        assert statuses(result)[node] == "success"
        assert logs(result, node, "stdout") == [f"item={item} line={i}" for i in range(3)]
    assert statuses(result)["done"] == "success"


def test_a_container_that_dies_without_executor_output_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "crashing.py").write_text(textwrap.dedent(CRASHING))
    result = run("crashing.py", "--no-cache", cwd=tmp_path)
    assert result.code == 1, result.stderr
    assert statuses(result) == {"vanish": "failure", "after": "not run"}
    assert "about to vanish" in logs(result, "vanish", "stdout")
    (line,) = [t for t in logs(result, "vanish", "system") if "wrote no executor output" in t]
    assert "kubeflow/pipelines#13332" in line
    assert "task 'vanish' failed" in run_finished(result)["error"]


def test_packages_are_preinstalled_and_tasks_reach_the_s3_server(stack: str) -> None:  # noqa: F811
    result = run("s3_upload.py", "--no-cache", "--param", "key=from-docker.pkl")
    assert result.code == 0, result.stdout[-3000:] + result.stderr
    assert "uploaded s3://my-model-storage/from-docker.pkl" in logs(result, "upload", "stdout")
    s3 = s3_client(stack)
    body = s3.get_object(Bucket="my-model-storage", Key="from-docker.pkl")["Body"].read()
    assert body == b"pipeline-model"


def test_cancel_removes_the_task_containers() -> None:
    argv = ["run", "pipeline", "slow.py", "--json", "--no-cache", "--runner", "docker"]
    proc = start_cli(*argv, cwd=PIPELINES)
    events = read_events_until(proc, "started waiting")
    run_id = events[0]["run_id"]
    assert containers_of(run_id), "the task's container should be running"
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert time.monotonic() - started < 20
    events += [json.loads(line) for line in rest.splitlines() if line.strip()]
    assert proc.returncode == 130
    assert events[-1]["type"] == "run.finished" and events[-1]["status"] == "cancelled"
    task = [e for e in events if e["type"] == "node.finished" and e["node_id"] == "wait-long"]
    assert task and task[-1]["status"] == "cancelled"
    assert containers_of(run_id) == []


def test_a_missing_component_image_is_one_line_naming_the_build_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A base the engine does not have: the component image's tag names a build never made.
    monkeypatch.setenv("PIPEDECK_RUNNER_BASE", "pipedeck-tests/not-built:1")
    monkeypatch.setenv("PIPEDECK_DEBIAN_MIRROR", "http://mirror.invalid/debian")
    result = run_cli("run", "pipeline", "simple.py", "--runner", "docker", cwd=PIPELINES)
    assert result.code == 3
    message = result.stderr.strip()
    assert "\n" not in message, message
    assert "component image pipedeck-component:" in message
    assert "`pipedeck image build component`" in message


def test_auto_says_it_picked_docker_and_why(component_image: str) -> None:
    result = run_cli("run", "pipeline", "simple.py", "--json", "--runner", "auto", cwd=PIPELINES)
    assert result.code == 0, result.stderr
    assert result.events[0]["mode"] == "docker"
    system = [e["text"] for e in result.events if e["type"] == "log" and e["stream"] == "system"]
    assert f"runner mode docker: Docker engine answers and {component_image} is built" in system


# -- the same status per task as plain kfp.local's DockerRunner ----------------------------


def plain_docker_runner(spec: Path, image: str, root: Path) -> Counter[tuple[str, str]]:
    """(component, status) of every task plain kfp.local DockerRunner ran (see
    test_pipeline_plain.plain_kfp_local for why successes are counted from the pipeline root)."""
    local_spec = root.parent / "plain.yaml"
    local_spec.write_text(spec.read_text().replace("image: python:3.11", f"image: {image}"))
    done = subprocess.run(
        [sys.executable, "-c", PLAIN, str(local_spec), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = ANSI.sub("", done.stdout + done.stderr)
    found = Counter((p.parent.name, "success") for p in root.rglob("executor_output.json"))
    for name, status in TASK_STATUS.findall(text):
        if status == "FAILURE":
            found[(name, "failure")] += 1
    return found


# Not failing.py: plain DockerRunner starts containers with auto_remove and, when the failed
# container is gone before it asks for the exit code, calls the task a success with no outputs
# (kubeflow/pipelines#13332) -- seen here in 1 of 8 plain runs of failing.py: it would flake.
@pytest.mark.parametrize(
    ("file", "func"),
    [("simple.py", "simple"), ("parallel.py", "parallel"), ("metrics.py", "metrics_pipeline")],
)
def test_same_status_per_task_as_plain_docker_runner(
    file: str, func: str, component_image: str, state_dir: Path, tmp_path: Path
) -> None:
    result = run(f"{file}:{func}", "--no-cache")
    run_id = result.events[0]["run_id"]
    spec_path = state_dir / "pipedeck" / "runs" / run_id / "pipeline.yaml"
    spec = load_spec(spec_path)
    component = {node.id: node.component.removeprefix("comp-") for node in spec.nodes()}
    ours: Counter[tuple[str, str]] = Counter()
    for e in result.events:
        if (
            e["type"] == "node.finished"
            and e["kind"] == "task"
            and e["status"] not in ("skipped", "not run")
        ):
            plan_id = "/".join(p for p in e["node_id"].split("/") if not p.startswith("iteration-"))
            ours[(component[plan_id], e["status"])] += 1
    (tmp_path / "plain").mkdir()
    plain = plain_docker_runner(spec_path, component_image, tmp_path / "plain" / "root")
    assert plain, "plain kfp.local ran no task"
    assert ours == plain
