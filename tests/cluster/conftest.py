"""The real cluster tests: kind + Docker + KFP's images. Each test marked ``cluster`` is
skipped, with exactly the missing piece as the reason, where they cannot run."""

from __future__ import annotations

import functools
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tui.core.cluster import airgap
from tui.core.images import docker_engine

NO_KIND = "no kind binary (install kind >= 0.30: https://kind.sigs.k8s.io/docs/user/quick-start/)"
NO_DOCKER = "no Docker engine answers: start dockerd"
NO_IMAGES = (
    "KFP's and kind's images cannot be obtained: no container registry answers and no "
    "PIPEDECK_CLUSTER_IMAGES=DIR (from `pipedeck images save DIR`) is given"
)
REGISTRIES = ("https://registry-1.docker.io/v2/", "https://ghcr.io/v2/")


def images_dir() -> Path | None:
    value = os.environ.get("PIPEDECK_CLUSTER_IMAGES", "")
    return Path(value) if value and (Path(value) / airgap.INDEX).is_file() else None


def _registry_answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5)
    except urllib.error.HTTPError:
        return True  # 401 from a registry is an answer
    except (urllib.error.URLError, OSError):
        return False
    return True


@functools.cache
def skip_reason() -> str:
    if shutil.which("kind") is None:
        return NO_KIND
    if not docker_engine.engine_status(timeout=5).answers:
        return NO_DOCKER
    if images_dir() is None and not all(_registry_answers(url) for url in REGISTRIES):
        return NO_IMAGES
    return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("cluster")]
    if marked and skip_reason():
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=skip_reason()))


@pytest.fixture(scope="session")
def cluster_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One state dir for the whole session: the cluster's kubeconfig and port-forwards live
    there, and every test (and every `pipedeck` it runs) must see the same one."""
    return tmp_path_factory.mktemp("cluster-state")


@pytest.fixture(autouse=True)
def state_dir(cluster_state: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(cluster_state))
    return cluster_state
