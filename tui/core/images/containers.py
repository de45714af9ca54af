"""The containers and networks one run created, found and removed by that run's marks only.

Every container pipedeck can label carries ``pipedeck.run=<run_id>`` (act's ``runs-on`` job
containers through ``--container-options``, kfp.local's task containers through the task
runner). act gives the containers of jobs with ``container:``, service containers and job
networks no options of ours, so a run records their names (act's own naming,
``tui.core.workflows.act_names``) as act starts each job; those are removed by name only when
created after the run started. Nothing is ever removed by age or by a name pattern, so runs
going at the same time never touch each other's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

RUN_LABEL = "pipedeck.run"


def _client(timeout: int) -> Any:
    import docker

    return docker.from_env(timeout=timeout)


def _created(attrs: dict[str, Any]) -> datetime | None:
    text = str(attrs.get("Created", ""))
    try:
        return datetime.fromisoformat(text[:26].rstrip("Z") + "+00:00")
    except ValueError:
        return None


def _after(attrs: dict[str, Any], since: datetime | None) -> bool:
    """Created at or after ``since`` (the engine's times are whole seconds at least)."""
    if since is None:
        return True
    created = _created(attrs)
    return created is not None and created >= since.replace(microsecond=0)


def run_containers(
    run_id: str, names: Iterable[str] = (), since: datetime | None = None, *, timeout: int = 10
) -> list[Any]:
    """The run's containers (Docker SDK objects): labelled with its id, or named in ``names``
    and created at or after ``since``. Empty without an engine."""
    try:
        client = _client(timeout)
    except Exception:  # no engine, no permission: nothing of ours can be there
        return []
    found: dict[str, Any] = {}
    label = {"label": f"{RUN_LABEL}={run_id}"}
    with contextlib.suppress(Exception):
        for container in client.containers.list(all=True, filters=label):
            found[str(container.id)] = container
    for name in dict.fromkeys(names):
        with contextlib.suppress(Exception):  # not there (any more)
            container = client.containers.get(name)
            if _after(container.attrs, since):
                found.setdefault(str(container.id), container)
    return list(found.values())


def run_container_names(
    run_id: str, names: Iterable[str] = (), since: datetime | None = None
) -> list[str]:
    return [str(c.name) for c in run_containers(run_id, names, since)]


def remove_run_containers(
    run_id: str,
    names: Iterable[str] = (),
    networks: Iterable[str] = (),
    since: datetime | None = None,
) -> list[str]:
    """Force-remove the run's containers, then its recorded networks; what was removed.
    Never raises."""
    removed: list[str] = []
    for container in run_containers(run_id, names, since, timeout=30):
        with contextlib.suppress(Exception):  # already gone (auto-removed, raced)
            container.remove(force=True, v=True)
            removed.append(str(container.name))
    wanted = list(dict.fromkeys(networks))
    if wanted:
        try:
            client = _client(30)
        except Exception:
            return removed
        for name in wanted:
            with contextlib.suppress(Exception):
                network = client.networks.get(name)
                if _after(network.attrs, since):
                    network.remove()
                    removed.append(f"network {name}")
    return removed
