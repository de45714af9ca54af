"""One workflow file read into a plan: its events, ``workflow_dispatch`` inputs, and jobs (with
stages from ``needs``, matrix legs, steps, ``runs-on`` labels), so a UI can draw every job before
act has started any of them. Errors name the file and the line.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.errors import BadInput
from tui.core.workflows import plan_cache

if TYPE_CHECKING:
    import yaml

SKIM_BYTES = 4 * 1024 * 1024  # a run reads a larger file only for what it needs (skim.py)
_EXPR = re.compile(r"\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}")


@dataclass(frozen=True)
class InputSpec:
    name: str
    description: str = ""
    required: bool = False
    default: str | None = None
    type: str = "string"
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepPlan:
    index: int
    name: str
    id: str = ""
    uses: str = ""


@dataclass(frozen=True)
class JobPlan:
    id: str
    name: str
    needs: tuple[str, ...]
    runs_on: tuple[str, ...]
    steps: tuple[StepPlan, ...]
    matrix: tuple[dict[str, Any], ...] = ()
    stage: int = 0
    line: int = 0
    uses: str = ""  # a reusable-workflow call
    services: tuple[str, ...] = ()  # service container ids
    dynamic_matrix: bool = False  # its legs come from an expression only act can work out
    outputs: tuple[tuple[str, str], ...] = ()  # its `outputs:` mapping (name, expression)


@dataclass(frozen=True)
class Workflow:
    path: Path
    name: str
    events: tuple[str, ...]
    jobs: dict[str, JobPlan]
    inputs: dict[str, InputSpec] = field(default_factory=dict)
    # read leniently (``load_workflow(lenient=True)``): what pipedeck's own check found, for
    # act to decide on
    problems: tuple[str, ...] = ()

    @property
    def stages(self) -> list[list[str]]:
        count = max((j.stage for j in self.jobs.values()), default=-1) + 1
        return [[j.id for j in self.jobs.values() if j.stage == s] for s in range(count)]

    @property
    def labels(self) -> tuple[str, ...]:
        """Every ``runs-on`` label the workflow uses, in first-seen order."""
        seen: dict[str, None] = {}
        for job in self.jobs.values():
            for label in job.runs_on:
                seen.setdefault(label, None)
        return tuple(seen)


def load_workflow(path: Path, *, lenient: bool = False, skim: bool = False) -> Workflow:
    """``path`` parsed; what is wrong with it is a one-line BadInput naming file:line. With
    ``lenient``, only YAML that cannot be read at all is refused: the rest (an unknown
    ``needs``, a cycle, a job that is not a mapping, no ``on:``) goes into ``problems`` and act,
    which runs what it can, decides. With ``skim``, a file over ``SKIM_BYTES`` is read only for
    what a run needs (``skim.py``), when it can be."""
    try:
        data_bytes = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such workflow file") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror})") from None
    small = len(data_bytes) <= SKIM_BYTES  # a huge file is not kept (nor taken) whole
    cached = plan_cache.get(path, lenient, data_bytes) if small else None
    if cached is not None:
        with contextlib.suppress(TypeError, ValueError, KeyError):  # an entry of another shape
            return from_plain(path, cached)
    try:
        text = data_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data_bytes[: exc.start].count(b"\n") + 1
        raise BadInput(f"{path}:{line}: not UTF-8 text (is it a workflow file?)") from None
    if skim and len(data_bytes) > SKIM_BYTES:
        from tui.core.workflows.skim import skim_workflow

        skimmed = skim_workflow(path, text)
        if skimmed is not None:
            return skimmed
    import yaml  # PyYAML: ~9 ms to import, so not when the plan cache has the file

    try:
        root, data = _parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise BadInput(f"{where}: malformed YAML: {exc.problem or exc}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, …)
        line = text[: exc.position].count("\n") + 1
        reason = f"{exc.reason} (#x{exc.character:04x})"
        raise BadInput(f"{path}:{line}: malformed YAML: {reason}") from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise BadInput(f"{path}: malformed YAML: {first}") from None
    if not isinstance(data, dict) or root is None:
        raise BadInput(f"{path}:1: not a workflow (expected a mapping with `on:` and `jobs:`)")
    problems: list[str] | None = [] if lenient else None
    workflow = _parse(path, data, root, problems)
    if small:
        plan_cache.put(path, lenient, data_bytes, to_plain(workflow))
    return workflow


def to_plain(workflow: Workflow) -> tuple[Any, ...]:
    """``workflow`` as plain values (tuples, dicts, strings...), for ``plan_cache``; its path
    aside (the caller's is used again)."""
    jobs = {
        job_id: {**job.__dict__, "steps": tuple(step.__dict__ for step in job.steps)}
        for job_id, job in workflow.jobs.items()
    }
    inputs = {name: spec.__dict__ for name, spec in workflow.inputs.items()}
    return (workflow.name, workflow.events, jobs, inputs, workflow.problems)


def from_plain(path: Path, plain: tuple[Any, ...]) -> Workflow:
    """The workflow ``to_plain`` made ``plain`` from, read from ``path``."""
    name, events, jobs, inputs, problems = plain
    return Workflow(
        path=path,
        name=name,
        events=events,
        jobs={
            job_id: JobPlan(**{**job, "steps": tuple(StepPlan(**step) for step in job["steps"])})
            for job_id, job in jobs.items()
        },
        inputs={key: InputSpec(**spec) for key, spec in inputs.items()},
        problems=problems,
    )


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its data, from one parse (libyaml's,
    when PyYAML has it)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data


def _line(node: yaml.Node | None, *keys: str | int) -> int:
    """1-based line of the node at ``keys`` inside ``node`` (the closest parent if missing)."""
    import yaml

    best = node.start_mark.line + 1 if node is not None else 1
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            found = None
            for k, v in node.value:
                if k.value == key or (key == "on" and k.value is True):
                    found = v
                    break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        best = node.start_mark.line + 1
    return best


def _parse(
    path: Path, data: dict[Any, Any], root: yaml.Node, problems: list[str] | None
) -> Workflow:
    def problem(message: str) -> None:
        if problems is None:
            raise BadInput(message)
        problems.append(message)

    # YAML 1.1 reads a bare `on:` key as the boolean True.
    on = data.get("on", data.get(True))
    if on is None:
        problem(f"{path}:1: workflow has no `on:` (which events trigger it?)")
    events, inputs = events_of(on)
    jobs_raw = data.get("jobs")
    if not isinstance(jobs_raw, dict) or not jobs_raw:
        problem(f"{path}:{_line(root, 'jobs')}: workflow has no `jobs:`")
        jobs_raw = {}
    jobs: dict[str, JobPlan] = {}
    for job_id, raw in jobs_raw.items():
        if not isinstance(raw, dict):
            line = _line(root, "jobs", str(job_id))
            problem(f"{path}:{line}: job {job_id!r} must be a mapping")
            continue
        jobs[str(job_id)] = job_plan(str(job_id), raw, _line(root, "jobs", str(job_id)))
    for job in list(jobs.values()):
        for i, need in enumerate(job.needs):
            if need not in jobs:
                line = _line(root, "jobs", job.id, "needs", i)
                if line == _line(root, "jobs", job.id):
                    line = _line(root, "jobs", job.id, "needs")
                problem(
                    f"{path}:{line}: job {job.id!r} needs unknown job {need!r}"
                    f" (jobs: {', '.join(jobs)})"
                )
        known = tuple(n for n in job.needs if n in jobs)
        if known != job.needs:
            jobs[job.id] = JobPlan(**{**job.__dict__, "needs": known})
    staged = _stage(path, root, jobs, problem)
    name = str(data.get("name") or path.name)
    return Workflow(
        path=path,
        name=name,
        events=events,
        jobs=staged,
        inputs=inputs,
        problems=tuple(problems or ()),
    )


def events_of(on: Any) -> tuple[tuple[str, ...], dict[str, InputSpec]]:
    inputs: dict[str, InputSpec] = {}
    if isinstance(on, str):
        return (on,), inputs
    if isinstance(on, list):
        return tuple(str(e) for e in on), inputs
    if isinstance(on, dict):
        dispatch = on.get("workflow_dispatch")
        if isinstance(dispatch, dict) and isinstance(dispatch.get("inputs"), dict):
            for name, spec in dispatch["inputs"].items():
                spec = spec if isinstance(spec, dict) else {}
                default = spec.get("default")
                inputs[str(name)] = InputSpec(
                    name=str(name),
                    description=str(spec.get("description", "")),
                    required=bool(spec.get("required", False)),
                    default=None if default is None else _scalar(default),
                    type=str(spec.get("type", "string")),
                    options=tuple(str(o) for o in spec.get("options", []) or []),
                )
        return tuple(str(e) for e in on), inputs
    return (), inputs


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def job_plan(job_id: str, raw: Mapping[str, Any], line: int = 0) -> JobPlan:
    """One job's plan from its mapping (``line``: where it starts in its file)."""
    needs_raw = raw.get("needs", [])
    needs = (needs_raw,) if isinstance(needs_raw, str) else tuple(str(n) for n in needs_raw or [])
    matrix = _matrix(raw.get("strategy"))
    steps = tuple(_step(i, s) for i, s in enumerate(raw.get("steps") or []) if isinstance(s, dict))
    return JobPlan(
        id=job_id,
        name=str(raw.get("name") or job_id),
        needs=needs,
        runs_on=_labels(raw.get("runs-on"), matrix),
        steps=steps,
        matrix=matrix,
        line=line,
        uses=str(raw.get("uses", "")),
        services=tuple(str(k) for k in raw["services"])
        if isinstance(raw.get("services"), dict)
        else (),
        dynamic_matrix=_dynamic(raw.get("strategy")),
        outputs=_outputs(raw.get("outputs")),
    )


def _outputs(raw: Any) -> tuple[tuple[str, str], ...]:
    """A job's ``outputs:`` as (name, expression) pairs (job_outputs.py evaluates them)."""
    if not isinstance(raw, dict):
        return ()
    return tuple((str(k), "" if v is None else _scalar(v)) for k, v in raw.items())


def _step(index: int, raw: Mapping[str, Any]) -> StepPlan:
    uses = str(raw.get("uses", ""))
    run = str(raw.get("run", "")).strip().splitlines()
    name = raw.get("name") or (f"Run {uses}" if uses else (run[0] if run else f"step {index}"))
    return StepPlan(index=index, name=str(name), id=str(raw.get("id", "")), uses=uses)


def _labels(runs_on: Any, matrix: tuple[dict[str, Any], ...]) -> tuple[str, ...]:
    if isinstance(runs_on, dict):
        runs_on = runs_on.get("labels", [])
    values = [runs_on] if isinstance(runs_on, str) else list(runs_on or [])
    labels: list[str] = []
    for value in values:
        text = str(value)
        match = _EXPR.fullmatch(text.strip())
        if match:
            for leg in matrix:
                leg_value = leg.get(match.group(1))
                if leg_value is not None and str(leg_value) not in labels:
                    labels.append(str(leg_value))
        elif text not in labels:
            labels.append(text)
    return tuple(labels)


def _dynamic(strategy: Any) -> bool:
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if matrix is None:
        return False
    if not isinstance(matrix, dict):
        return True
    axes = (v for k, v in matrix.items() if k not in ("include", "exclude"))
    return any(not isinstance(v, list) for v in axes)


def _matrix(strategy: Any) -> tuple[dict[str, Any], ...]:
    """Matrix legs, following GitHub's include/exclude rules for the common cases."""
    if not isinstance(strategy, dict) or not isinstance(strategy.get("matrix"), dict):
        return ()
    matrix = strategy["matrix"]
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    if any(not isinstance(v, list) for v in axes.values()):
        return ()  # an expression (fromJSON(...)): only act knows the legs
    legs = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]
    if not axes:
        legs = []
    for ex in matrix.get("exclude") or []:
        legs = [leg for leg in legs if not all(leg.get(k) == v for k, v in ex.items())]
    for inc in matrix.get("include") or []:
        extended = False
        for leg in legs:
            if all(leg.get(k) == v for k, v in inc.items() if k in axes):
                leg.update({k: v for k, v in inc.items() if k not in axes})
                extended = True
        if not extended:
            legs.append(dict(inc))
    return tuple(legs)


def _stage(
    path: Path, root: yaml.Node, jobs: dict[str, JobPlan], problem: Callable[[str], None]
) -> dict[str, JobPlan]:
    stage: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(job_id: str) -> int:
        if job_id in stage:
            return stage[job_id]
        if job_id in visiting:
            line = _line(root, "jobs", job_id, "needs")
            problem(f"{path}:{line}: jobs form a `needs` cycle through {job_id!r}")
            return 0
        visiting.add(job_id)
        stage[job_id] = max((depth(n) + 1 for n in jobs[job_id].needs), default=0)
        visiting.discard(job_id)
        return stage[job_id]

    out: dict[str, JobPlan] = {}
    for job_id, job in jobs.items():
        out[job_id] = JobPlan(**{**job.__dict__, "stage": depth(job_id)})
    return out
