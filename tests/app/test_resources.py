"""The resource pane's samplers: a run's process tree, and in docker mode its job containers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from tests.integration.conftest import runner_image  # noqa: F401  (a session fixture)
from tui.app.resources import ContainerSampler, TreeSampler
from tui.core import events as ev


def test_tree_sampler_sees_a_busy_child() -> None:
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        sampler = TreeSampler(os.getpid())
        sampler.sample()
        time.sleep(0.5)
        sample = sampler.sample()
        assert sample is not None
        cpu, mib = sample
        assert cpu > 30 and mib > 5
    finally:
        child.kill()
        child.wait()


@pytest.mark.docker
def test_container_sampler_adds_the_runs_job_containers(runner_image: str) -> None:  # noqa: F811
    since = ev.utcnow()
    run_id = f"sampler-{uuid.uuid4().hex[:8]}"
    name = f"act-pipedeck-{run_id}"
    busy = ["sh", "-c", "while :; do :; done"]
    label = ["--label", f"pipedeck.run={run_id}"]
    subprocess.run(
        ["docker", "run", "-d", "--name", name, *label, runner_image, *busy],
        check=True,
        capture_output=True,
    )
    other = f"act-someone-else-{uuid.uuid4().hex[:8]}"  # created since, not the run's
    subprocess.run(
        ["docker", "run", "-d", "--name", other, runner_image, *busy],
        check=True,
        capture_output=True,
    )
    try:
        sampler = ContainerSampler(os.getpid(), since, run_id)
        assert sampler.containers() == [name]
        sampler.sample()
        time.sleep(1.0)
        sample = sampler.sample()
        assert sample is not None
        cpu, _ = sample
        assert cpu > 30  # the busy container, which is not in this process's tree
    finally:
        subprocess.run(["docker", "rm", "-f", name, other], capture_output=True)


def test_the_sampler_follows_the_runs_process_and_mode() -> None:
    from tui.app.resources import sampler_for

    tree = sampler_for(None, 10, "host", None)
    assert isinstance(tree, TreeSampler)
    assert sampler_for(tree, 10, "host", None) is tree
    assert sampler_for(tree, 11, "host", None) is not tree  # another process
    docker = sampler_for(tree, 10, "docker", ev.utcnow(), "r1")  # run.started said docker
    assert isinstance(docker, ContainerSampler)
    assert sampler_for(docker, 10, "docker", docker.since, "r1") is docker
    assert sampler_for(docker, 10, "docker", docker.since, "r2") is not docker  # another run
