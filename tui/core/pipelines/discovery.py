"""Finding a project's pipelines: Python files with ``@dsl.pipeline`` functions (imported in a
child process, so a broken file cannot crash the caller) and compiled pipeline YAML.

Parameters and the task DAG of each pipeline come from its compiled spec (``spec.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import tui
from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.pipelines.spec import Param, PipelineSpec, PlanNode, is_pipeline_spec, load_spec
from tui.core.run_state import PlannedNode

SKIP_DIRS = {"node_modules", "site-packages", "__pycache__", "build", "dist", "venv", "env"}
PY_MARKERS = ("dsl.pipeline", "@pipeline")
PROBE_TIMEOUT = 300.0


@dataclass(frozen=True)
class PipelineInfo:
    file: Path
    func: str  # "" for a compiled YAML file
    name: str
    line: int = 0
    spec: PipelineSpec | None = None
    spec_path: Path | None = None
    error: str = ""

    @property
    def target(self) -> str:
        return f"{self.file}:{self.func}" if self.func else str(self.file)


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    message: str

    def text(self, project: Path | None = None) -> str:
        shown = display_path(self.file, project)
        return f"{shown}:{self.line}: {self.message}" if self.line else f"{shown}: {self.message}"


@dataclass(frozen=True)
class Discovery:
    pipelines: list[PipelineInfo]
    problems: list[Problem]


def display_path(path: Path, project: Path | None) -> str:
    if project is not None:
        try:
            return str(path.resolve().relative_to(project.resolve()))
        except ValueError:
            pass
    return str(path)


def _walk(project: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(project):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            yield Path(root) / name


def find_pipeline_files(project: Path) -> list[Path]:
    """Python files mentioning ``dsl.pipeline`` and YAML files that are compiled pipelines."""
    found: list[Path] = []
    for path in _walk(project):
        if path.suffix == ".py":
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if any(marker in text for marker in PY_MARKERS):
                found.append(path)
        elif path.suffix in (".yaml", ".yml") and _looks_compiled(path):
            found.append(path)
    return found


def _looks_compiled(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:200_000]
    except OSError:
        return False
    if "pipelineInfo" not in head or "deploymentSpec" not in head:
        return False
    try:
        return any(is_pipeline_spec(doc) for doc in yaml.safe_load_all(head))
    except yaml.YAMLError:
        return False


def probe(
    files: list[Path], out_dir: Path, func: str | None = None, cwd: Path | None = None
) -> dict[str, Any]:
    """Import ``files`` in a child ``python -m tui.core.pipelines.probe``; its result dict."""
    out_dir.mkdir(parents=True, exist_ok=True)
    request = out_dir / "probe-request.json"
    request.write_text(
        json.dumps({"files": [str(f) for f in files], "func": func, "out_dir": str(out_dir)}),
        encoding="utf-8",
    )
    env = dict(os.environ)
    source_root = str(Path(tui.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tui.core.pipelines.probe", str(request)],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise BadInput(f"importing {files[0]} took longer than {PROBE_TIMEOUT:.0f}s") from exc
    result_path = Path(f"{request}.result")
    if proc.returncode != 0 or not result_path.exists():
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        if "No module named 'kfp'" in proc.stderr:
            raise MissingPrerequisite("kfp is not installed in pipedeck's environment")
        raise BadInput(f"{files[0]}: importing it killed the probe process: {tail}")
    data: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    return data


def pipelines_in(result: dict[str, Any], path: Path) -> tuple[list[PipelineInfo], list[Problem]]:
    entry = result["files"].get(str(path)) or {}
    problems: list[Problem] = []
    if entry.get("error"):
        err = entry["error"]
        # a KFP v1 name says what it is and what to write instead (kfp_v1): no "cannot import"
        message = err["message"] if err.get("kfp_v1") else f"cannot import: {err['message']}"
        problems.append(Problem(path, int(err.get("line") or 0), message))
        return [], problems
    infos = []
    for p in entry.get("pipelines", []):
        spec = None
        spec_path = Path(p["yaml"]) if p.get("yaml") else None
        error = p.get("error", "")
        if spec_path is not None and not error:
            try:
                spec = load_spec(spec_path)
            except BadInput as exc:
                error = exc.message
        if error:
            problems.append(Problem(path, int(p["line"]), error))
        infos.append(
            PipelineInfo(path, p["func"], p["name"], int(p["line"]), spec, spec_path, error)
        )
    return infos, problems


def discover(project: Path, files: list[Path] | None = None) -> Discovery:
    """Every pipeline in ``project`` (or in ``files``), with the problems found on the way."""
    project = project.resolve()
    files = [f.resolve() for f in (find_pipeline_files(project) if files is None else files)]
    pipelines: list[PipelineInfo] = []
    problems: list[Problem] = []
    py_files = [f for f in files if f.suffix == ".py"]
    with tempfile.TemporaryDirectory(prefix="pipedeck-probe-") as tmp:
        result = probe(py_files, Path(tmp), cwd=project) if py_files else {"files": {}}
        for path in files:
            if path.suffix == ".py":
                infos, found = pipelines_in(result, path)
                # the specs are read now, before the temporary directory goes away
                pipelines.extend(
                    PipelineInfo(i.file, i.func, i.name, i.line, i.spec, None, i.error)
                    for i in infos
                )
                problems.extend(found)
                continue
            try:
                spec = load_spec(path)
            except BadInput as exc:
                problems.append(Problem(path, 0, exc.message.split(": ", 1)[-1]))
                continue
            pipelines.append(PipelineInfo(path, "", spec.name, 0, spec, path))
    return Discovery(pipelines, problems)


@dataclass(frozen=True)
class PipelineTarget:
    """A pipeline as a UI lists it: what to run, its parameters and its planned task DAG."""

    target: str  # ``pipelines/train.py:train_pipeline`` (relative to the project)
    name: str
    tasks: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    planned: tuple[PlannedNode, ...] = field(default=(), repr=False)


def planned_nodes(spec: PipelineSpec) -> tuple[PlannedNode, ...]:
    """The spec's nodes before they run, in topological order: each top task, then what it
    holds, breadth first; with their needs as node ids and what decides whether they run."""
    planned: list[PlannedNode] = []
    for top in spec.tasks:
        queue: list[tuple[PlanNode, str]] = [(top, "")]
        while queue:
            node, parent = queue.pop(0)
            prefix = f"{parent}/" if parent else ""
            needs = tuple(f"{prefix}{need}" for need in node.needs)
            planned.append(PlannedNode(node.id, node.name, node.kind, parent, needs, _note(node)))
            queue.extend((child, node.id) for child in node.children)
    return tuple(planned)


def _note(node: PlanNode) -> str:
    if node.loop:
        return "ParallelFor"
    if node.condition:
        return f"if {node.condition_text}"
    return "exit handler" if node.exit_task else ""


def project_targets(project: Path) -> tuple[list[PipelineTarget], list[str]]:
    """Every runnable pipeline of ``project`` and the problems found (``file:line: message``)."""
    found = discover(project)
    targets = []
    for info in found.pipelines:
        if info.spec is None:
            continue
        shown = display_path(info.file, project)
        targets.append(
            PipelineTarget(
                target=f"{shown}:{info.func}" if info.func else shown,
                name=info.name or info.func,
                tasks=tuple(n.name for n in info.spec.nodes() if n.kind == "task"),
                params=info.spec.params,
                planned=planned_nodes(info.spec),
            )
        )
    return targets, [problem.text(project) for problem in found.problems]
