"""Child process: does kfp.local's cache hold a result for each of a pipeline's tasks, with the
inputs this run would give it? ``--from TASK`` asks this before anything runs (``from_task.py``).

``python -m tui.core.pipelines.cache_probe --spec P.yaml --arguments JSON --cache-root DIR
--task a --task b`` (top-level tasks, upstream first) prints ``{"missing": "b"}`` — the first
task without an entry — or ``{"missing": null}`` as its last stdout line.

The key is kfp.local 2.17's own (``orchestrator/task_executor.execute_single_task``): each
task's arguments are made by ``OrchestratorUtils.make_task_arguments`` from the pipeline's
arguments (with their defaults) and the cached outputs of the tasks before it, exactly as the
run will make them when those tasks hit the cache. Nothing runs; kfp.local is not initialised.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def first_missing(
    spec_path: Path, arguments: dict[str, Any], cache_root: Path, tasks: list[str]
) -> str | None:
    """The first of ``tasks`` (root-DAG container tasks, in a topological order) that has no
    cache entry for its inputs; None when every one has."""
    from kfp import components
    from kfp.local import cache, io, utils
    from kfp.local.orchestrator.orchestrator_utils import OrchestratorUtils

    loaded = components.load_component_from_file(str(spec_path))
    pipeline_spec = loaded.component_spec.implementation.graph or loaded.pipeline_spec
    executors = {
        name: utils.struct_to_executor_spec(executor)
        for name, executor in pipeline_spec.deployment_spec["executors"].items()
    }
    root = pipeline_spec.root
    store = io.IOStore()
    given = OrchestratorUtils.join_user_inputs_and_defaults(arguments, root.input_definitions)
    for name, value in given.items():
        store.put_parent_input(name, value)
    local_cache = cache.LocalCache(cache_root=str(cache_root))
    for task_name in tasks:
        task_spec = root.dag.tasks[task_name]
        component_name = task_spec.component_ref.name
        component_spec = pipeline_spec.components[component_name]
        container = executors[component_spec.executor_label].container
        key = local_cache.compute_key(
            component_name=component_name,
            image=container.image,
            full_command=list(container.command) + list(container.args),
            arguments=OrchestratorUtils.make_task_arguments(task_spec.inputs, store),
            env_vars={env_var.name: env_var.value for env_var in container.env},
            custom_cache_key=(task_spec.caching_options.cache_key or None),
        )
        outputs = local_cache.get(key)
        if outputs is None:
            return task_name
        for output, value in outputs.items():
            store.put_task_output(task_name, output, value)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.core.pipelines.cache_probe")
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--arguments", default="{}", help="pipeline arguments as JSON")
    parser.add_argument("--cache-root", required=True, type=Path)
    parser.add_argument("--task", action="append", default=[])
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    missing = first_missing(args.spec, json.loads(args.arguments), args.cache_root, args.task)
    print(json.dumps({"missing": missing}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
