"""Child process: import pipeline files, list their ``@dsl.pipeline`` functions, compile them.

Run as ``python -m tui.core.pipelines.probe REQUEST.json``. Importing user code can print,
crash, or call ``sys.exit``; none of that reaches the caller, which reads only the result
file. The request names ``files``, an optional ``func`` (compile only that one) and
``out_dir`` for the compiled YAML. The result, written to ``REQUEST.json.result``::

    {"files": {"<path>": {"error": {"line": 3, "message": "..."} | null,
                          "pipelines": [{"func", "name", "line", "yaml", "error"}],
                          "func_kind": "pipeline" | "component" | "other" | "missing" | ""}}}
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any


def _error_line(exc: BaseException, path: Path) -> int:
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename) == path:
        return exc.lineno or 0
    line = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno or 0
    return line


def _v1_error(exc: BaseException, path: Path) -> dict[str, Any] | None:
    """The error of a file whose import failed on a KFP v1 name (``dsl.ContainerOp``): where
    the v1 code is and what kfp 2 has instead (``kfp_v1``). The file looked in is the one of
    the innermost frame of the traceback that uses such a name (the user's own code, not
    kfp's), else ``path``; a use in another file is named in the message."""
    from tui.core.pipelines import kfp_v1

    if not kfp_v1.explains(exc):
        return None
    frames = [Path(f.filename) for f in reversed(traceback.extract_tb(exc.__traceback__))]
    for file in dict.fromkeys([*frames, path]):
        use = kfp_v1.in_file(file) if file.suffix == ".py" else None
        if use is None:
            continue
        if file == path:
            return {"line": use.line, "message": use.message, "kfp_v1": True}
        try:
            shown = str(file.relative_to(path.parent))
        except ValueError:
            shown = str(file)
        message = f"{shown}:{use.line} (imported here): {use.message}"
        return {"line": _error_line(exc, path), "message": message, "kfp_v1": True}
    return None


def _import(path: Path, index: int) -> ModuleType:
    name = f"_pipedeck_probe_{index}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path.name} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    with contextlib.redirect_stdout(sys.stderr):
        spec.loader.exec_module(module)
    return module


def _kind(obj: Any) -> str:
    from kfp.dsl import base_component, graph_component

    if isinstance(obj, graph_component.GraphComponent):
        return "pipeline"
    if isinstance(obj, base_component.BaseComponent):
        return "component"
    return "other"


def _line(obj: Any) -> int:
    func = getattr(obj, "pipeline_func", None)
    code = getattr(func, "__code__", None)
    return int(code.co_firstlineno) if code is not None else 0


def _component_line(obj: Any) -> int:
    func = getattr(obj, "python_func", None)
    code = getattr(func, "__code__", None)
    return int(code.co_firstlineno) if code is not None else 0


def _compile(obj: Any, out: Path) -> str:
    from kfp import compiler

    out.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stdout(sys.stderr):
        compiler.Compiler().compile(obj, package_path=str(out))
    return str(out)


def probe_file(path: Path, index: int, func: str | None, out_dir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"error": None, "pipelines": [], "func_kind": ""}
    try:
        module = _import(path, index)
    except BaseException as exc:  # user code: anything, including SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        detail = str(exc).strip().splitlines()
        message = f"{type(exc).__name__}: {detail[0]}" if detail else type(exc).__name__
        result["error"] = _v1_error(exc, path) or {
            "line": _error_line(exc, path),
            "message": message,
        }
        return result
    if func is not None:
        obj = getattr(module, func, None)
        result["func_kind"] = "missing" if obj is None else _kind(obj)
        if obj is not None and result["func_kind"] == "component":  # kfp compiles it too
            lone: dict[str, Any] = {"func": func, "line": _component_line(obj), "yaml": ""}
            lone["error"] = ""
            try:
                lone["yaml"] = _compile(obj, out_dir / f"{index}-{func}.yaml")
            except Exception as exc:
                first = (str(exc).strip().splitlines() or [""])[0]
                lone["error"] = f"cannot compile: {type(exc).__name__}: {first}"
            result["component"] = lone
    for attr, obj in vars(module).items():
        if attr.startswith("_") or _kind(obj) != "pipeline":
            continue
        pipeline_func = getattr(obj, "pipeline_func", None)
        if getattr(pipeline_func, "__module__", None) != module.__name__:
            continue  # imported from elsewhere; listed where it is defined
        entry: dict[str, Any] = {
            "func": attr,
            "name": obj.name,
            "line": _line(obj),
            "yaml": "",
            "error": "",
        }
        if func is None or func == attr:
            try:
                entry["yaml"] = _compile(obj, out_dir / f"{index}-{attr}.yaml")
            except Exception as exc:
                first = (str(exc).strip().splitlines() or [""])[0]
                entry["error"] = f"cannot compile: {type(exc).__name__}: {first}"
        result["pipelines"].append(entry)
    return result


def main(argv: list[str]) -> int:
    request_path = Path(argv[0])
    request = json.loads(request_path.read_text(encoding="utf-8"))
    out_dir = Path(request["out_dir"])
    func = request.get("func")
    files: dict[str, Any] = {}
    for index, name in enumerate(request["files"]):
        files[name] = probe_file(Path(name), index, func, out_dir)
    Path(f"{request_path}.result").write_text(json.dumps({"files": files}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
