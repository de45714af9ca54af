"""What a stored workflow run will do differently on GitHub's hosted runners.

Each item comes from what the run recorded or from its workflow file:

- offline stand-ins: the run's system line ``offline: local stand-ins replace …`` (one item per
  step that used one; a cache stand-in that restored nothing says so in its step's log);
- Python substituted by setup-python's stand-in: the step's ``Python X requested, ran Y``;
- ``runs-on`` labels: the ``-P label=…`` flags of act's command line (``run.started``);
  a Windows or macOS label, which act does not run, from the workflow file;
- secrets and vars the workflow references that the run did not have: the names given
  (``-s``, ``--var`` in ``meta.extra["request"]``; the secret and var files' names, read now);
- what act does not implement that the file uses: ``concurrency``, ``environment``,
  ``permissions: id-token: write``, ``services`` in host mode;
- pipedeck's shared pip download cache: the run's system line ``pip cache: …``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core.fidelity.items import Item, node_of
from tui.core.fidelity.pip_download import pip_cache_items
from tui.core.fidelity.tools import first, tool_items
from tui.core.store import RunMeta
from tui.core.workflows.act_argv import HOST_PLATFORM, foreign_platform

STANDIN_LINE = "offline: local stand-ins replace "
# what the cache stand-in says when it restored nothing, with the key(s) it looked for: the
# stand-in that caches nothing ("nothing restored or saved (key K)"), and the one that keeps
# entries in pipedeck's state dir ("Cache not found for input keys: K, …", or no folder)
_CACHE_COLD = (
    re.compile(r"offline stand-in for actions/cache: nothing restored or saved \(key (.*)\);"),
    re.compile(r"^Cache not found for input keys: (.*)$", re.M),
    re.compile(r"actions/cache: no pipedeck cache folder reaches this job()"),
)
_CACHE_RESTORED = re.compile(r"^Cache restored from key: (.*)$", re.M)
_SUBSTITUTED = re.compile(r"Python (\S+) requested, ran (\S+?):")
_RAN_PYTHON = re.compile(r"^output python-version=(\S+)$", re.M)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_WHY = {
    "actions/setup-python": "on GitHub the real action installs the Python version asked for"
    " from GitHub's builds; here the stand-in made a virtualenv from the runner's Python",
    "actions/cache": "on GitHub the real action restores and saves the cache in GitHub's cache"
    " service",
    "actions/upload-artifact": "on GitHub the real action uploads to the run's artifact storage"
    " (retention, size limits, a zip per artifact); here files went to the run's folder",
    "actions/download-artifact": "on GitHub the real action downloads from the run's artifact"
    " storage; here files came from the run's folder",
}


@dataclass
class _Seen:
    """What the run's events say, read once."""

    argv: tuple[str, ...] = ()
    standins: list[str] = field(default_factory=list)
    nodes: dict[str, ev.NodeStarted] = field(default_factory=dict)
    logs: list[ev.Log] = field(default_factory=list)

    def step_of(self, node_id: str) -> str:
        """The job's step ``node_id`` belongs to (a stand-in's own steps are under it)."""
        node = self.nodes.get(node_id)
        while node is not None:
            parent = self.nodes.get(node.parent_id)
            if parent is None or parent.kind == "job":
                return node.node_id
            node = parent
        return node_id

    def steps_using(self, uses: str) -> list[str]:
        """The job steps that ran ``uses`` (not its Pre/Post steps)."""
        return [
            n.node_id
            for n in self.nodes.values()
            if n.kind == "step" and n.name == uses and self.step_of(n.node_id) == n.node_id
        ]

    def jobs(self, job_id: str) -> list[str]:
        """The job nodes of ``job_id`` (a matrix has one per leg), or [job_id] if none ran."""
        found = [
            n.node_id
            for n in self.nodes.values()
            if n.kind == "job" and (n.node_id == job_id or n.node_id.endswith(f"/{job_id}"))
        ]
        legs = [
            n.node_id
            for n in self.nodes.values()
            if n.kind == "job" and n.node_id.split(" (", 1)[0] == job_id and n not in found
        ]
        return found or legs or [job_id]


def _read(events: Iterable[ev.Event]) -> _Seen:
    seen = _Seen()
    for event in events:
        if isinstance(event, ev.RunStarted):
            seen.argv = event.argv
        elif isinstance(event, ev.NodeStarted):
            seen.nodes.setdefault(event.node_id, event)
        elif isinstance(event, ev.Log):
            seen.logs.append(event)
            if event.stream == "system" and event.text.startswith(STANDIN_LINE):
                seen.standins = event.text[len(STANDIN_LINE) :].split(", ")
    return seen


def workflow_items(meta: RunMeta, events: Sequence[ev.Event]) -> list[Item]:
    seen = _read(events)
    options: dict[str, Any] = dict(meta.extra.get("request") or {})
    data = _workflow_data(meta)
    return [
        *_standin_items(seen, options),
        *_python_items(seen),
        *_label_items(seen, data),
        *tool_items(_jobs(data), dict(platforms(seen.argv)), HOST_PLATFORM, first(seen.jobs)),
        *_secret_items(meta, seen, data, options),
        *_feature_items(meta, seen, data),
        *pip_cache_items(seen.logs, data),
    ]


