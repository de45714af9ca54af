"""Watch mode's map of a project: which files each target (a workflow, a pipeline) depends on,
and which targets a change of files affects.

What a target depends on (what ``pipedeck watch`` re-runs it for):

- a **pipeline**: its module and the project's Python modules it imports, transitively (read
  with ``ast``, resolved as Python would from the module's folder and the project root; what
  is not a file of the project — the standard library, installed packages — is not watched);
- a **workflow**: its file, the local reusable workflows and local actions it uses
  (``uses: ./…``), and the project's files its ``run:`` steps name (each word of a script that
  is the path of a file of the project, from the project root or the step's
  ``working-directory``: ``python train.py``, ``pip install -r requirements.txt``), with the
  project modules those Python files import. A file a script reaches only through a glob or a
  variable is not seen.
"""

from __future__ import annotations

import ast
import contextlib
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Watched:
    kind: str  # "workflow" or "pipeline"
    target: str  # as runs name it: ``ci.yml``, ``pipeline.py:ml_pipeline``
    path: Path  # the workflow file, or the pipeline's module (or compiled YAML)
    files: frozenset[Path]  # absolute, resolved


def watched_pipeline(project: Path, target: str, path: Path) -> Watched:
    files = {path.resolve()}
    if path.suffix == ".py":
        files |= python_files(project, path)
    return Watched("pipeline", target, path, frozenset(files))


def watched_workflow(project: Path, target: str, path: Path) -> Watched:
    return Watched("workflow", target, path, frozenset(workflow_files(project, path)))


def again(project: Path, watched: Watched) -> Watched:
    """``watched`` with its files worked out again (an edit may import another module)."""
    if watched.kind == "pipeline":
        return watched_pipeline(project, watched.target, watched.path)
    return watched_workflow(project, watched.target, watched.path)


def affected(
    watched: Sequence[Watched], changed: Iterable[Path]
) -> list[tuple[Watched, list[Path]]]:
    """The targets ``changed`` (absolute, resolved paths) touches, each with its changed
    files, in ``watched``'s order."""
    changed = set(changed)
    out = []
    for entry in watched:
        mine = sorted(changed & entry.files)
        if mine:
            out.append((entry, mine))
    return out


def reason(project: Path, files: Sequence[Path]) -> str:
    """Why a target re-runs, in a few words: ``pipeline.py changed``."""
    names = [_shown(project, f) for f in files]
    if len(names) == 1:
        return f"{names[0]} changed"
    if len(names) == 2:
        return f"{names[0]} and {names[1]} changed"
    return f"{len(names)} files changed ({names[0]}, {names[1]}, …)"


# -- Python imports -------------------------------------------------------------------------


def python_files(project: Path, module: Path) -> set[Path]:
    """The project's Python files ``module`` imports, transitively (``module`` itself not
    included unless it is imported back)."""
    root = project.resolve()
    seen: set[Path] = set()
    todo = [module.resolve()]
    while todo:
        current = todo.pop()
        for found in _imports(root, current):
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


def _imports(root: Path, module: Path) -> set[Path]:
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return set()  # what cannot be read imports nothing we can see (the run says why)
    bases = [module.parent, root]
    out: set[Path] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out |= _module_files(root, bases, alias.name.split("."))
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.module else []
            where = bases
            if node.level:  # relative: from the module's package
                package = module.parent
                for _ in range(node.level - 1):
                    package = package.parent
                where = [package]
            out |= _module_files(root, where, parts)
            for alias in node.names:  # `from pkg import submodule`
                out |= _module_files(root, where, [*parts, alias.name], exact=True)
    return out


def _module_files(
    root: Path, bases: Sequence[Path], parts: list[str], exact: bool = False
) -> set[Path]:
    """The files of the project that ``import a.b`` loads from ``bases`` (each package's
    ``__init__.py`` on the way, and the module)."""
    if not parts or not all(parts):
        return set()
    for base in bases:
        out: set[Path] = set()
        folder = base
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            candidate = folder / f"{part}.py"
            package = folder / part / "__init__.py"
            if last and candidate.is_file():
                out.add(candidate.resolve())
                break
            if package.is_file():
                out.add(package.resolve())
                folder = folder / part
                continue
            if (folder / part).is_dir() and not last:  # a namespace package
                folder = folder / part
                continue
            out = set() if exact or i == 0 else out
            break
        kept = {p for p in out if p.is_relative_to(root)}
        if kept:
            return kept
    return set()


# -- workflows --------------------------------------------------------------------------------


def workflow_files(project: Path, path: Path, seen: set[Path] | None = None) -> set[Path]:
    """The workflow file and what of the project it uses (see the module's docstring)."""
    import yaml

    root = project.resolve()
    seen = seen if seen is not None else set()
    this = path.resolve()
    if this in seen:
        return set()
    seen.add(this)
    out = {this}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return out  # a broken file: the run says what is wrong with it
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job in (jobs or {}).values() if isinstance(jobs, dict) else ():
        if not isinstance(job, dict):
            continue
        out |= _local_uses(root, job.get("uses"), seen)
        default_dir = _working_dir(job.get("defaults"))
        for step in job.get("steps") or ():
            if not isinstance(step, dict):
                continue
            out |= _local_uses(root, step.get("uses"), seen)
            script = step.get("run")
            if isinstance(script, str):
                folder = root / str(step.get("working-directory") or default_dir or ".")
                for named in _named_files(root, folder, script):
                    out.add(named)
                    if named.suffix == ".py":
                        out |= python_files(root, named)
    return out


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _working_dir(defaults: Any) -> str:
    if isinstance(defaults, dict) and isinstance(defaults.get("run"), dict):
        return str(defaults["run"].get("working-directory") or "")
    return ""


def _local_uses(root: Path, uses: Any, seen: set[Path]) -> set[Path]:
    if not isinstance(uses, str) or not uses.startswith("./"):
        return set()
    target = (root / uses.split("@")[0]).resolve()
    if not target.is_relative_to(root):
        return set()
    if target.is_file():  # a local reusable workflow
        return workflow_files(root, target, seen)
    for name in ("action.yml", "action.yaml"):  # a local action
        if (target / name).is_file():
            return {(target / name).resolve()}
    return set()


def _named_files(root: Path, folder: Path, script: str) -> set[Path]:
    words: list[str] = []
    for line in script.splitlines():
        try:
            words += shlex.split(line, comments=True)
        except ValueError:  # an unclosed quote: the words as they are
            words += line.split()
    out = set()
    for word in words:
        word = word.strip("'\";&|()<>")
        if not word or word.startswith("-") or "$" in word or "*" in word:
            continue
        for base in (folder, root):
            with contextlib.suppress(OSError, ValueError):
                candidate = (base / word).resolve()
                if candidate.is_file() and candidate.is_relative_to(root):
                    out.add(candidate)
                    break
    return out


def _shown(project: Path, path: Path) -> str:
    try:
        return str(path.relative_to(project.resolve()))
    except ValueError:
        return path.name
