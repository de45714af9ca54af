"""A compiled ``dsl.If`` condition as a person reads it.

KFP compiles ``dsl.If(drift.outputs["Output"] > drift_threshold)`` into a CEL expression over
the condition group's inputs::

    inputs.parameter_values['pipelinechannel--drift-check-Output'] >
        inputs.parameter_values['pipelinechannel--drift_threshold']

and ``dsl.Elif``/``dsl.Else`` into ``!(…) && …``. :func:`readable` turns that back into
``drift-check.output > drift_threshold``. The channel names are unambiguous: a pipeline
parameter's is ``pipelinechannel--NAME`` and a task output's ``pipelinechannel--TASK-OUTPUT``,
where NAME and OUTPUT are Python identifiers (no ``-``) and TASK is a task name (it may hold
``-``); a ``ParallelFor`` item is ``pipelinechannel--ITEMS-loop-item``.
"""

from __future__ import annotations

import re

CHANNEL = "pipelinechannel--"
_REF = re.compile(
    r"""(?:\b(?:int|double|float|string|bool)\()?"""  # the cast KFP adds for a typed compare
    r"""inputs\.parameter_values\[\s*(?:'([^']*)'|"([^"]*)")\s*\]"""
)
_CAST_CLOSE = re.compile(r"^\)")
_LITERAL = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
_OPERATORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\s*\("), "not ("),
    (re.compile(r"\s*&&\s*"), " and "),
    (re.compile(r"\s*\|\|\s*"), " or "),
)


def channel_name(channel: str) -> str:
    """``pipelinechannel--drift-check-Output`` → ``drift-check.output``;
    ``pipelinechannel--drift_threshold`` → ``drift_threshold``; a loop's item →
    ``ITEMS[i]``. A name that is no channel is returned as it is."""
    if not channel.startswith(CHANNEL):
        return channel
    name = channel.removeprefix(CHANNEL)
    if name.endswith("-loop-item"):
        return f"{channel_name(CHANNEL + name.removesuffix('-loop-item'))}[i]"
    if name.startswith("loop-item-param-"):
        return "item"
    task, dash, output = name.rpartition("-")
    if not dash or not task:
        return name
    return f"{task}.{'output' if output == 'Output' else output}"


def readable(condition: str) -> str:
    """The condition with channels named as in the pipeline's source and CEL's ``!``,
    ``&&``, ``||`` as ``not``, ``and``, ``or`` (string literals are left as they are)."""
    if not condition:
        return ""
    out: list[str] = []
    rest = condition
    while True:  # each reference, and the ``)`` of the cast around it
        match = _REF.search(rest)
        if match is None:
            out.append(rest)
            break
        out.append(rest[: match.start()])
        out.append(channel_name(match.group(1) or match.group(2) or ""))
        rest = rest[match.end() :]
        if not match.group(0).startswith("inputs"):  # int(…): its ")" goes too
            rest = _CAST_CLOSE.sub("", rest, count=1)
    text = "".join(out)
    parts = _LITERAL.split(text)
    for i in range(0, len(parts), 2):  # code, not the string literals between
        for pattern, word in _OPERATORS:
            parts[i] = pattern.sub(word, parts[i])
    return "".join(parts).strip()
