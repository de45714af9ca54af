"""The ``ast`` helpers of ``pipedeck migrate`` (``tui.core.pipelines.migrate``): what a name
stands for, the names a file binds, identifiers for components and inputs, and ContainerOp's
argument shapes read as lists and dicts."""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.core.pipelines.kfp_v1 import _dotted


class Unconvertible(Exception):
    """What has no KFP v2 form here, said in a few words."""


@dataclass
class Op:
    component: str
    outputs: list[str]


@dataclass
class Inputs:
    """A component's inputs, as they are found in its arguments: name, type, what feeds it."""

    taken: set[str]
    items: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, wanted: str, annotation: str, feed: str) -> str:
        for name, _, fed in self.items:
            if fed == feed:
                return name
        name = unique(identifier(wanted), self.taken)
        self.items.append((name, annotation, feed))
        return name


@dataclass
class Scope:
    """A pipeline function: its parameters (name → type), its other local names, the ops
    converted so far (variable → component) and the variables that could not be."""

    params: dict[str, str]
    local: set[str]
    ops: dict[str, Op]
    failed: set[str]


def qualified(node: ast.AST, bound: dict[str, str]) -> str | None:
    """What a name or attribute chain stands for (``dsl.ContainerOp``: ``kfp.dsl.ContainerOp``)."""
    written = _dotted(node) if isinstance(node, ast.Name | ast.Attribute) else None
    head, _, rest = (written or "").partition(".")
    full = bound.get(head)
    return None if full is None else f"{full}.{rest}".rstrip(".")


def assigned(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return []


def module_names(tree: ast.Module) -> set[str]:
    names = set(keyword.kwlist) | {"dsl", "kfp", "compiler"}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).partition(".")[0] for a in node.names)
    # and every variable: a component named like a pipeline's task variable would be shadowed
    names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not _load(n))
    return names


def _load(node: ast.Name) -> bool:
    return isinstance(node.ctx, ast.Load)


def unique(name: str, taken: set[str]) -> str:
    found, n = name, 2
    while found in taken:
        found, n = f"{name}_{n}", n + 1
    taken.add(found)
    return found


def snake(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"\W+", "_", text).strip("_").lower()


def identifier(text: str) -> str:
    name = snake(text) or "value"
    return f"_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


def file_outputs(node: ast.expr | None) -> dict[str, str]:
    try:
        found = ast.literal_eval(node) if node is not None else {}
    except ValueError:
        found = None
    if not isinstance(found, dict) or not all(
        isinstance(s, str) for s in [*found, *found.values()]
    ):
        raise Unconvertible("file_outputs is not a dict of strings")
    return found


def elements(node: ast.expr | None) -> list[ast.expr]:
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return []
    if isinstance(node, ast.List | ast.Tuple):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            raise Unconvertible(f"{ast.unparse(node)} has a *starred element")
        return list(node.elts)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]  # kfp 1 took a lone string as a one-element list
    raise Unconvertible(f"{ast.unparse(node)} is not a list")


def code_list(items: list[str]) -> str:
    one_line = f"[{', '.join(items)}]"
    if len(one_line) <= 80:
        return one_line
    return "[\n" + "".join(f"            {item},\n" for item in items) + "        ]"


def map_children(node: ast.AST, visit: Callable[[ast.AST], ast.AST]) -> ast.AST:
    """``node`` with ``visit`` applied to each of its child nodes."""
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            setattr(node, name, visit(value))
        elif isinstance(value, list):
            setattr(node, name, [visit(v) if isinstance(v, ast.AST) else v for v in value])
    return node
