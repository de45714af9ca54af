"""KFP v1 code under kfp 2: ``dsl.ContainerOp`` and the other names kfp 2 removed, found in a
pipeline file's source with ``ast`` (nothing is imported), so that the import error a tutorial's
pipeline gets (``module 'kfp.dsl' has no attribute 'ContainerOp'``) becomes one line saying
where the v1 code is and what kfp 2 has instead."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

_CONTAINER = (
    "write the step as a @dsl.container_component function returning"
    " dsl.ContainerSpec(image=..., command=..., args=...), or a Python function as a"
    " @dsl.component"
)
_FUNCTION = "decorate the Python function with @dsl.component instead"
_VOLUME = (
    "volumes come from the kfp-kubernetes package (kubernetes.CreatePVC, kubernetes.mount_pvc)"
    " and steps from @dsl.container_component functions returning"
    " dsl.ContainerSpec(image=..., command=..., args=...)"
)
_RESOURCE = (
    "apply the resource from a @dsl.container_component step, a function returning"
    " dsl.ContainerSpec(image=..., command=..., args=...) that runs kubectl"
)

# the v1-only names, by where kfp 1 had them, and what to write in kfp 2 instead
REPLACEMENTS = {
    "kfp.dsl.ContainerOp": _CONTAINER,
    "kfp.dsl.VolumeOp": _VOLUME,
    "kfp.dsl.VolumeSnapshotOp": _VOLUME,
    "kfp.dsl.PipelineVolume": _VOLUME,
    "kfp.dsl.ResourceOp": _RESOURCE,
    "kfp.components.func_to_container_op": _FUNCTION,
    "kfp.components.create_component_from_func": _FUNCTION,
}
SHORT_NAMES = frozenset(name.rpartition(".")[2] for name in REPLACEMENTS)


@dataclass(frozen=True)
class V1Use:
    """One use of a v1-only name: its line, as it is written there, and what it names."""

    line: int
    written: str  # dsl.ContainerOp, ContainerOp, kfp.components.func_to_container_op
    qualified: str  # kfp.dsl.ContainerOp

    @property
    def message(self) -> str:
        replacement = REPLACEMENTS[self.qualified]
        return (
            f"{self.written} is KFP v1, removed in kfp 2; {replacement}"
            " (`pipedeck migrate FILE` converts it)"
        )


def uses(source: str | bytes) -> list[V1Use]:
    """Every use of a v1-only name in ``source``, in the order they are written; none when
    it is not valid Python. A name counts where the file binds it to kfp (``import kfp``,
    ``from kfp import dsl as d``, ``from kfp.dsl import ContainerOp``, ``import kfp.dsl as
    dsl``, ``from kfp.dsl import *``): a ``ContainerOp`` of the file's own is not kfp's."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    bound, found = _bindings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
            written = _dotted(node)
            if written is None:
                continue
            head, _, rest = written.partition(".")
            qualified = bound.get(head)
            if qualified is None:
                continue
            full = f"{qualified}.{rest}" if rest else qualified
            if full in REPLACEMENTS:
                found.append(V1Use(node.lineno, written, full))
    return sorted(found, key=lambda use: use.line)


def first_use(source: str | bytes) -> V1Use | None:
    found = uses(source)
    return found[0] if found else None


def in_file(path: Path) -> V1Use | None:
    """The first use of a v1-only name in the Python file ``path`` (None: none, or unreadable)."""
    try:
        return first_use(path.read_bytes())
    except OSError:
        return None


def explains(exc: BaseException) -> bool:
    """Whether ``exc``, raised importing a pipeline file, is kfp 2 lacking a v1-only name."""
    if not isinstance(exc, AttributeError | ImportError):
        return False
    text = str(exc)
    return any(f"'{name}'" in text for name in SHORT_NAMES)


def _bindings(tree: ast.AST) -> tuple[dict[str, str], list[V1Use]]:
    """What each name the file imports stands for (``dsl`` → ``kfp.dsl``), and the imports
    that name a v1-only name themselves (``from kfp.dsl import ContainerOp``)."""
    bound: dict[str, str] = {}
    found: list[V1Use] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "kfp" or alias.name.startswith("kfp."):
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound["kfp"] = "kfp"  # `import kfp.dsl` binds kfp
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if module != "kfp" and not module.startswith("kfp."):
                continue
            for alias in node.names:
                if alias.name == "*":
                    for full in REPLACEMENTS:
                        owner, _, name = full.rpartition(".")
                        if owner == module:
                            bound.setdefault(name, full)
                    continue
                full = f"{module}.{alias.name}"
                bound[alias.asname or alias.name] = full
                if full in REPLACEMENTS:
                    found.append(V1Use(node.lineno, alias.name, full))
    return bound, found


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])
