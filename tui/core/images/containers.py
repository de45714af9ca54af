"""Containers a run leaves behind: act names its job containers ``act-*``."""

from __future__ import annotations

import asyncio
from datetime import datetime


def act_containers(since: datetime) -> list[str]:
    """Names of ``act-*`` containers created at or after ``since`` (empty without an engine)."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        found = client.containers.list(all=True, filters={"name": "act-"})
    except Exception:  # no engine, no permission: nothing of ours can be there
        return []
    names = []
    for container in found:
        created = str(container.attrs.get("Created", ""))
        try:
            when = datetime.fromisoformat(created[:26].rstrip("Z") + "+00:00")
        except ValueError:
            continue
        name = str(container.name or "")
        if name.startswith("act-") and when >= since.replace(microsecond=0):
            names.append(name)
    return names


def remove_containers(names: list[str]) -> None:
    if not names:
        return
    import docker

    client = docker.from_env(timeout=30)
    for name in names:
        try:
            client.containers.get(name).remove(force=True, v=True)
        except docker.errors.NotFound:
            continue


async def remove_act_containers(since: datetime) -> list[str]:
    names = await asyncio.to_thread(act_containers, since)
    await asyncio.to_thread(remove_containers, names)
    return names
