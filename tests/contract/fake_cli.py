"""Recording fakes of ``kind`` (>= 0.30) and ``kubectl`` (1.3x) for the contract tests.

``python fake_cli.py kind|kubectl ARGS...``. Each accepts exactly the flags the real CLI has
for the subcommands pipedeck uses (kind: ``pkg/cmd/kind/**`` at v0.30/v0.31; kubectl: checked
against a real kubectl's ``--help`` by ``test_contract_kubectl_cli.py``), parses them the way
cobra does (``--flag value``, ``--flag=value``, ``-f value``), and exits 2 on anything else.
Every call is appended to ``$PIPEDECK_FAKE_LOG`` (JSON lines); ``$PIPEDECK_FAKE_STATE`` (JSON)
is the fake world: clusters, whether the node carries pipedeck's label, deployment readiness.
"""

from __future__ import annotations

import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# flag → takes a value. Short forms map to their long names.
KIND_GLOBAL = {"--verbosity": True, "--quiet": False}
KIND_SHORT = {"-v": "--verbosity", "-q": "--quiet", "-n": "--name", "-A": "--all-clusters"}
KIND: dict[tuple[str, ...], dict[str, bool]] = {
    ("version",): {},
    ("get", "clusters"): {},
    ("get", "nodes"): {"--name": True, "--all-clusters": False},
    ("get", "kubeconfig"): {"--name": True, "--internal": False},
    ("create", "cluster"): {
        "--name": True,
        "--config": True,
        "--image": True,
        "--retain": False,
        "--wait": True,
        "--kubeconfig": True,
    },
    ("delete", "cluster"): {"--name": True, "--kubeconfig": True},
    ("export", "kubeconfig"): {"--name": True, "--kubeconfig": True, "--internal": False},
    ("load", "docker-image"): {"--name": True, "--nodes": True},
    ("load", "image-archive"): {"--name": True, "--nodes": True},
}
KIND_ARGS = {  # positional arguments: (min, max)
    ("load", "docker-image"): (1, 99),
    ("load", "image-archive"): (1, 99),
}

KUBECTL_GLOBAL = {
    "--kubeconfig": True,
    "--context": True,
    "--namespace": True,
    "--request-timeout": True,
    "--cluster": True,
    "--user": True,
    "--server": True,
    "--token": True,
    "--v": True,
}
KUBECTL_SHORT = {
    "-n": "--namespace",
    "-f": "--filename",
    "-k": "--kustomize",
    "-o": "--output",
    "-l": "--selector",
    "-s": "--server",
    "-v": "--v",
    "-A": "--all-namespaces",
}
KUBECTL: dict[tuple[str, ...], dict[str, bool]] = {
    ("apply",): {
        "--filename": True,
        "--kustomize": True,
        "--server-side": False,
        "--force-conflicts": False,
        "--output": True,
        "--selector": True,
        "--wait": False,
        "--timeout": True,
        "--dry-run": True,
    },
    ("wait",): {
        "--for": True,
        "--timeout": True,
        "--all": False,
        "--selector": True,
        "--all-namespaces": False,
        "--filename": True,
        "--output": True,
    },
    ("get",): {
        "--output": True,
        "--selector": True,
        "--all-namespaces": False,
        "--field-selector": True,
        "--ignore-not-found": False,
        "--no-headers": False,
        "--watch": False,
        "--raw": True,
    },
    ("port-forward",): {"--address": True, "--pod-running-timeout": True},
    ("kustomize",): {"--output": True, "--load-restrictor": True, "--enable-helm": False},
    ("version",): {"--client": False, "--output": True},
}
KUBECTL_ARGS = {
    ("apply",): (0, 0),
    ("wait",): (1, 99),
    ("get",): (1, 2),
    ("port-forward",): (2, 3),
    ("kustomize",): (0, 1),
    ("version",): (0, 0),
}


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def parse(
    argv: list[str],
    commands: dict[tuple[str, ...], dict[str, bool]],
    globals_: dict[str, bool],
    short: dict[str, str],
    args_range: dict[tuple[str, ...], tuple[int, int]],
) -> tuple[tuple[str, ...], dict[str, str | bool], list[str]]:
    """cobra-style: flags anywhere; the command path is the first words that form a command."""
    flags: dict[str, str | bool] = {}
    words: list[str] = []
    i = 0
    table: dict[str, bool] = dict(globals_)
    for spec in commands.values():  # resolved once the command is known; accept all for now
        table.update(spec)
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            name = short.get(name, name)
            if name not in table:
                fail(f"unknown flag: {arg}")
            if table[name]:
                if not eq:
                    i += 1
                    if i >= len(argv):
                        fail(f"flag needs an argument: {arg}")
                    value = argv[i]
                flags[name] = value
            else:
                flags[name] = value if eq else True
        else:
            words.append(arg)
        i += 1
    for size in (2, 1):
        path = tuple(words[:size])
        if path in commands:
            allowed = {**globals_, **commands[path]}
            for name in flags:
                if name not in allowed:
                    fail(f"unknown flag: {name} for {' '.join(path)}")
            rest = words[size:]
            low, high = args_range.get(path, (0, 0))
            if not low <= len(rest) <= high:
                fail(f"{' '.join(path)}: accepts {low}..{high} arg(s), received {len(rest)}")
            return path, flags, rest
    fail(f"unknown command {' '.join(words[:2])!r}")
    raise AssertionError


