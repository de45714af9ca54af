"""The data version of the demo's two runs: the md5 the project's ``.dvc`` file tracks, and
what each run recorded it trained on — the workflow in the model's S3 object metadata
(``aws s3 cp --metadata data-md5=…``), the pipeline in its model artifact's metadata
(``data_md5``).

Blocking (an S3 request): the headless summary calls :func:`data_versions` after the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.core.stack import dvc_remote, s3

if TYPE_CHECKING:
    from tui.core.demo import Demo
    from tui.core.run_state import RunState

S3_KEY = "data-md5"  # the model object's user metadata (x-amz-meta-data-md5)
ARTIFACT_KEY = "data_md5"  # the pipeline's model artifact
MODEL_ARTIFACT = "model"


@dataclass(frozen=True)
class DataVersions:
    tracked: dvc_remote.Tracked | None  # what the .dvc file pins; None: no DVC-tracked data
    remote: str  # the DVC remote's URL
    workflow: str  # '' when the model object records none
    pipeline: str

    @property
    def ok(self) -> bool:
        """Both runs trained on the tracked version (true for a project without DVC)."""
        if self.tracked is None:
            return True
        return self.workflow == self.pipeline == self.tracked.md5


def data_versions(demo: Demo) -> DataVersions:
    tracked = next(iter(dvc_remote.tracked(demo.project)), None)
    remote = dvc_remote.default_remote(demo.project, demo.endpoint)
    pipeline = next((s.state for s in demo.sides if s.kind == "pipeline"), None)
    return DataVersions(
        tracked=tracked,
        remote=remote.url if remote else "",
        workflow=model_object_version(demo.endpoint, demo.model_uri) if tracked else "",
        pipeline=model_artifact_version(pipeline) if pipeline else "",
    )


def model_object_version(endpoint: str, uri: str) -> str:
    """The ``data-md5`` the model object at ``uri`` carries ('' when none or unreadable)."""
    if not uri.startswith("s3://"):
        return ""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    try:
        head: dict[str, Any] = s3.client(endpoint).head_object(Bucket=bucket, Key=key)
    except Exception:  # the server went away: the summary says none was recorded
        return ""
    return str(head.get("Metadata", {}).get(S3_KEY, ""))


def model_artifact_version(state: RunState) -> str:
    """The ``data_md5`` of the last model artifact the pipeline produced."""
    found = [
        str(a.metadata.get(ARTIFACT_KEY, ""))
        for a in state.artifacts
        if a.name == MODEL_ARTIFACT and a.metadata.get(ARTIFACT_KEY)
    ]
    return found[-1] if found else ""
