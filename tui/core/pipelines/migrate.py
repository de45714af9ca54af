"""``pipedeck migrate``: KFP v1 pipeline source → v2, with ``ast`` (nothing is imported),
editing the file's own text so its comments and layout stay. Per ``dsl.ContainerOp(...)`` made
in a ``@dsl.pipeline`` function:

- a module-level ``@dsl.container_component`` before the pipeline, named after the op
  (snake_case of ``name=``), returning ``dsl.ContainerSpec(image=, command=[...], args=[...])``;
  the op's call becomes a call of it, so ``.after(...)`` and the v2 task methods stay;
- literal command/arguments stay literal; ``other.outputs['x']`` / ``other.output`` becomes
  the ``str`` input ``<other's component>_x`` fed by that task's output; a pipeline parameter
  (or ``ParallelFor`` item) becomes an input of its type; a parameter without an annotation
  gets one from its default (kfp 2 needs them);
- ``file_outputs={'x': '/path'}``: the component declares ``x: dsl.OutputPath(str)`` (a v1
  output is the file's contents, a v2 string output too). An element ``'/path'`` of the
  command or args becomes that placeholder; when there is none the program still writes
  ``/path``, so the command runs under ``sh -c``, which then copies ``/path`` to ``x``;
- ``with dsl.Condition(...)`` becomes ``with dsl.If(...)``; positional ``@dsl.pipeline``
  arguments become keywords; the compiler and ``kfp.Client`` calls stay (same API in v2).

What has no v2 form here (``VolumeOp``, ``ResourceOp``, ``op.set_*`` calls kfp 2 lacks, v1 names
outside a pipeline function, statements using those) is a :class:`Problem`, its statement kept
as a ``# pipedeck migrate: could not convert: …`` comment (an emptied block gets ``pass``)."""

from __future__ import annotations

import ast
import copy
import io
import re
import shlex
from dataclasses import dataclass

from tui.core.errors import BadInput
from tui.core.pipelines.kfp_v1 import REPLACEMENTS, _bindings, _dotted
from tui.core.pipelines.migrate_ast import (
    Inputs,
    Op,
    Scope,
    Unconvertible,
    assigned,
    code_list,
    elements,
    file_outputs,
    identifier,
    map_children,
    module_names,
    qualified,
    snake,
    unique,
)

CONTAINER_OP = "kfp.dsl.ContainerOp"
MARK = "# pipedeck migrate: could not convert: "
# ContainerOp's parameters in kfp 1's order (for positional arguments)
OP_PARAMS = (
    "name", "image", "command", "arguments", "init_containers", "sidecars", "container_kwargs",
    "artifact_argument_paths", "file_outputs", "output_artifact_paths", "is_exit_handler",
    "pvolumes",
)  # fmt: skip
DROPPED = frozenset({"is_exit_handler"})  # meaningless in v2 (dsl.ExitHandler takes any task)
# what a v1 op's variable may be used for in v2 (the rest of a kfp 2 PipelineTask's API that
# kfp 1's ContainerOp had with the same meaning)
TASK_ATTRS = frozenset(
    {
        "after", "output", "outputs", "set_cpu_limit", "set_cpu_request", "set_memory_limit",
        "set_memory_request", "set_display_name", "set_caching_options", "set_retry",
        "set_gpu_limit", "set_env_variable",
    }
)  # fmt: skip
V1_ONLY_DSL = frozenset(
    {"get_pipeline_conf", "PipelineConf", "PipelineParam", "Sidecar", "UserContainer"}
)
TYPES = {bool: "bool", int: "int", float: "float", str: "str"}


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def where(self, file: str) -> str:
        return f"{file}:{self.line}: could not convert: {self.text}"


@dataclass(frozen=True)
class Migration:
    source: str
    converted: int  # ContainerOps made v2 components
    problems: tuple[Problem, ...]


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    comment: bool = False


