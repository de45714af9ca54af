"""The workflow a re-run (``rerun.py``) gives act: a copy of the user's file with only the
jobs that run again, as the file has them, and a stand-in, on one line, in place of each job
they need that succeeded before; the rest of the file as it is.

A stand-in only sets the outputs the earlier run recorded: one ``run:`` step appends them to
``$GITHUB_OUTPUT`` (carried in base64: no quoting, and no ``${{`` for act to evaluate), and
the job's ``outputs:`` maps each to that step's. act runs it; the parser hides it
(``job_outputs.OutputsWatch``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.errors import BadInput

STEP_ID = "recorded"  # a stand-in's one step, which sets the recorded outputs


@dataclass(frozen=True)
class Standin:
    """A job that succeeded in RUN and that a re-run job needs: it only sets its outputs."""

    job_id: str
    label: str  # a `runs-on` label of the job that this run maps (host or runner image)
    outputs: tuple[tuple[str, str], ...] = ()
    skipped: bool = False  # it was skipped in RUN: skipped again (needs.<job>.result)

    def mapping(self) -> dict[str, str]:
        """Its ``outputs:`` mapping: each output from its one step's."""
        from tui.core.workflows.job_outputs import output_ref

        return {name: output_ref(STEP_ID, name) for name, _ in self.outputs}

    def job_text(self) -> str:
        """The stand-in job as one line of YAML (a JSON flow mapping)."""
        job: dict[str, Any] = {"runs-on": self.label}
        if self.skipped:
            job["if"] = "${{ false }}"
        if self.outputs:
            job["outputs"] = self.mapping()
        job["steps"] = [{"id": STEP_ID, "run": self.script()}]
        return json.dumps(job, ensure_ascii=False)

    def script(self) -> str:
        """``name=value`` lines (multi-line values as ``name<<DELIMITER``) appended to
        ``$GITHUB_OUTPUT``, carried in base64: no quoting, and no ``${{`` for act to read."""
        import base64

        lines = []
        for name, value in self.outputs:
            if "\n" in value or "\r" in value:
                delimiter = _delimiter(value)
                lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                lines.append(f"{name}={value}\n")
        if not lines:
            return "true"
        data = base64.b64encode("".join(lines).encode("utf-8")).decode("ascii")
        return f'echo {data} | base64 -d >> "$GITHUB_OUTPUT"'


def write_copy(
    source: Path, folder: Path, keep: Iterable[str], standins: Mapping[str, Standin]
) -> Path:
    """``source`` with only the jobs in ``keep`` (as the file has them) and the stand-ins
    (each one line in place of its job), the rest of the file as it is; written to
    ``folder/workflow/<its name>`` (act names jobs by the workflow's name or file name)."""
    import yaml

    keep = set(keep)
    text = source.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise BadInput(f"{source}: cannot read it for the re-run ({exc})") from None
    pairs = root.value if isinstance(root, yaml.MappingNode) else []
    at = next((i for i, (key, _) in enumerate(pairs) if key.value == "jobs"), None)
    jobs = pairs[at][1] if at is not None else None
    if at is None or not isinstance(jobs, yaml.MappingNode) or jobs.flow_style or not jobs.value:
        raise BadInput(f"{source}: rerun --failed needs its `jobs:` as a block mapping")
    lines = text.splitlines(keepends=True)
    end = pairs[at + 1][0].start_mark.line if at + 1 < len(pairs) else len(lines)
    starts = [key.start_mark.line for key, _ in jobs.value] + [end]
    out = lines[: starts[0]]
    for (key, _), start, stop in zip(jobs.value, starts, starts[1:], strict=False):
        job_id = str(key.value)
        if job_id in keep:
            out += lines[start:stop]
        elif job_id in standins:
            name = text[key.start_mark.index : key.end_mark.index]
            line = f"{' ' * key.start_mark.column}{name}: {standins[job_id].job_text()}\n"
            out.append(line)
    copy_text = "".join(out + lines[end:])
    data = yaml.safe_load(copy_text)
    written = {str(j) for j in (data.get("jobs") or {})} if isinstance(data, dict) else set()
    if written != keep | set(standins):
        raise BadInput(f"{source}: pipedeck could not write the re-run's copy of it")
    copy = folder / "workflow" / source.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(copy_text, encoding="utf-8")
    return copy


def _delimiter(value: str) -> str:
    n = 0
    while f"PIPEDECK_EOF_{n}" in value:
        n += 1
    return f"PIPEDECK_EOF_{n}"
