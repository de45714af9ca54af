"""CPU and memory of a run's process tree (host/subprocess modes), sampled with psutil."""

from __future__ import annotations

import contextlib

import psutil

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