def migrate(source: str, file: str = "<source>") -> Migration:
    """``source`` (KFP v1) as v2; BadInput when it is not Python or holds no v1 code."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise BadInput(f"{file}{f':{line}' if line else ''}: not Python ({exc})") from None
    bound, _ = _bindings(tree)
    if not any(qualified(n, bound) in REPLACEMENTS for n in ast.walk(tree)):
        raise BadInput(
            f"{file}: no KFP v1 code found (dsl.ContainerOp, VolumeOp, ResourceOp,"
            " func_to_container_op): nothing to migrate"
        )
    return _Migrator(source, tree, bound).run()


class _Migrator:
    def __init__(self, source: str, tree: ast.Module, bound: dict[str, str]) -> None:
        self.data = source.encode()
        self.lines = io.StringIO(source, newline="").readlines()  # the line ends ast knows
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line.encode()))
        self.tree, self.bound = tree, bound
        self.edits: list[_Edit] = []
        self.problems: list[Problem] = []
        self.commented: set[int] = set()  # id() of the statements made comments
        self.taken = module_names(tree)
        self.converted = 0
        dsl = next((k for k, v in bound.items() if v == "kfp.dsl"), None)
        kfp = next((k for k, v in bound.items() if v == "kfp"), None)
        self.dsl = dsl or (f"{kfp}.dsl" if kfp else "dsl")
        if dsl is None and kfp is None:  # only ``from kfp.dsl import ContainerOp``
            last = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)][-1]
            self.edits.append(_Edit(self._end(last), self._end(last), "\nfrom kfp import dsl"))

    def run(self) -> Migration:
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom):
                keep = [a for a in node.names if f"{node.module}.{a.name}" not in REPLACEMENTS]
                if len(keep) < len(node.names):
                    text = ast.unparse(ast.ImportFrom(node.module, keep, 0)) if keep else ""
                    self.edits.append(_Edit(self._start(node), self._end(node), text))
            elif isinstance(node, ast.FunctionDef) and any(
                self._q(d.func if isinstance(d, ast.Call) else d) == "kfp.dsl.pipeline"
                for d in node.decorator_list
            ):
                self._pipeline(node)
        self._leftovers()
        for tree_node in ast.walk(self.tree):  # a block left all comments gets a ``pass``
            for part in ("body", "orelse", "finalbody"):
                block = getattr(tree_node, part, None)
                if isinstance(tree_node, ast.Module) or not isinstance(block, list) or not block:
                    continue
                if all(id(stmt) in self.commented for stmt in block):
                    at = self._eol(block[-1].end_lineno or block[-1].lineno)
                    self.edits.append(_Edit(at, at, f"\n{self._indent(block[-1])}pass"))
        problems = tuple(sorted(self.problems, key=lambda p: p.line))
        return Migration(self._apply(), self.converted, problems)

    def _pipeline(self, func: ast.FunctionDef) -> None:
        for deco in func.decorator_list:
            if isinstance(deco, ast.Call) and deco.args:  # v2 takes keywords only
                pairs = zip(("name", "description"), deco.args, strict=False)
                call = ast.Call(
                    deco.func, [], [*(ast.keyword(k, v) for k, v in pairs), *deco.keywords]
                )
                self.edits.append(_Edit(self._start(deco), self._end(deco), ast.unparse(call)))
        params: dict[str, str] = {}
        args = func.args
        defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
        for arg, default in [
            *zip(args.args, defaults, strict=True),
            *zip(args.kwonlyargs, args.kw_defaults, strict=True),
        ]:
            if arg.annotation is not None:
                params[arg.arg] = ast.unparse(arg.annotation)
                continue
            value = default.value if isinstance(default, ast.Constant) else None
            params[arg.arg] = TYPES.get(type(value), "str")
            stop = self._start(default) if default is not None else self._end(arg)
            text = f": {params[arg.arg]}" + (" = " if default is not None else "")
            self.edits.append(_Edit(self._end(arg), stop, text))
        stored = {
            n.id
            for n in ast.walk(func)
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
        }
        scope = Scope(params, stored - set(params), {}, set())
        components: list[str] = []
        self._block(func.body, scope, components)
        if components:
            at = self._offset(min(d.lineno for d in func.decorator_list), 0)
            self.edits.append(_Edit(at, at, "".join(f"{c}\n\n" for c in components)))

    def _block(self, body: list[ast.stmt], scope: Scope, components: list[str]) -> None:
        for stmt in body:
            for item in stmt.items if isinstance(stmt, ast.With) else []:
                ctx, var = item.context_expr, item.optional_vars
                q = self._q(ctx.func) if isinstance(ctx, ast.Call) else None
                if q == "kfp.dsl.Condition" and isinstance(ctx, ast.Call):
                    self.edits.append(
                        _Edit(self._start(ctx.func), self._end(ctx.func), f"{self.dsl}.If")
                    )
                elif q == "kfp.dsl.ParallelFor" and isinstance(var, ast.Name):
                    scope.params[var.id] = "str"
            if isinstance(stmt, ast.With | ast.For | ast.If | ast.While | ast.Try):
                blocks = [getattr(stmt, part, []) for part in ("body", "orelse", "finalbody")]
                for block in [*blocks, *(h.body for h in getattr(stmt, "handlers", []))]:
                    self._block(block, scope, components)
                continue
            targets = assigned(stmt)
            try:
                self._check(stmt, scope)
                name = targets[0] if len(targets) == 1 else ""
                calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and self._is_op(n)]
                components.extend(self._op(call, name, scope) for call in calls)
            except Unconvertible as exc:
                self._comment(stmt, str(exc))
                scope.failed.update(targets)

    def _check(self, stmt: ast.stmt, scope: Scope) -> None:
        """Raise Unconvertible saying why ``stmt`` of a pipeline cannot be converted."""
        if sum(1 for n in ast.walk(stmt) if self._is_op(n)) > 1:
            raise Unconvertible("more than one dsl.ContainerOp in one statement")
        for node in ast.walk(stmt):
            q = self._q(node) or ""
            if q in REPLACEMENTS and q != CONTAINER_OP:
                raise Unconvertible(f"{_dotted(node)}: {REPLACEMENTS[q]}")  # type: ignore[arg-type]
            if q.startswith("kfp.dsl.") and q[len("kfp.dsl.") :] in V1_ONLY_DSL:
                raise Unconvertible(f"{_dotted(node)} is KFP v1 only")  # type: ignore[arg-type]
            if isinstance(node, ast.Name) and node.id in scope.failed:
                raise Unconvertible(f"uses {node.id}, which was not converted")
            base = node.value if isinstance(node, ast.Attribute) else None
            if isinstance(base, ast.Name) and base.id in scope.ops and node.attr not in TASK_ATTRS:  # type: ignore[attr-defined]
                raise Unconvertible(f"{ast.unparse(node)} has no KFP v2 form")

    def _op(self, call: ast.Call, var: str, scope: Scope) -> str:
        """The component for the ContainerOp ``call``; the call becomes a call of it."""
        given = dict(zip(OP_PARAMS, call.args, strict=False))
        given.update({k.arg: k.value for k in call.keywords if k.arg})
        name = given.get("name")
        wanted = str(name.value if isinstance(name, ast.Constant) else re.sub(r"_op$", "", var))
        try:
            outputs = file_outputs(given.get("file_outputs"))
            inputs = Inputs({identifier(k) for k in outputs})
            image = self._expr(given.get("image", ast.Constant("")), scope, inputs)
            command = [self._expr(e, scope, inputs) for e in elements(given.get("command"))]
            args = [self._expr(e, scope, inputs) for e in elements(given.get("arguments"))]
        except Unconvertible as exc:
            raise Unconvertible(f"ContainerOp {wanted!r}: {exc}") from None
        for key in sorted(set(given) - {"name", "image", "command", "arguments", "file_outputs"}):
            if key not in DROPPED:
                self._problem(call, f"{key}= of ContainerOp {wanted!r} (dropped)")
        component = unique(snake(wanted) or "step", self.taken)
        scope.ops[var] = Op(component, list(outputs))
        self.converted += 1
        unreplaced = []
        for key, path in outputs.items():
            found = [
                (part, i) for part in (command, args) for i, e in enumerate(part) if e == repr(path)
            ]
            for part, i in found:
                part[i] = identifier(key)
            if not found:
                unreplaced.append((identifier(key), path))
        note = ""
        if unreplaced and command:
            names = [f'o{i}="${i - 1}"' for i in range(1, len(unreplaced) + 1)]
            shift = [f"shift {len(unreplaced) - 1}"] if len(unreplaced) > 1 else []
            copies = [
                f'mkdir -p "$(dirname "$o{i}")"; cp -r {shlex.quote(path)} "$o{i}"'
                for i, (_, path) in enumerate(unreplaced, 1)
            ]
            script = "; ".join(["set -e", *names, *shift, '"$@"', *copies])
            command = ["'sh'", "'-c'", repr(script), *(k for k, _ in unreplaced), *command]
            copied = ", ".join(f"{path} to {key}" for key, path in unreplaced)
            note = f"\n\n    sh copies file_outputs ({copied}) once the program succeeds.\n    "
        elif unreplaced:
            self._problem(call, f"ContainerOp {wanted!r}: file_outputs without a command")
        signature = [f"{n}: {t}" for n, t, _ in inputs.items]
        signature += [f"{identifier(k)}: {self.dsl}.OutputPath(str)" for k in outputs]
        spec = [f"image={image}"]
        spec += [f"command={code_list(command)}"] if command else []
        spec += [f"args={code_list(args)}"] if args else []
        feeds = ", ".join(f"{n}={feed}" for n, _, feed in inputs.items)
        self.edits.append(_Edit(self._start(call), self._end(call), f"{component}({feeds})"))
        head = [f"@{self.dsl}.container_component", f"def {component}({', '.join(signature)}):"]
        doc = f'    """{wanted}: the KFP v1 ContainerOp of line {call.lineno}.{note}"""'
        body = [f"    return {self.dsl}.ContainerSpec(", *(f"        {p}," for p in spec), "    )"]
        return "\n".join([*head, doc, *body, ""])

    def _expr(self, node: ast.expr, scope: Scope, inputs: Inputs) -> str:
        """``node`` as the component's code: references to tasks and parameters → inputs."""

        def ref(sub: ast.AST) -> ast.AST:
            feed, key, op = ast.unparse(sub), None, None
            if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Attribute):
                op = (
                    scope.ops.get(ast.unparse(sub.value.value))
                    if sub.value.attr == "outputs"
                    else None
                )
                key = sub.slice.value if isinstance(sub.slice, ast.Constant) else None
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                op = scope.ops.get(sub.value.id)
                if op and (sub.attr != "output" or len(op.outputs) != 1):
                    raise Unconvertible(f"{feed} (use .outputs['KEY'] of a file_outputs key)")
                key = op.outputs[0] if op else None
            elif isinstance(sub, ast.Name) and sub.id in scope.params:
                return ast.Name(inputs.add(sub.id, scope.params[sub.id], sub.id))
            elif isinstance(sub, ast.Name) and sub.id in scope.local:
                raise Unconvertible(f"{sub.id} is the pipeline's own variable")
            if op is None:
                return map_children(sub, ref)
            if key not in op.outputs:
                raise Unconvertible(f"{feed}: no such key in its file_outputs")
            task = sub.value.value if isinstance(sub, ast.Subscript) else sub.value  # type: ignore[attr-defined]
            feed = f"{ast.unparse(task)}.outputs[{key!r}]"
            return ast.Name(inputs.add(f"{op.component}_{key}", "str", feed))

        return ast.unparse(ref(copy.deepcopy(node)))

    def _leftovers(self) -> None:
        """v1 names outside what was converted: each one's statement becomes a comment."""
        parents = {id(c): p for p in ast.walk(self.tree) for c in ast.iter_child_nodes(p)}
        for node in ast.walk(self.tree):
            q = self._q(node)
            done = [(e.start, e.end) for e in self.edits if e.end > e.start]
            if q not in REPLACEMENTS or any(s <= self._start(node) < e for s, e in done):
                continue
            stmt: ast.AST = node
            while not isinstance(stmt, ast.stmt):
                stmt = parents[id(stmt)]
            self._comment(stmt, f"{_dotted(node)} outside a @dsl.pipeline function")  # type: ignore[arg-type]

    def _comment(self, stmt: ast.stmt, reason: str) -> None:
        self.commented.add(id(stmt))
        self.problems.append(Problem(stmt.lineno, reason))
        first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
        indent = self._indent(stmt)
        out = [f"{indent}{MARK}{reason}"]
        for line in self.lines[first - 1 : last]:
            line = line.rstrip("\r\n")
            out.append(
                f"{indent}# {line[len(indent) :] if line.startswith(indent) else line.lstrip()}"
            )
        self.edits.append(_Edit(self._offset(first, 0), self._eol(last), "\n".join(out), True))

    def _apply(self) -> str:
        """The edits, inner ones dropped where a statement became a comment."""
        comments = [e for e in self.edits if e.comment]
        data = self.data
        for edit in sorted(self.edits, key=lambda e: (e.start, e.end), reverse=True):
            if not edit.comment and any(
                c.start <= edit.start and edit.end <= c.end and edit.start < c.end for c in comments
            ):
                continue
            data = data[: edit.start] + edit.text.encode() + data[edit.end :]
        return data.decode()

    def _problem(self, node: ast.expr, text: str) -> None:
        self.problems.append(Problem(node.lineno, text))

    def _is_op(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and self._q(node.func) == CONTAINER_OP

    def _q(self, node: ast.AST) -> str | None:
        return qualified(node, self.bound)

    def _indent(self, stmt: ast.stmt) -> str:
        line = self.lines[stmt.lineno - 1]
        return line[: len(line) - len(line.lstrip())]

    def _offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def _eol(self, line: int) -> int:
        return self._offset(line, len(self.lines[line - 1].rstrip("\r\n").encode()))

    def _start(self, node: ast.AST) -> int:
        return self._offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def _end(self, node: ast.AST) -> int:
        return self._offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
