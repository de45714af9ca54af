"""What a stored pipeline run will do differently on a KFP cluster.

Each item comes from the compiled spec the run kept in its folder (``pipeline.yaml``,
``meta.extra["spec"]``) or from the run's events:

- resource requests, limits and accelerators (an executor's ``resources``), which kfp.local
  does not enforce;
- kfp-kubernetes settings (the spec's platform document, ``platforms.kubernetes``), which it
  ignores;
- images: a Python component's ``base_image`` is not what ran (a local virtualenv in
  subprocess mode, the local component image in docker mode); a container component's image
  is never pulled;
- caching: a task whose outputs came from kfp.local's cache (its ``cache hit`` log line), or a
  run without the cache (no ``--cache`` on the driver's command line).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core.fidelity.items import Item, node_of
from tui.core.store import RunMeta

CACHE_HIT = "cache hit: outputs reused from an earlier run"  # tui.core.pipelines.hooks
EXECUTOR_MAIN = "kfp.dsl.executor_main"  # a lightweight Python component's command
# (spec key, what it is), in the order an item lists them
RESOURCES = (
    ("resourceCpuRequest", "cpuRequest", "CPU request"),
    ("resourceCpuLimit", "cpuLimit", "CPU limit"),
    ("resourceMemoryRequest", "memoryRequest", "memory request"),
    ("resourceMemoryLimit", "memoryLimit", "memory limit"),
)


def pipeline_items(meta: RunMeta, events: Sequence[ev.Event], run_dir: Path) -> list[Item]:
    path = Path(str(meta.extra.get("spec") or run_dir / "pipeline.yaml"))
    spec, platform = _documents(path)
    argv: tuple[str, ...] = ()
    hits: list[str] = []
    for event in events:
        if isinstance(event, ev.RunStarted):
            argv = event.argv
        elif isinstance(event, ev.Log) and event.text.startswith(CACHE_HIT):
            hits.append(event.node_id)
    if not spec:
        return []
    tasks = _tasks(spec)
    executors = _executors(spec)
    kubernetes = _kubernetes(platform)
    items: list[Item] = []
    images: dict[tuple[str, bool], list[str]] = {}  # (image, a Python component) -> tasks
    for node_id, label in tasks:
        executor = executors.get(label, {})
        items += _resource_items(node_id, executor.get("resources"))
        items += _kubernetes_items(node_id, kubernetes.get(label))
        image = executor.get("image")
        if isinstance(image, str) and image:
            images.setdefault((image, _python_component(executor)), []).append(node_id)
    for (image, python), nodes in images.items():
        items.append(_image_item(image, python, nodes, meta.mode))
    items += _cache_items(spec, tasks, hits, cached="--cache" in argv)
    return items


def _documents(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pipeline spec and the platform spec of a compiled YAML ({} for what is not there)."""
    import yaml

    from tui.core.pipelines.spec import is_pipeline_spec

    try:
        docs = list(yaml.safe_load_all(path.read_text("utf-8")))
    except (OSError, ValueError, yaml.YAMLError):
        return {}, {}
    spec: dict[str, Any] = next((d for d in docs if is_pipeline_spec(d)), {})
    platform: dict[str, Any] = next(
        (d for d in docs if isinstance(d, dict) and "platforms" in d), {}
    )
    return spec, platform


