"""``pipedeck run pipeline FILE --from TASK``: the inner loop of editing one task.

The tasks upstream of TASK (transitively, in the root DAG of the compiled pipeline) come from
kfp.local's shared cache; TASK and every task downstream of it run again even where the cache
has them, and their new results go to the cache. Tasks neither upstream nor downstream run as
usual (from the cache when it has them).

Before anything runs (and before the run is stored), :func:`check_cached` asks a child
(``cache_probe.py``, kfp.local's own cache key) whether every upstream task has an entry for
the inputs this run would give it; the first that has not (in topological order) is a one-line
``BadInput``. In the run the driver's ``cache_index.CachePolicy`` bypasses the cache for the
tasks of :attr:`FromPlan.rerun`, and every hit says which run wrote it.

No kfp import here: TASK's upstream and downstream are read from the plain spec.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tui
from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.pipelines.spec import PipelineSpec, PlanNode

PROBE_TIMEOUT = 120.0


@dataclass(frozen=True)
class FromPlan:
    """What ``--from`` means for one pipeline: top-level task names of its root DAG."""

    task: str  # as the user named it
    upstream: tuple[str, ...]  # from the cache, in a topological order
    rerun: tuple[str, ...]  # TASK and everything downstream of it: run again

    def reruns(self, node_id: str) -> bool:
        """Does ``node_id`` (``group/…/task`` too) run again?"""
        return node_id.split("/", 1)[0] in self.rerun


def driver_args(plan: FromPlan | None) -> list[str]:
    """The driver's ``--from TASK --rerun NAME…`` (nothing without ``--from``)."""
    if plan is None:
        return []
    out = ["--from", plan.task]
    for name in plan.rerun:
        out += ["--rerun", name]
    return out


def plan(spec: PipelineSpec, name: str) -> FromPlan:
    """TASK (a task's name or node id, as ``--break`` takes it) → what comes from the cache
    and what runs again; BadInput for a task that is not there or cannot be planned."""
    top = {node.id: node for node in spec.tasks}
    names = ", ".join(top)
    starts = [node.id for node in spec.tasks if name in (node.id, node.name)]
    if not starts:
        inner = [n for n in spec.nodes() if n.kind == "task" and name in (n.id, n.name)]
        if inner:
            group = inner[0].id.split("/", 1)[0]
            raise BadInput(
                f"--from {name}: a task inside group {group!r}; --from takes a task of the "
                f"pipeline's top level ({names})"
            )
        raise BadInput(f"--from {name}: no such task (tasks: {names})")
    needs = {node_id: [d for d in node.needs if d in top] for node_id, node in top.items()}
    rerun = _closure(starts, _reverse(needs))
    upstream = [t for t in _topological(needs) if t in _closure(starts, needs) - rerun]
    for task in upstream:
        _check_cacheable(name, top[task], spec.raw)
    return FromPlan(name, tuple(upstream), tuple(t for t in top if t in rerun))


def _reverse(needs: Mapping[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {task: [] for task in needs}
    for task, deps in needs.items():
        for dep in deps:
            out[dep].append(task)
    return out


def _closure(starts: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen = set(starts)
    todo = list(seen)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _topological(needs: Mapping[str, list[str]]) -> list[str]:
    """Upstream first (kfp.local's ``graph_utils`` order: depth first, dependencies sorted)."""
    seen: set[str] = set()
    out: list[str] = []

    def visit(task: str) -> None:
        seen.add(task)
        for dep in sorted(needs[task]):
            if dep not in seen:
                visit(dep)
        out.append(task)

    for task in needs:
        if task not in seen:
            visit(task)
    return out


def _check_cacheable(name: str, node: PlanNode, raw: Mapping[str, Any]) -> None:
    """An upstream task kfp.local can serve from its cache: a container task, caching on."""
    where = f"--from {name}: {node.id!r} upstream of it"
    if node.kind == "group":
        raise BadInput(
            f"{where} is a group (a condition, loop or sub-pipeline); --from takes "
            "only plain tasks from the cache"
        )
    component = (raw.get("components") or {}).get(node.component) or {}
    executors = (raw.get("deploymentSpec") or {}).get("executors") or {}
    if "container" not in (executors.get(component.get("executorLabel")) or {}):
        raise BadInput(f"{where} is an importer, which kfp.local never caches")
    task = ((raw.get("root") or {}).get("dag") or {}).get("tasks", {}).get(node.id) or {}
    if not (task.get("cachingOptions") or {}).get("enableCache", False):
        raise BadInput(
            f"{where} has caching turned off (set_caching_options), so no result of it is cached"
        )


def check_cached(
    plan: FromPlan, spec_path: Path, arguments: Mapping[str, Any], cache_root: Path
) -> None:
    """BadInput naming the first upstream task the cache has no result of, for these inputs."""
    if not plan.upstream:
        return
    missing: str | None = plan.upstream[0]
    if cache_root.is_dir():
        missing = _probe(plan, spec_path, arguments, cache_root)
    if missing:
        raise BadInput(
            f"--from {plan.task}: {missing} has no cached result for these inputs yet "
            "(run the pipeline once without --from)"
        )


def _probe(
    plan: FromPlan, spec_path: Path, arguments: Mapping[str, Any], cache_root: Path
) -> str | None:
    argv = [sys.executable, "-m", "tui.core.pipelines.cache_probe", "--spec", str(spec_path)]
    argv += ["--arguments", json.dumps(dict(arguments)), "--cache-root", str(cache_root)]
    for task in plan.upstream:
        argv += ["--task", task]
    env = dict(os.environ)
    source_root = str(Path(tui.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise MissingPrerequisite(
            f"--from {plan.task}: reading kfp.local's cache took over {PROBE_TIMEOUT:.0f}s"
        ) from exc
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if done.returncode == 0 and lines else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise MissingPrerequisite(f"--from {plan.task}: could not read kfp.local's cache: {tail}")
    missing = result.get("missing")
    return str(missing) if missing else None
