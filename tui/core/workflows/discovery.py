"""Workflow discovery: a project's ``.github/workflows/*.yml|*.yaml``, each read into a plan
(``plan.py``), the names runs use for them, and the nodes a UI draws before act starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.errors import BadInput
from tui.core.workflows.plan import Workflow, load_workflow

if TYPE_CHECKING:
    from tui.core.run_state import PlannedNode

WORKFLOW_DIR = Path(".github") / "workflows"


def find_workflow_files(project: Path) -> list[Path]:
    folder = project / WORKFLOW_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def discover(project: Path) -> list[Workflow]:
    return [load_workflow(p) for p in find_workflow_files(project)]


@dataclass(frozen=True)
class Discovered:
    """Every workflow file of a project: those that load (with the names runs use for them)
    and a one-line problem for each that does not."""

    workflows: list[Workflow]
    names: list[str]
    problems: list[str]


def discover_all(project: Path) -> Discovered:
    found: list[Workflow] = []
    problems: list[str] = []
    for path in find_workflow_files(project):
        try:
            found.append(load_workflow(path))
        except BadInput as exc:
            problems.append(exc.message)
    return Discovered(found, [target_name(project, w) for w in found], problems)


def target_name(project: Path, workflow: Workflow) -> str:
    """The name a run of ``workflow`` is stored under (``ci.yml``, ``sub/ci.yml``)."""
    folder = project / WORKFLOW_DIR
    path = workflow.path
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else path.name


def planned_nodes(workflow: Workflow, job: str | None = None) -> list[PlannedNode]:
    """The jobs (matrix legs as act names them: ``job-1``, ``job-2``…) before act starts, by
    stage (what ``needs`` lets run first, first), with the legs they need."""
    from tui.core.run_state import PlannedNode

    def ids(job_id: str) -> list[str]:
        legs = workflow.jobs[job_id].matrix
        return [f"{job_id}-{i}" for i in range(1, len(legs) + 1)] if legs else [job_id]

    out: list[PlannedNode] = []
    by_stage = sorted(workflow.jobs.items(), key=lambda item: item[1].stage)  # then as written
    for job_id, plan_job in by_stage:
        if job is not None and job_id != job:
            continue
        needs = tuple(i for need in plan_job.needs if need in workflow.jobs for i in ids(need))
        if plan_job.matrix:
            for i, leg in enumerate(plan_job.matrix, start=1):
                values = ", ".join(str(v) for v in leg.values())
                out.append(PlannedNode(f"{job_id}-{i}", f"{job_id} ({values})", "job", "", needs))
        else:
            out.append(PlannedNode(job_id, job_id, "job", "", needs))
    return out


def folder_of(project: Path, file: str | None) -> Path | None:
    """``file`` as a folder of workflows (resolved), or None when it is not one."""
    if file is None:
        return None
    for candidate in (Path(file), project / file, project / WORKFLOW_DIR / file):
        if candidate.is_dir():
            return candidate.resolve()
    return None


def resolve(
    project: Path,
    file: str | None,
    *,
    lenient: bool = False,
    recurse: bool = True,
    skim: bool = False,
) -> list[Workflow]:
    """The workflows a command is about: one file (path or name), a folder's (with its
    subfolders', as act reads ``-W DIR/`` unless ``--no-recurse``), or all of the project's.
    ``lenient``, ``skim``: see :func:`load_workflow`."""
    folder = folder_of(project, file)
    if file is None or folder is not None:
        where = folder or project / WORKFLOW_DIR
        found = (where.rglob("*") if recurse else where.iterdir()) if where.is_dir() else ()
        paths = sorted(p for p in found if p.suffix in (".yml", ".yaml") and p.is_file())
        if not paths:
            raise BadInput(f"{where}: no workflow files (*.yml, *.yaml) found")
        return [load_workflow(p, lenient=lenient, skim=skim) for p in paths]
    candidates = [Path(file), project / file, project / WORKFLOW_DIR / file]
    for candidate in candidates:
        if candidate.is_file():
            return [load_workflow(candidate, lenient=lenient, skim=skim)]
    names = ", ".join(p.name for p in find_workflow_files(project)) or "none"
    raise BadInput(f"{file}: no such workflow file (workflows in {project}: {names})")