def _workflow_data(meta: RunMeta) -> dict[str, Any]:
    """The workflow file as YAML data ({} when it is gone or unreadable)."""
    import yaml

    try:
        data = yaml.safe_load(Path(str(meta.extra.get("workflow") or "")).read_text("utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _jobs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        return {}
    return {str(k): v for k, v in jobs.items() if isinstance(v, dict)}


def _standin_items(seen: _Seen, options: dict[str, Any]) -> Iterator[Item]:
    fix = (
        "run without --offline (GitHub reachable) to use the real action here"
        if options.get("offline")
        else "GitHub could not be reached: run again when it can, to use the real action"
    )
    cold, restored = _cache_steps(seen)
    for uses in seen.standins:
        name = uses.partition("@")[0].lower()
        for step in seen.steps_using(uses) or [""]:
            if step in cold:
                keys = f" (key {cold[step]})" if cold[step] else ""
                yield Item(
                    step,
                    f"{uses}: the offline stand-in restored nothing{keys}",
                    "on GitHub the real action restores a cache an earlier run saved under this"
                    " key or a restore-keys prefix, and saves one when the job succeeds",
                    "if a step depends on what the cache holds, make it work from a cold"
                    f" cache (GitHub's first run has one); {fix}",
                )
                continue
            if step in restored:
                yield Item(
                    step,
                    f"{uses}: restored from pipedeck's local cache (key {restored[step]})",
                    "on GitHub the cache holds what GitHub's runs saved: another entry, or"
                    " none (a cold cache)",
                    f"make the job work from a cold cache too; {fix}",
                )
                continue
            why = _WHY.get(name, "on GitHub the real action runs")
            ran = _ran_python(seen, step) if name == "actions/setup-python" else ""
            yield Item(
                step,
                f"{uses} ran as pipedeck's offline stand-in" + (f" (Python {ran})" if ran else ""),
                why,
                fix,
            )


def _cache_steps(seen: _Seen) -> tuple[dict[str, str], dict[str, str]]:
    """The cache stand-in steps that restored nothing (step -> the keys looked for, '' if
    unsaid) and those that restored an entry (step -> its key), from their logs."""
    cold: dict[str, str] = {}
    restored: dict[str, str] = {}
    for log in seen.logs:
        step = seen.step_of(log.node_id)
        for pattern in _CACHE_COLD:
            found = pattern.search(log.text)
            if found:
                cold[step] = cold.get(step) or found.group(1)
        found = _CACHE_RESTORED.search(log.text)
        if found:
            restored[step] = found.group(1)
    return cold, restored


def _ran_python(seen: _Seen, step: str) -> str:
    for log in seen.logs:
        if log.node_id == step or log.node_id.startswith(f"{step}."):
            found = _RAN_PYTHON.search(log.text)
            if found:
                return found.group(1)
    return ""


def _python_items(seen: _Seen) -> Iterator[Item]:
    for log in seen.logs:
        found = _SUBSTITUTED.search(log.text)
        if found:
            wanted, ran = found.groups()
            yield Item(
                seen.step_of(log.node_id),
                f"Python {wanted} requested, ran {ran} (python_substitute nearest)",
                f"on GitHub setup-python installs Python {wanted}",
                f"install Python {wanted} on this machine (or in the runner image), or set"
                " python_substitute off to fail instead of substituting",
            )


def platforms(argv: Sequence[str]) -> list[tuple[str, str]]:
    """The ``-P label=value`` pairs of act's command line, in order (the last one wins)."""
    pairs = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("-P", "--platform")]
    out: dict[str, str] = {}
    for pair in pairs:
        label, _, value = pair.partition("=")
        out[label.lower()] = value
    return list(out.items())


def _label_items(seen: _Seen, data: dict[str, Any]) -> Iterator[Item]:
    from tui.core.workflows.plan import job_plan

    mapped = dict(platforms(seen.argv))
    jobs: dict[str, list[str]] = {}  # label -> the jobs that use it
    for job_id, raw in _jobs(data).items():
        for label in job_plan(job_id, raw).runs_on:
            jobs.setdefault(label, []).append(seen.jobs(job_id)[0])
    for label, nodes in jobs.items():
        node, named = node_of(nodes)
        value = mapped.get(label.lower())
        if value == HOST_PLATFORM:
            yield Item(
                node,
                f"runs-on {label}{named} ran on this machine (host mode: -P {label}={value})",
                f"on GitHub the job gets a fresh {label} runner, with the tools and versions"
                " (Python, Node, …) of its image, not this machine's",
                f"--runner docker runs it in the runner image; -P {label}=IMAGE maps it to an"
                " image of your choosing",
            )
        elif value:
            yield Item(
                node,
                f"runs-on {label}{named} ran in the image {value} (-P {label}={value})",
                f"on GitHub the job runs on the {label} runner image: its preinstalled tools"
                " and their versions (Python, Node, …) differ from this image's",
                f"-P {label}=IMAGE maps it to an image closer to GitHub's",
            )
        elif foreign_platform(label):
            yield Item(
                node,
                f"runs-on {label}{named}: act does not run Windows or macOS jobs (skipped here)",
                f"on GitHub the job runs on a {label} runner",
                "nothing to do locally: it runs only on GitHub",
            )


def referenced(tree: Any, context: str) -> list[str]:
    """The names of ``context.NAME`` (secrets, vars) in the ``${{ }}`` expressions of every
    string of ``tree``, in first-use order."""
    pattern = re.compile(
        rf"\b{context}\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])"
    )
    names: dict[str, None] = {}
    for text in _strings(tree):
        for expression in _EXPRESSION.findall(text):
            for dotted, quoted in pattern.findall(expression):
                names.setdefault(dotted or quoted, None)
    return list(names)


def _strings(tree: Any) -> Iterator[str]:
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, dict):
        for key, value in tree.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _strings(value)


