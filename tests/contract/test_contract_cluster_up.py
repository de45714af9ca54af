"""Contract: `up --cluster` / `down --cluster` drive kind and kubectl with exactly the real CLIs'
flags, in the order a real install needs (create → cluster-scoped → CRDs established →
namespace → deployments → port-forwards → health), and refuse what they must refuse."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from tests.contract.conftest import FakeTools, free_port
from tui.core.cluster import airgap, forward, install, preflight, tools
from tui.core.cluster import settings as cluster_settings
from tui.core.cluster.kubectl import DeploymentState
from tui.core.errors import MissingPrerequisite
from tui.core.images import docker_engine

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cluster(
    fake_tools: FakeTools, monkeypatch: pytest.MonkeyPatch
) -> cluster_settings.ClusterSettings:
    """Free ports for the forwards, an engine that answers, node containers left alone."""
    monkeypatch.setenv("PIPEDECK_KFP_API_PORT", str(free_port()))
    monkeypatch.setenv("PIPEDECK_KFP_UI_PORT", str(free_port()))
    monkeypatch.setenv(preflight.IGNORE_RESOURCES, "1")
    monkeypatch.setattr(
        docker_engine,
        "engine_status",
        lambda timeout=2.0: docker_engine.EngineStatus(True, "28.2.2", "Docker 28.2.2"),
    )
    monkeypatch.setattr(install, "start_nodes", lambda kind, progress: None)
    monkeypatch.setattr(install, "stop_nodes", lambda kind: ["pipedeck-control-plane"])
    monkeypatch.setattr(install, "POLL", 0.05)
    monkeypatch.setattr(install, "wait_deployments", _fast_wait)
    return cluster_settings.load()


_real_wait = install.wait_deployments


def _fast_wait(kubectl, progress, timeout=30.0, poll=0.05):  # type: ignore[no-untyped-def]
    return _real_wait(kubectl, progress, timeout=timeout, poll=poll)


class Seen:
    def __init__(self) -> None:
        self.steps: list[str] = []
        self.lines: list[str] = []
        self.deployments: list[DeploymentState] = []

    def progress(self) -> install.Progress:
        return install.Progress(self.steps.append, self.lines.append, self.deployments.append)


def _stop_forwards(settings: cluster_settings.ClusterSettings) -> None:
    for fwd in forward.forwards(settings):
        forward.stop(fwd)


def test_contract_first_up_creates_installs_waits_and_forwards(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    seen = Seen()
    try:
        result = install.up(cluster, None, seen.progress())
        assert result.created and result.installed
        assert result.kfp_version == "2.17.0"
        assert forward.healthz(cluster.api_url) is not None
    finally:
        _stop_forwards(cluster)
    kube = str(cluster.kubeconfig)
    ctx = ["--kubeconfig", kube, "--context", "kind-pipedeck"]
    calls = fake_tools.calls()
    assert calls[:3] == [
        ["version"],
        ["get", "clusters"],
        [
            "create", "cluster", "--name", "pipedeck",
            "--config", str(REPO / "localstack" / "kind-cluster.yaml"),
            "--kubeconfig", kube, "--wait", "180s",
        ],
    ]  # fmt: skip
    kubectl = fake_tools.calls("kubectl")
    applied = [c for c in kubectl if "apply" in c]
    assert applied == [
        [*ctx, "apply", "--kustomize", str(REPO / "localstack" / "kfp" / "cluster-scoped")],
        [*ctx, "apply", "--kustomize", str(REPO / "localstack" / "kfp")],
    ]
    waits = [c for c in kubectl if "wait" in c]
    assert waits and waits[0][:8] == [*ctx, "wait", "--for", "condition=established", "--timeout"]
    assert "customresourcedefinition/workflows.argoproj.io" in waits[0]
    # the CRDs are waited for between the two applies
    order = [c[4] for c in kubectl if c[4] in ("apply", "wait", "port-forward")]
    assert order[:3] == ["apply", "wait", "apply"]
    forwards = [c for c in kubectl if "port-forward" in c]
    assert [c[-2:] for c in forwards] == [
        ["service/ml-pipeline", f"{cluster.api_port}:8888"],
        ["service/ml-pipeline-ui", f"{cluster.ui_port}:80"],
    ]
    assert all(c[5:7] == ["--address", "127.0.0.1"] for c in forwards)
    # each deployment's readiness was reported, and each ended ready
    final = {d.name: d for d in seen.deployments}
    assert {"mysql", "ml-pipeline", "workflow-controller", "seaweedfs"} <= set(final)
    assert all(d.done for d in final.values())
    assert any(not d.done for d in seen.deployments)  # progress was seen, not just the end


def test_contract_second_up_only_checks_and_returns_fast(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    try:
        install.up(cluster, None, Seen().progress())
        before = len(fake_tools.calls())
        begun = time.monotonic()
        again = install.up(cluster, None, Seen().progress())
        took = time.monotonic() - begun
    finally:
        _stop_forwards(cluster)
    assert not again.created and not again.installed and again.started == []
    later = fake_tools.calls()[before:]
    assert not [c for c in later if "create" in c or "apply" in c or "port-forward" in c]
    assert took < 10


def test_contract_down_stops_forwards_and_purge_deletes(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    install.up(cluster, None, Seen().progress())
    pids = [forward.running(f).pid for f in forward.forwards(cluster)]  # type: ignore[union-attr]
    stopped = install.down(cluster, purge=False, progress=Seen().progress())
    assert stopped.forwards == ["kfp-api", "kfp-ui"]
    assert stopped.stopped_nodes == ["pipedeck-control-plane"]
    assert not forward.port_taken(cluster.api_port)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            import os

            os.kill(pid, 0)
    purged = install.down(cluster, purge=True, progress=Seen().progress())
    assert purged.deleted
    assert ["delete", "cluster", "--name", "pipedeck", "--kubeconfig", str(cluster.kubeconfig)] in (
        fake_tools.calls("kind")
    )
    assert fake_tools.state()["clusters"] == []


def test_contract_a_cluster_pipedeck_did_not_create_is_never_touched(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    fake_tools.set(clusters=["pipedeck"], owned=False)
    with pytest.raises(MissingPrerequisite, match="pipedeck did not create"):
        install.up(cluster, None, Seen().progress())
    with pytest.raises(MissingPrerequisite, match="pipedeck did not create"):
        install.down(cluster, purge=True, progress=Seen().progress())
    touched = [c for c in fake_tools.calls() if {"create", "delete", "apply"} & set(c)]
    assert touched == []
    assert fake_tools.state()["clusters"] == ["pipedeck"]


def test_contract_an_unreachable_cluster_of_that_name_is_reported(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    fake_tools.set(clusters=["pipedeck"], owned=True, reachable=False)
    with pytest.raises(MissingPrerequisite, match="does not answer: start its node containers"):
        install.up(cluster, None, Seen().progress())


def test_contract_preflight_no_kind_binary_says_how_to_install(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    (fake_tools.bin / "kind").unlink()
    import os

    os.environ["PATH"] = str(fake_tools.bin)  # restored by monkeypatch's PATH fixture
    with pytest.raises(MissingPrerequisite) as caught:
        preflight.check(cluster)
    assert "no `kind` binary" in caught.value.message
    assert "kind.sigs.k8s.io" in caught.value.message
    assert "\n" not in caught.value.message


def test_contract_preflight_kind_too_old(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    fake_tools.set(kind_version="0.29.0")
    with pytest.raises(MissingPrerequisite, match=r"kind 0\.29\.0 is too old"):
        preflight.check(cluster)


def test_contract_preflight_no_docker(
    cluster: cluster_settings.ClusterSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        docker_engine,
        "engine_status",
        lambda timeout=2.0: docker_engine.EngineStatus(False, "", "no Docker engine answers"),
    )
    with pytest.raises(MissingPrerequisite, match="cluster mode needs a Docker engine"):
        preflight.check(cluster)


def test_contract_preflight_too_little_cpu_and_memory(
    cluster: cluster_settings.ClusterSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(preflight.IGNORE_RESOURCES)
    monkeypatch.setattr(preflight, "engine_resources", lambda: (2, 3.8))
    with pytest.raises(MissingPrerequisite) as caught:
        preflight.check(cluster)
    assert "2 CPU / 3.8 GiB" in caught.value.message
    assert preflight.IGNORE_RESOURCES in caught.value.message


def test_contract_preflight_port_in_use(
    cluster: cluster_settings.ClusterSettings, fake_tools: FakeTools
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", cluster.api_port))
        holder.listen()
        with pytest.raises(MissingPrerequisite) as caught:
            preflight.check(cluster)
    assert f"127.0.0.1:{cluster.api_port}" in caught.value.message
    assert "PIPEDECK_KFP_API_PORT" in caught.value.message
    assert not [c for c in fake_tools.calls() if "create" in c]


def test_contract_air_gapped_up_loads_archives_and_applies_rendered_manifests(
    cluster: cluster_settings.ClusterSettings,
    fake_tools: FakeTools,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle_dir = tmp_path / "images"
    (bundle_dir / "manifests").mkdir(parents=True)
    node = airgap.tag_only(airgap.node_image())
    archives = {node: airgap.archive_name(node)}
    for ref in airgap.kfp_images()[:3]:
        archives[ref] = airgap.archive_name(ref)
    for file in archives.values():
        (bundle_dir / file).write_bytes(b"tar")
    (bundle_dir / "manifests" / "cluster-scoped.yaml").write_text("kind: Namespace\n")
    (bundle_dir / "manifests" / "kfp.yaml").write_text("kind: Namespace\n")
    (bundle_dir / "images.json").write_text(json.dumps({"node_image": node, "archives": archives}))
    docker_loaded: list[str] = []
    monkeypatch.setattr(
        airgap, "load_node_image", lambda bundle, progress: docker_loaded.append(node) or node
    )
    try:
        install.up(cluster, bundle_dir, Seen().progress())
    finally:
        _stop_forwards(cluster)
    assert docker_loaded == [node]
    kind_calls = fake_tools.calls("kind")
    create = next(c for c in kind_calls if c[:2] == ["create", "cluster"])
    assert create[-2:] == ["--image", "kindest/node:v1.34.0"]
    loads = [c for c in kind_calls if c[:2] == ["load", "image-archive"]]
    assert [c[2] for c in loads] == [str(bundle_dir / archives[r]) for r in list(archives)[1:]]
    assert all(c[3:] == ["--name", "pipedeck"] for c in loads)
    applied = [c[-1] for c in fake_tools.calls("kubectl") if "apply" in c]
    assert applied == [
        str(bundle_dir / "manifests" / "cluster-scoped.yaml"),
        str(bundle_dir / "manifests" / "kfp.yaml"),
    ]
    # the loads happen before anything is applied
    flat = [c[0] if c[0] != "--kubeconfig" else c[4] for c in fake_tools.calls()]
    assert flat.index("load") < flat.index("apply")


def test_contract_images_dir_without_index_is_one_line_bad_input(tmp_path: Path) -> None:
    from tui.core.errors import BadInput

    with pytest.raises(BadInput, match=r"no images\.json in it"):
        airgap.read(tmp_path)


def test_contract_every_tool_runs_in_its_own_process_group() -> None:
    import sys

    done = tools.run([sys.executable, "-c", "import os; print(os.getpgid(0) == os.getpid())"])
    assert done.stdout.strip() == "True"