def load_state() -> dict:
    path = os.environ.get("PIPEDECK_FAKE_STATE")
    if not path or not Path(path).exists():
        return {}
    return json.loads(Path(path).read_text())


def save_state(state: dict) -> None:
    Path(os.environ["PIPEDECK_FAKE_STATE"]).write_text(json.dumps(state))


def record(tool: str, argv: list[str]) -> None:
    log = os.environ.get("PIPEDECK_FAKE_LOG")
    if log:
        with open(log, "a") as fh:
            fh.write(json.dumps([tool, *argv]) + "\n")


# -- kind ------------------------------------------------------------------------------------


def kind(argv: list[str]) -> None:
    path, flags, rest = parse(argv, KIND, KIND_GLOBAL, KIND_SHORT, KIND_ARGS)
    state = load_state()
    clusters: list[str] = state.setdefault("clusters", [])
    name = str(flags.get("--name", "kind"))
    if path == ("version",):
        print(f"kind v{state.get('kind_version', '0.31.0')} go1.25.5 linux/amd64")
    elif path == ("get", "clusters"):
        if not clusters:
            print("No kind clusters found.", file=sys.stderr)
        for cluster in clusters:
            print(cluster)
    elif path == ("get", "nodes"):
        if name in clusters:
            print(f"{name}-control-plane")
        else:
            print(f'No kind nodes found for cluster "{name}".', file=sys.stderr)
    elif path == ("create", "cluster"):
        if name in clusters:
            fail(f'node(s) already exist for a cluster with the name "{name}"')
        if "--config" in flags and not Path(str(flags["--config"])).is_file():
            fail(f"error reading file: {flags['--config']}")
        print(f'Creating cluster "{name}" ...', file=sys.stderr)
        print(" ✓ Ensuring node image", file=sys.stderr)
        print(" ✓ Starting control-plane", file=sys.stderr)
        clusters.append(name)
        state["owned"] = True
        _write_kubeconfig(flags)
    elif path == ("delete", "cluster"):
        print(f'Deleting cluster "{name}" ...', file=sys.stderr)
        if name in clusters:
            clusters.remove(name)
    elif path == ("export", "kubeconfig"):
        if name not in clusters:
            fail(f'could not locate any control plane nodes for cluster named "{name}"')
        _write_kubeconfig(flags)
        print(f'Set kubectl context to "kind-{name}"', file=sys.stderr)
    elif path in (("load", "image-archive"), ("load", "docker-image")):
        if name not in clusters:
            fail(f'no nodes found for cluster "{name}"')
        for item in rest:
            if path[1] == "image-archive" and not Path(item).is_file():
                fail(f"failed to load image: open {item}: no such file")
        state.setdefault("loaded", []).extend(rest)
    save_state(state)