def _file_names(path: Path | None) -> set[str]:
    """The names a secret or var file holds now (upper-cased; none when it is unreadable)."""
    from tui.core.errors import BadInput
    from tui.core.workflows import dotenv

    if path is None or not path.is_file():
        return set()
    try:
        return {name.upper() for name in dotenv.read_file(path)}
    except BadInput:
        return set()


def _given(meta: RunMeta, options: dict[str, Any], flag: str) -> set[str]:
    project = Path(meta.project) if meta.project else None
    if flag == "secrets":
        names = {str(n).upper() for n in options.get("secret_names") or ()}
        path = options.get("secret_file")
        default = project / ".secrets" if project else None
    else:
        names = {str(v).partition("=")[0].upper() for v in options.get("variables") or ()}
        path = options.get("var_file")
        default = project / ".vars" if project else None
    return names | _file_names(Path(path) if path else default)


def _secret_items(
    meta: RunMeta, seen: _Seen, data: dict[str, Any], options: dict[str, Any]
) -> Iterator[Item]:
    top = {k: v for k, v in data.items() if k != "jobs"}
    places = [("", top), *((seen.jobs(j)[0], raw) for j, raw in _jobs(data).items())]
    for context, word in (("secrets", "secret"), ("vars", "variable")):
        given, told = _given(meta, options, context), set()
        for node, tree in places:
            for name in referenced(tree, context):
                if name.upper() in given or name.upper() in told:
                    continue
                told.add(name.upper())
                if context == "secrets" and name.upper() == "GITHUB_TOKEN":
                    yield Item(
                        node,
                        "secrets.GITHUB_TOKEN was empty here",
                        "on GitHub every run gets a GITHUB_TOKEN, with the workflow's permissions",
                        "-s GITHUB_TOKEN (a token of yours, from the environment) if a step"
                        " needs it locally",
                    )
                    continue
                flag = "-s NAME, or --secret-file" if context == "secrets" else "--var, --var-file"
                yield Item(
                    node,
                    f"{context}.{name} is referenced but this run did not have it (empty here)",
                    f"on GitHub it is the repository's (or organisation's, environment's)"
                    f" {word} {name}, or empty if none is set",
                    f"set it in the repository's {context.replace('vars', 'variables')}, or"
                    f" pass it here ({flag.replace('NAME', name)})",
                )


def _feature_items(meta: RunMeta, seen: _Seen, data: dict[str, Any]) -> Iterator[Item]:
    places = [("", data), *((seen.jobs(j)[0], raw) for j, raw in _jobs(data).items())]
    for node, tree in places:
        if "concurrency" in tree:
            yield Item(
                node,
                "concurrency is not implemented by act",
                "on GitHub a run or job in the same concurrency group waits for the one in"
                " progress, or cancels it (cancel-in-progress)",
                "nothing to do locally; check the group if overlapping runs matter",
            )
        if _id_token(tree.get("permissions")):
            yield Item(
                node,
                "permissions id-token: write: act gives no OIDC token",
                "on GitHub steps can request an OIDC token (cloud logins without stored"
                " credentials); here such a step fails or is skipped",
                "give the credentials it stands for as secrets for local runs (--secret-file)",
            )
        if node and tree.get("environment"):
            env = tree["environment"]
            name = env.get("name") if isinstance(env, dict) else env
            yield Item(
                node,
                f"environment {name}: protection rules and its secrets are not applied",
                "on GitHub the job waits for the environment's rules (required reviewers,"
                " wait timer, branch restrictions) and gets its secrets and variables",
                "pass the environment's secrets with --secret-file and its variables with"
                " --var-file",
            )
        if node and meta.mode == "host" and isinstance(tree.get("services"), dict):
            names = ", ".join(str(k) for k in tree["services"])
            yield Item(
                node,
                f"services ({names}) do not start in host mode",
                "on GitHub the service containers start before the job's steps",
                "--runner docker starts them",
            )


def _id_token(permissions: Any) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and permissions.get("id-token") == "write"
