"""What a run form's field may hold, checked before the run is asked for: a pipeline
parameter by its IR type (``1.5`` is not an ``int``), a workflow_dispatch input by its
``type`` — each error one line naming the field and what it expects."""

from __future__ import annotations

import json

TRUE_FALSE = ("true", "false", "True", "False", "1", "0")


def param_error(name: str, ir_type: str, text: str, required: bool) -> str:
    """Why ``text`` cannot be pipeline parameter ``name`` of ``ir_type`` ('' when it can;
    an empty optional field keeps the default)."""
    if text == "":
        return f"{name}: required (a value of its type)" if required else ""
    if ir_type == "NUMBER_INTEGER":
        try:
            int(text)
        except ValueError:
            return f"{name}: an int, such as 3 (not {text!r})"
    elif ir_type == "NUMBER_DOUBLE":
        try:
            float(text)
        except ValueError:
            return f"{name}: a float, such as 0.5 (not {text!r})"
    elif ir_type == "BOOLEAN" and text not in TRUE_FALSE:
        return f"{name}: true or false (not {text!r})"
    elif ir_type in ("LIST", "STRUCT"):
        wanted = list if ir_type == "LIST" else dict
        try:
            ok = isinstance(json.loads(text), wanted)
        except ValueError:
            ok = False
        if not ok:
            shape = (
                "a JSON list, such as [1, 2]" if ir_type == "LIST" else 'a JSON object, {"k": 1}'
            )
            return f"{name}: {shape} (not {text!r})"
    return ""


def input_error(name: str, kind: str, text: str, required: bool) -> str:
    """Why ``text`` cannot be workflow_dispatch input ``name`` of ``type: kind`` ('')."""
    if text == "":
        return f"input {name}: required" if required else ""
    if kind == "number":
        try:
            float(text)
        except ValueError:
            return f"input {name}: a number (not {text!r})"
    return ""
