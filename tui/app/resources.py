"""CPU and memory of what a run is running: its process tree (psutil) and, in docker mode,
its job containers (the Docker API)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

import psutil

from tui.core.images.containers import run_container_names

MIB = 1024 * 1024


class TreeSampler:
    """Keeps the ``psutil.Process`` objects between samples, so CPU % is since the last one."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._procs: dict[int, psutil.Process] = {}

    def sample(self) -> tuple[float, float] | None:
        """(CPU % summed over the tree, resident MiB summed); None once the leader is gone."""
        try:
            leader = psutil.Process(self.pid)
            tree = [leader, *leader.children(recursive=True)]
        except psutil.Error:
            return None
        cpu = rss = 0.0
        alive: dict[int, psutil.Process] = {}
        for proc in tree:
            known = self._procs.get(proc.pid, proc)
            with contextlib.suppress(psutil.Error):
                cpu += known.cpu_percent(None)
                rss += known.memory_info().rss
                alive[proc.pid] = known
        self._procs = alive
        return cpu, rss / MIB


class ContainerSampler:
    """A docker-mode run: act's own process tree plus the run's containers (labelled with
    its id), whose use the Docker API reports (their processes are not in act's tree, and on
    Docker Desktop not even on this host)."""

    def __init__(self, pid: int, since: datetime, run_id: str = "") -> None:
        self.pid = pid
        self.since = since
        self.run_id = run_id
        self.tree = TreeSampler(pid)
        self._last: dict[str, tuple[float, float]] = {}  # container -> (cpu ns, system ns)
        self._client: Any = None

    def sample(self) -> tuple[float, float] | None:
        own = self.tree.sample()
        if own is None:
            return None
        cpu, mib = own
        for name in self.containers():
            usage = self._container(name)
            if usage is not None:
                cpu += usage[0]
                mib += usage[1]
        return cpu, mib

    def containers(self) -> list[str]:
        return run_container_names(self.run_id)

    def _container(self, name: str) -> tuple[float, float] | None:
        try:
            if self._client is None:
                import docker

                self._client = docker.from_env(timeout=5)
            stats = self._client.containers.get(name).stats(stream=False, one_shot=True)
        except Exception:  # gone between listing and asking, or no engine
            return None
        cpu_stats = stats.get("cpu_stats") or {}
        total = float((cpu_stats.get("cpu_usage") or {}).get("total_usage") or 0)
        system = float(cpu_stats.get("system_cpu_usage") or 0)
        cpus = float(cpu_stats.get("online_cpus") or 1)
        before = self._last.get(name)
        self._last[name] = (total, system)
        percent = 0.0
        if before is not None and system > before[1]:
            percent = (total - before[0]) / (system - before[1]) * cpus * 100
        memory = stats.get("memory_stats") or {}
        used = float(memory.get("usage") or 0) - float(
            (memory.get("stats") or {}).get("inactive_file") or 0
        )
        return max(percent, 0.0), max(used, 0.0) / MIB


Sampler = TreeSampler | ContainerSampler


def sampler_for(
    current: Sampler | None, pid: int, mode: str, started: datetime | None, run_id: str = ""
) -> Sampler:
    """The sampler a run needs now: ``current`` while it still fits, else a new one (another
    process or run, or docker mode became known once ``run.started`` arrived)."""
    docker = mode == "docker" and started is not None
    if (
        current is not None
        and current.pid == pid
        and docker == isinstance(current, ContainerSampler)
        and (not docker or getattr(current, "run_id", "") == run_id)
    ):
        return current
    if docker and started is not None:
        return ContainerSampler(pid, started, run_id)
    return TreeSampler(pid)
