"""Starting a run on KFP (``--runner cluster``), as ``tui.core.launch`` does for kfp.local:
the target is checked and the pipeline compiled before anything is recorded."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tui.core.cluster import settings as cluster_settings
from tui.core.cluster import targets
from tui.core.cluster.runner import ClusterPipelineRunner, ClusterRunOptions
from tui.core.pipelines.compile import load_pipeline
from tui.core.runner import Run
from tui.core.store import RunStore


def start_cluster_pipeline(
    project: Path,
    target: str,
    params: Mapping[str, str],
    *,
    cache: bool = True,
    kfp_host: str = "",
    kfp_token: str = "",
    kfp_namespace: str = "",
    store: RunStore | None = None,
) -> Run:
    """One run on pipedeck's kind cluster, or on ``kfp_host`` when given, recorded."""
    if kfp_host:
        kfp = targets.remote_target(kfp_host, kfp_token, kfp_namespace)
        loader = None
    else:
        current = cluster_settings.load()
        kfp = targets.kind_target(current)
        loader = targets.image_loader(current)
    with tempfile.TemporaryDirectory(prefix="pipedeck-compile-") as work:
        loaded = load_pipeline(target, project, Path(work))
        arguments = loaded.arguments(dict(params), project)
        record = (store or RunStore()).create("pipeline", loaded.target(project), project, kfp.mode)
        spec_path = record.path / "pipeline.yaml"
        shutil.copyfile(loaded.spec_path, spec_path)
    record.meta.extra.update({"kfp_host": kfp.host, "arguments": arguments, "spec": str(spec_path)})
    record.write_meta()
    options = ClusterRunOptions(
        spec_path=spec_path,
        spec=loaded.spec,
        target=loaded.target(project),
        kfp=kfp,
        arguments=arguments,
        cache=cache,
        load_images=loader,
    )
    return Run(ClusterPipelineRunner(record.run_id, options), record)
