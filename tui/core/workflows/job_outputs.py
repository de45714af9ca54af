"""A workflow job's ``outputs:`` evaluated as the job ends, over its steps' outputs.

act logs each step's outputs (``::set-output`` and ``$GITHUB_OUTPUT`` both reach its JSON log
as ``set-output`` commands) but not the job's own ``outputs:``, which GitHub hands to the jobs
that ``needs`` it. pipedeck evaluates them itself, for the ``job.outputs`` event: a value may
hold ``${{ steps.<id>.outputs.<name> }}`` expressions (or ``outputs['<name>']``) with literal
text around and between them; an output with any other expression is left out, and a log line
says so. A step output the step never set is empty, as on GitHub.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from tui.core import events as ev

if TYPE_CHECKING:
    from tui.core.workflows.act_argv import WorkflowRequest

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
STEP_OUTPUT = re.compile(
    r"steps\.(?P<step>[A-Za-z_][\w-]*)\.outputs"
    r"(?:\.(?P<dotted>[A-Za-z_][\w-]*)|\[\s*'(?P<single>(?:[^']|'')*)'\s*\]|\[\s*\"(?P<double>[^\"]*)\"\s*\])",
    re.IGNORECASE,
)
SUPPORTED = "${{ steps.<id>.outputs.<name> }}"


def evaluate(
    mapping: Mapping[str, str], steps: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, str], list[str]]:
    """The outputs ``mapping`` (name -> expression) gives over ``steps`` (step id -> its
    outputs), and one line for each output left out."""
    values: dict[str, str] = {}
    left_out: list[str] = []
    for name, template in mapping.items():
        parts: list[str] = []
        pos = 0
        for match in EXPRESSION.finditer(template):
            ref = STEP_OUTPUT.fullmatch(match.group(1).strip())
            if ref is None:
                left_out.append(
                    f"output {name}: pipedeck cannot evaluate {match.group(0)} (it evaluates"
                    f" {SUPPORTED} only); left out of job.outputs"
                )
                break
            single = (ref.group("single") or "").replace("''", "'")
            output = ref.group("dotted") or single or ref.group("double") or ""
            parts += [template[pos : match.start()], _lookup(steps, ref.group("step"), output)]
            pos = match.end()
        else:
            values[name] = "".join([*parts, template[pos:]])
    return values, left_out


def _lookup(steps: Mapping[str, Mapping[str, str]], step: str, output: str) -> str:
    """GitHub's contexts are case-insensitive: an exact name first, then any case."""
    found = steps.get(step)
    if found is None:
        found = next((v for k, v in steps.items() if k.lower() == step.lower()), {})
    if output in found:
        return found[output]
    return next((v for k, v in found.items() if k.lower() == output.lower()), "")


def output_ref(step: str, name: str) -> str:
    """``${{ steps.<step>.outputs.<name> }}`` (the index form for a name that needs it)."""
    if re.fullmatch(r"[A-Za-z_][\w-]*", name):
        return f"${{{{ steps.{step}.outputs.{name} }}}}"
    quoted = name.replace("'", "''")  # a quote inside an expression's string literal
    return f"${{{{ steps.{step}.outputs['{quoted}'] }}}}"


def for_parser(request: WorkflowRequest) -> tuple[dict[str, dict[str, str]], frozenset[str]]:
    """What the act log parser needs for ``job.outputs``: each job's ``outputs:`` mapping,
    keyed ``<workflow name>/<job id>`` as act names jobs, and the jobs it hides (a re-run's
    stand-ins, ``rerun.py``: their outputs are reported, nothing else of them is)."""
    mappings = {
        f"{wf.name}/{job.id}": dict(job.outputs)
        for wf in request.workflows
        for job in wf.jobs.values()
        if job.outputs
    }
    rerun = getattr(request, "rerun", None)
    if rerun is None:
        return mappings, frozenset()
    hidden = {f"{request.workflow.name}/{job_id}": s for job_id, s in rerun.standins.items()}
    mappings.update({key: standin.mapping() for key, standin in hidden.items()})
    return mappings, frozenset(hidden)


class OutputsWatch:
    """The act log parser's part in ``job.outputs``: each job's ``outputs:`` mapping
    (``mappings``) and the hidden jobs, of which only ``job.outputs`` is reported (a re-run's
    stand-ins), both keyed ``<workflow name>/<job id>`` (act's name for a job)."""

    def __init__(
        self, run_id: str, mappings: Mapping[str, Mapping[str, str]], hidden: Collection[str]
    ) -> None:
        self.run_id = run_id
        self.mappings = dict(mappings)
        self.hidden = frozenset(hidden)
        self._steps: dict[str, dict[str, dict[str, str]]] = {}  # a hidden job's, by act's key

    def job_ended(
        self, key: str, job_id: str, node_id: str, steps: Mapping[str, Mapping[str, str]]
    ) -> tuple[ev.JobOutputs | None, list[str]]:
        """The event of a job that ended (``key``: act's name for it, ``steps``: its steps'
        outputs; None when it has no ``outputs:``), and a line for each output left out."""
        mapping = self.mappings.get(f"{key.rpartition('/')[0]}/{job_id}")
        if not mapping:
            return None, []
        values, left_out = evaluate(mapping, steps)
        return ev.JobOutputs(run_id=self.run_id, node_id=node_id, outputs=values), left_out

    def hidden_record(
        self, rec: Mapping[str, Any], status_of: Callable[[object], ev.NodeStatus]
    ) -> list[ev.Event]:
        """A hidden job's record (already masked): its step outputs are kept; as it ends,
        its ``job.outputs``, and a line when it did not succeed (nothing else shows it)."""
        key, job_id = str(rec["job"]).strip(), str(rec["jobID"])
        steps = self._steps.setdefault(key, {})
        if rec.get("command") == "set-output":
            step = ".".join(str(i) for i in rec.get("stepID") or ())
            steps.setdefault(step, {})[str(rec.get("name", ""))] = str(rec.get("arg", ""))
        if "jobResult" not in rec:
            return []
        event, _ = self.job_ended(key, job_id, job_id, steps)
        out: list[ev.Event] = [event] if event is not None else []
        status = status_of(rec["jobResult"])
        if status not in ("success", "skipped"):
            text = f"the stand-in for job {job_id} (it sets its recorded outputs) ended {status}"
            out.append(ev.Log(run_id=self.run_id, stream="system", text=text))
        return out