def _write_kubeconfig(flags: dict[str, str | bool]) -> None:
    target = flags.get("--kubeconfig")
    if isinstance(target, str):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text("apiVersion: v1\nkind: Config\n")


# -- kubectl ---------------------------------------------------------------------------------

DEPLOYMENTS = [
    "mysql",
    "seaweedfs",
    "metadata-grpc-deployment",
    "workflow-controller",
    "ml-pipeline",
    "ml-pipeline-ui",
    "cache-server",
]


def kubectl(argv: list[str]) -> None:
    path, flags, rest = parse(argv, KUBECTL, KUBECTL_GLOBAL, KUBECTL_SHORT, KUBECTL_ARGS)
    state = load_state()
    if path == ("version",):
        print("Client Version: v1.37.1")
        return
    if path == ("kustomize",):
        print("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow")
        return
    if "--kubeconfig" in flags and not Path(str(flags["--kubeconfig"])).is_file():
        fail(f"stat {flags['--kubeconfig']}: no such file or directory")
    if path == ("apply",):
        source = flags.get("--kustomize") or flags.get("--filename")
        if not source or not Path(str(source)).exists():
            fail("must specify one of -f and -k")
        state.setdefault("applied", []).append(str(source))
        print("namespace/kubeflow configured")
    elif path == ("wait",):
        if flags.get("--for") != "condition=established":
            fail(f"unexpected --for {flags.get('--for')}")
        for item in rest:
            print(f"{item} condition met")
    elif path == ("get",) and rest[:1] == ["nodes"]:
        if not state.get("reachable", True):
            print("The connection to the server 127.0.0.1:6443 was refused", file=sys.stderr)
            sys.exit(1)
        if state.get("owned") and flags.get("--selector") == "pipedeck.dev/created-by=pipedeck":
            print("node/pipedeck-control-plane")
    elif path == ("get",) and rest[:1] == ["deployments"]:
        polls = state.get("deployment_polls", 0) + 1
        state["deployment_polls"] = polls
        applied = bool(state.get("applied")) or state.get("installed", False)
        ready_after = int(state.get("ready_after", 2))
        items = []
        for index, name in enumerate(DEPLOYMENTS if applied else []):
            ready = 1 if polls >= ready_after + index % 2 else 0
            items.append(
                {
                    "metadata": {"name": name, "namespace": flags.get("--namespace")},
                    "spec": {"replicas": 1},
                    "status": {
                        "readyReplicas": ready,
                        "conditions": [
                            {"type": "Available", "status": "True" if ready else "False"}
                        ],
                    },
                }
            )
        print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    elif path == ("port-forward",):
        save_state(state)
        record_only = state.get("forward_fails")
        if record_only:
            fail("unable to forward port because pod is not running")
        _serve_forward(rest, str(flags.get("--address", "localhost")))
        return
    else:
        fail(f"the fake does not implement {argv}")
    save_state(state)


def _serve_forward(rest: list[str], address: str) -> None:
    """Stand in for the API at the local port: answers KFP's healthz like ml-pipeline does."""
    local, _, remote = rest[-1].partition(":")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(
                {"commit_sha": "fake", "tag_name": "2.17.0", "multi_user": False}
            ).encode()
            self.send_response(200 if self.path == "/apis/v2beta1/healthz" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((address, int(local)), Handler)
    print(f"Forwarding from {address}:{local} -> {remote}", flush=True)
    try:
        server.serve_forever()
    finally:
        time.sleep(0)


if __name__ == "__main__":
    tool, args = sys.argv[1], sys.argv[2:]
    record(tool, args)
    {"kind": kind, "kubectl": kubectl}[tool](args)