def _tasks(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each task's node id (as the run's events have it) with its executor label."""
    from tui.core.pipelines.spec import parse_spec

    components = spec.get("components") or {}
    out = []
    for node in parse_spec(spec).nodes():
        component = components.get(node.component) or {}
        label = component.get("executorLabel") if node.kind == "task" else None
        if isinstance(label, str):
            out.append((node.id, label))
    return out


def _executors(spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    executors = ((spec.get("deploymentSpec") or {}).get("executors")) or {}
    return {
        str(label): dict(executor.get("container") or {})
        for label, executor in executors.items()
        if isinstance(executor, dict)
    }


def _kubernetes(platform: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    kubernetes = (platform.get("platforms") or {}).get("kubernetes") or {}
    executors = (kubernetes.get("deploymentSpec") or {}).get("executors") or {}
    return {str(k): v for k, v in executors.items() if isinstance(v, dict)}


def _resource_items(node_id: str, resources: Any) -> Iterator[Item]:
    if not isinstance(resources, dict) or not resources:
        return
    parts = []
    for key, old_key, what in RESOURCES:
        value = resources.get(key, resources.get(old_key))
        if value not in (None, "", 0):
            parts.append(f"{what} {value}")
    accelerator = resources.get("accelerator") or {}
    kind = accelerator.get("resourceType") or accelerator.get("type")
    if kind:
        count = accelerator.get("resourceCount") or accelerator.get("count") or "1"
        parts.append(f"accelerator {kind} ×{count}")
    if not parts:
        return
    yield Item(
        node_id,
        f"{', '.join(parts)}: not enforced locally",
        "on the cluster the task's pod gets them: it is killed above its memory limit,"
        " throttled above its CPU limit, and waits for a node that can give its requests"
        + (f" and a {kind}" if kind else ""),
        "measure the task's peak memory and CPU here against them"
        + (f"; make sure the cluster has nodes with {kind}" if kind else ""),
    )


def _kubernetes_items(node_id: str, settings: Any) -> Iterator[Item]:
    if not isinstance(settings, dict) or not settings:
        return
    names = ", ".join(str(k) for k in settings)
    yield Item(
        node_id,
        f"kfp-kubernetes settings ignored locally: {names}",
        "on the cluster they apply (volumes mounted, secrets and config maps as env or"
        " files, node selectors, tolerations…); kfp.local ran the task without them",
        "give the task locally what they provide (an env var, a local path), or try it on"
        " the cluster (`pipedeck up`)",
    )


def _python_component(container: Mapping[str, Any]) -> bool:
    parts = [*(container.get("command") or ()), *(container.get("args") or ())]
    return any(EXECUTOR_MAIN in str(part) for part in parts)


def _image_item(image: str, python: bool, nodes: list[str], mode: str) -> Item:
    node, named = node_of(nodes)
    if python:
        here = "the local component image" if mode == "docker" else "a virtualenv on this machine"
        return Item(
            node,
            f"base_image {image} was not used{named}: the task ran in {here}",
            f"on the cluster the pod pulls {image} and installs the component's packages in"
            " it: its Python and system libraries are what the task gets",
            f"make sure {image} can be pulled by the cluster and has what the task imports",
        )
    here = (
        "taken from the local Docker engine, never pulled"
        if mode == "docker"
        else "not run: the subprocess runner runs no container component"
    )
    return Item(
        node,
        f"container image {image}{named}: {here}",
        f"on the cluster the pod pulls {image} from its registry (a tag that exists only"
        " here, or that is newer there, differs)",
        f"push {image} to a registry the cluster can pull from"
        + ("; --runner docker runs it here" if mode != "docker" else ""),
    )


def _cache_items(
    spec: Mapping[str, Any], tasks: Sequence[tuple[str, str]], hits: Sequence[str], *, cached: bool
) -> Iterator[Item]:
    if hits:
        node, named = node_of(list(hits))
        yield Item(
            node,
            f"outputs reused from kfp.local's cache{named} (an earlier local run): not run here",
            "the cluster's cache is its own: the task runs there unless the cluster ran it"
            " with the same inputs before",
            "--no-cache runs every task here",
        )
    caching = [t for t in _caching_tasks(spec) if any(t == n.rsplit("/", 1)[-1] for n, _ in tasks)]
    if not cached and caching:
        yield Item(
            "",
            "the cache was off for this run (--no-cache, or a breakpoint): every task ran",
            f"on the cluster {len(caching)} task(s) with caching on ({', '.join(caching)})"
            " may reuse an earlier cluster run's outputs and not run",
            "set_caching_options(False) on a task that must run every time",
        )


def _caching_tasks(spec: Mapping[str, Any]) -> list[str]:
    """The tasks of every DAG in ``spec`` whose caching is on."""
    dags = [spec.get("root") or {}, *(spec.get("components") or {}).values()]
    out: list[str] = []
    for dag in dags:
        tasks = ((dag or {}).get("dag") or {}).get("tasks") or {}
        for name, task in tasks.items():
            if isinstance(task, dict) and (task.get("cachingOptions") or {}).get("enableCache"):
                out.append(str(name))
    return out
