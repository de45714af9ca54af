"""``FILE[:FUNC]`` → a compiled pipeline spec, with one-line BadInput errors naming file:line.

A ``.py`` target is imported and compiled in a child process (``probe``); a ``.yaml`` target
is already compiled. ``load_pipeline`` is what ``pipedeck run pipeline`` and ``compile`` use.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.errors import BadInput
from tui.core.pipelines.discovery import display_path, pipelines_in, probe
from tui.core.pipelines.spec import PipelineSpec, coerce_params, load_spec


@dataclass(frozen=True)
class LoadedPipeline:
    file: Path
    func: str
    line: int
    spec: PipelineSpec
    spec_path: Path  # the compiled YAML

    def where(self, project: Path | None = None) -> str:
        shown = display_path(self.file, project)
        return f"{shown}:{self.line}" if self.line else shown

    def target(self, project: Path | None = None) -> str:
        shown = display_path(self.file, project)
        return f"{shown}:{self.func}" if self.func else shown

    def arguments(self, given: Mapping[str, str], project: Path | None = None) -> dict[str, Any]:
        return coerce_params(self.spec, given, self.where(project))


def parse_target(target: str, project: Path) -> tuple[Path, str | None]:
    """``FILE[:FUNC]``; FILE is taken relative to the cwd, else to the project."""
    file_part, func = target, None
    head, sep, tail = target.rpartition(":")
    if sep and head and tail.isidentifier():
        file_part, func = head, tail
    path = Path(file_part).expanduser()
    candidates = [path] if path.is_absolute() else [path, project / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve(), func
    raise BadInput(f"{file_part}: no such file")


def load_pipeline(target: str, project: Path, work_dir: Path) -> LoadedPipeline:
    """Import (in a child) and compile the pipeline ``target`` names into ``work_dir``."""
    path, func = parse_target(target, project)
    shown = display_path(path, project)
    if path.suffix in (".yaml", ".yml", ".json"):
        if func:
            raise BadInput(f"{shown}: a compiled pipeline has no functions; drop ':{func}'")
        return LoadedPipeline(path, "", 0, load_spec(path), path)
    if path.suffix != ".py":
        raise BadInput(f"{shown}: expected a .py file with a @dsl.pipeline or a compiled .yaml")
    result = probe([path], work_dir, func=func, cwd=project)
    infos, problems = pipelines_in(result, path)
    entry = result["files"].get(str(path)) or {}
    if entry.get("error"):
        raise BadInput(problems[0].text(project))
    names = ", ".join(i.func for i in infos) or "none"
    if func is not None:
        kind = entry.get("func_kind", "")
        if kind == "missing":
            raise BadInput(f"{shown}: no function {func!r} (pipelines in it: {names})")
        if kind == "component":  # run on its own, as `component(**args)` runs under kfp.local
            lone = entry.get("component") or {}
            if not lone.get("yaml"):
                raise BadInput(
                    f"{shown}:{lone.get('line', 0)}: {lone.get('error') or 'could not compile'}"
                )
            path_yaml = Path(lone["yaml"])
            return LoadedPipeline(
                path, func, int(lone.get("line", 0)), load_spec(path_yaml), path_yaml
            )
        if kind != "pipeline":
            raise BadInput(f"{shown}: {func!r} is neither a @dsl.pipeline nor a @dsl.component")
        chosen = [i for i in infos if i.func == func]
        if not chosen:
            raise BadInput(f"{shown}: {func!r} is a pipeline imported from another module")
    else:
        if not infos:
            raise BadInput(f"{shown}: no @dsl.pipeline function in it")
        if len(infos) > 1:
            raise BadInput(f"{shown}: {len(infos)} pipelines ({names}); choose one: {shown}:FUNC")
        chosen = infos
    info = chosen[0]
    if info.spec is None or info.spec_path is None:
        raise BadInput(f"{shown}:{info.line}: {info.error or 'could not compile'}")
    return LoadedPipeline(path, info.func, info.line, info.spec, info.spec_path)


def compile_to(target: str, project: Path, out: Path, work_dir: Path) -> LoadedPipeline:
    """``pipedeck compile``: the compiled YAML of ``target`` written to ``out``."""
    if out.is_dir():
        raise BadInput(f"-o {out}: is a folder; give the file to write, e.g. {out / 'x.yaml'}")
    loaded = load_pipeline(target, project, work_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if loaded.spec_path.resolve() != out.resolve():
            shutil.copyfile(loaded.spec_path, out)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BadInput(f"-o {out}: cannot write it ({reason}); choose another path") from None
    return loaded
