"""A compiled pipeline spec (KFP IR YAML) read as plain data: parameters, the task tree, the
packages its components install. No kfp import: the caller's process stays light.

Node ids are the task names joined by ``/`` from the root DAG down (``condition-1/train``);
the driver uses the same ids, plus ``iteration-<i>`` segments for ``ParallelFor`` iterations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from tui.core.dag import DagCycle, layered_order, topological_order
from tui.core.errors import BadInput
from tui.core.pipelines.command import pip_requirements
from tui.core.pipelines.conditions import readable

TYPE_NAMES = {
    "STRING": "str",
    "NUMBER_INTEGER": "int",
    "NUMBER_DOUBLE": "float",
    "BOOLEAN": "bool",
    "LIST": "list",
    "STRUCT": "dict",
    "TASK_FINAL_STATUS": "PipelineTaskFinalStatus",
}
_MISSING = object()


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # the IR parameterType, e.g. NUMBER_INTEGER
    default: Any = None
    has_default: bool = False
    optional: bool = False

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.type, self.type.lower())

    @property
    def required(self) -> bool:
        return not self.has_default and not self.optional

    def default_text(self) -> str:
        if not self.has_default:
            return ""
        value = self.default
        if self.type == "NUMBER_INTEGER" and isinstance(value, float) and value.is_integer():
            value = int(value)
        return json.dumps(value)


@dataclass(frozen=True)
class PlanNode:
    id: str
    name: str
    kind: Literal["task", "group"]
    component: str
    needs: tuple[str, ...] = ()
    children: tuple[PlanNode, ...] = ()
    loop: bool = False
    condition: str = ""
    exit_task: bool = False

    @property
    def condition_text(self) -> str:
        """The condition as the pipeline's source says it: ``drift-check.output > x``."""
        return readable(self.condition)

    @property
    def name_key(self) -> str:
        """The task's key in its DAG (what its siblings' ``needs`` name)."""
        return self.id.rpartition("/")[2]

    def walk(self) -> list[PlanNode]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    params: tuple[Param, ...]
    tasks: tuple[PlanNode, ...]
    packages: tuple[str, ...] = ()
    pip_options: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def nodes(self) -> list[PlanNode]:
        out: list[PlanNode] = []
        for task in self.tasks:
            out.extend(task.walk())
        return out

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def load_spec(path: Path) -> PipelineSpec:
    """Read a compiled pipeline YAML; a file that is not one is a one-line BadInput."""
    try:
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise BadInput(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise BadInput(f"{path}{line}: not valid YAML") from exc
    for doc in docs:
        if is_pipeline_spec(doc):
            problem = shape_problem(doc)
            if problem:
                raise BadInput(f"{path}: not a compiled KFP pipeline kfp can run: {problem}")
            return parse_spec(doc)
    raise BadInput(f"{path}: not a compiled KFP pipeline (no pipelineInfo/root/deploymentSpec)")


def shape_problem(doc: Mapping[str, Any]) -> str:
    """What makes ``doc`` not a pipeline spec kfp.local can run ('' when nothing): the parts
    it reads must be mappings, every task must name a component that exists, and every
    component with an executor must find it in ``deploymentSpec``."""
    components = doc.get("components", {})
    deployment = doc.get("deploymentSpec") or {}
    if not isinstance(deployment, Mapping):
        return "deploymentSpec is not a mapping"
    executors = deployment.get("executors", {})
    if not isinstance(doc.get("pipelineInfo"), Mapping):
        return "pipelineInfo is not a mapping"
    if not isinstance(components, Mapping):
        return "components is not a mapping"
    if not isinstance(executors, Mapping):
        return "deploymentSpec.executors is not a mapping"
    dags: list[tuple[str, Any]] = [("root", doc.get("root"))]
    dags += [(f"components.{name}", c) for name, c in components.items()]
    for where, holder in dags:
        if not isinstance(holder, Mapping):
            return f"{where} is not a mapping"
        label = holder.get("executorLabel")
        if label is not None and label not in executors:
            return f"{where} runs executor {label!r}, which deploymentSpec does not define"
        dag = holder.get("dag", {})
        tasks = dag.get("tasks", {}) if isinstance(dag, Mapping) else None
        if not isinstance(tasks, Mapping):
            return f"{where}.dag.tasks is not a mapping"
        for name, task in tasks.items():
            ref = task.get("componentRef") if isinstance(task, Mapping) else None
            component = ref.get("name") if isinstance(ref, Mapping) else None
            if component not in components:
                return f"task {name!r} in {where} names no component of the pipeline"
        needs = {name: _needs(task) for name, task in tasks.items()}
        try:
            topological_order(list(tasks), needs, what="dependentTasks")
        except DagCycle as exc:
            return f"tasks of {where} form {exc.message}"
    return ""


def _needs(task: Mapping[str, Any]) -> tuple[str, ...]:
    needs = task.get("dependentTasks") or ()
    return tuple(str(n) for n in needs) if isinstance(needs, list) else ()


def is_pipeline_spec(doc: Any) -> bool:
    return isinstance(doc, dict) and "pipelineInfo" in doc and "root" in doc


def parse_spec(doc: Mapping[str, Any]) -> PipelineSpec:
    components: Mapping[str, Any] = doc.get("components") or {}
    executors: Mapping[str, Any] = (doc.get("deploymentSpec") or {}).get("executors") or {}
    root = doc.get("root") or {}
    packages: dict[str, None] = {}
    options: dict[str, None] = {}
    images: dict[str, None] = {}
    for executor in executors.values():
        container = (executor or {}).get("container")
        if not container:
            continue
        if container.get("image"):
            images.setdefault(str(container["image"]), None)
        reqs = pip_requirements([str(c) for c in container.get("command") or []])
        for package in reqs.packages:
            packages.setdefault(package, None)
        for option in reqs.options:
            options.setdefault(option, None)
    return PipelineSpec(
        name=str((doc.get("pipelineInfo") or {}).get("name", "")),
        params=_params(root.get("inputDefinitions") or {}),
        tasks=_tasks(root.get("dag") or {}, components, prefix=""),
        packages=tuple(packages),
        pip_options=tuple(options),
        images=tuple(images),
        raw=doc,
    )


def _params(definitions: Mapping[str, Any]) -> tuple[Param, ...]:
    out = []
    for name, spec in (definitions.get("parameters") or {}).items():
        default = spec.get("defaultValue", _MISSING)
        out.append(
            Param(
                name=name,
                type=str(spec.get("parameterType", "STRING")),
                default=None if default is _MISSING else default,
                has_default=default is not _MISSING,
                optional=bool(spec.get("isOptional", False)),
            )
        )
    return tuple(out)


def _tasks(
    dag: Mapping[str, Any], components: Mapping[str, Any], prefix: str
) -> tuple[PlanNode, ...]:
    out = []
    for name, task in (dag.get("tasks") or {}).items():
        node_id = f"{prefix}{name}"
        component_name = str((task.get("componentRef") or {}).get("name", ""))
        component = components.get(component_name) or {}
        trigger = task.get("triggerPolicy") or {}
        is_dag = "dag" in component
        children = _tasks(component["dag"], components, f"{node_id}/") if is_dag else ()
        params = (task.get("inputs") or {}).get("parameters") or {}
        out.append(
            PlanNode(
                id=node_id,
                name=str((task.get("taskInfo") or {}).get("name") or name),
                kind="group" if is_dag else "task",
                component=component_name,
                needs=_needs(task),
                children=children,
                loop="parameterIterator" in task or "artifactIterator" in task,
                condition=str(trigger.get("condition", "")),
                exit_task=any("taskFinalStatus" in p for p in params.values()),
            )
        )
    # in topological order (what runs first, first; ties by name): the IR sorts them by name
    try:
        order = layered_order([n.name_key for n in out], {n.name_key: n.needs for n in out})
    except DagCycle:  # shape_problem refuses such a spec; parse_spec alone keeps the IR's order
        return tuple(out)
    by_key = {n.name_key: n for n in out}
    return tuple(by_key[key] for key in order)


def coerce_params(spec: PipelineSpec, given: Mapping[str, str], where: str) -> dict[str, Any]:
    """``--param`` strings turned into the types the pipeline declares.

    Unknown names, values of the wrong type and missing required parameters are BadInput
    naming ``where`` (the pipeline's file and line).
    """
    known = {p.name: p for p in spec.params}
    out: dict[str, Any] = {}
    for name, text in given.items():
        param = known.get(name)
        if param is None:
            names = ", ".join(known) or "none"
            raise BadInput(f"{where}: unknown parameter {name!r} (parameters: {names})")
        out[name] = _coerce(param, text, where)
    missing = [p for p in spec.params if p.required and p.name not in out]
    if missing:
        p = missing[0]
        raise BadInput(
            f"{where}: missing required parameter {p.name!r} ({p.type_name}); "
            f"give --param {p.name}=VALUE"
        )
    return out


def _coerce(param: Param, text: str, where: str) -> Any:
    def bad(expected: str) -> BadInput:
        return BadInput(f"{where}: --param {param.name}={text!r}: expected {expected}")

    kind = param.type
    if kind == "STRING":
        return text
    if kind == "NUMBER_INTEGER":
        try:
            return int(text)
        except ValueError:
            raise bad("an integer") from None
    if kind == "NUMBER_DOUBLE":
        try:
            return float(text)
        except ValueError:
            raise bad("a number") from None
    if kind == "BOOLEAN":
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise bad("true or false")
    if kind in ("LIST", "STRUCT"):
        expected_type: type = list if kind == "LIST" else dict
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, expected_type):
            raise bad(f"a JSON {'list' if kind == 'LIST' else 'object'}")
        return value
    return text
