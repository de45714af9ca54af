"""Post-mortem for Python components: with ``--break-on-failure``, a lightweight component that
raises stops at the raising frame, and ``pipedeck debug RUN`` (or ``e`` in the TUI) opens
Python's debugger there (``pdb`` post-mortem: locals, ``up``, ``p``); when it quits, the task
fails as it would have and the pause goes on as any failure pause (retry, continue, skip).

How: the task's Python gets a ``sitecustomize`` (first on its ``PYTHONPATH``) whose
``sys.excepthook`` prints the traceback as always, then listens on a Unix socket in a private
temporary folder, says so on stderr (one marker line the driver turns into the pause), and
waits for a debugger to connect — or for the pause to be decided without one.

Imports only the standard library (the driver and ``pipedeck debug`` both use it).
"""

from __future__ import annotations

import os
import select
import socket
import sys
from pathlib import Path

MARKER = "PIPEDECK-POSTMORTEM "  # + pause id + socket: the line the driver takes (not logged)
SOCKET_VAR = "PIPEDECK_POSTMORTEM_DIR"

SITECUSTOMIZE = r"""
import os, sys
_folder = os.environ.get("PIPEDECK_POSTMORTEM_DIR")
if _folder:
    def _pipedeck_postmortem(kind, value, tb, _default=sys.excepthook):
        _default(kind, value, tb)  # the traceback in the task's log, as always
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            return
        import pdb, shutil, socket, tempfile, time
        pause_id = f"{os.getpid()}-{time.time_ns()}"
        # 0700, and short: an AF_UNIX path has at most 108 bytes (the run's TMPDIR is long)
        private = tempfile.mkdtemp(prefix="pdpm-", dir="/tmp" if os.path.isdir("/tmp") else None)
        path = os.path.join(private, "pdb")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        server.settimeout(0.5)
        print("PIPEDECK-POSTMORTEM " + pause_id + " " + path, file=sys.stderr, flush=True)
        while not os.path.exists(os.path.join(_folder, pause_id + ".cmd")):
            try:
                conn, _ = server.accept()
            except socket.timeout:
                continue
            stream = conn.makefile("rw", buffering=1)
            debugger = pdb.Pdb(stdin=stream, stdout=stream)
            debugger.use_rawinput = False
            debugger.reset()
            debugger.interaction(None, tb)
            stream.close()
            conn.close()
            break
        server.close()
        shutil.rmtree(private, ignore_errors=True)
    sys.excepthook = _pipedeck_postmortem
"""


def task_env(debug: Path, env_vars: dict[str, str] | None) -> dict[str, str]:
    """The task's extra environment: the hook first on its ``PYTHONPATH``."""
    hook_dir = debug / "postmortem"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    given = {**os.environ, **(env_vars or {})}.get("PYTHONPATH", "")
    path = os.pathsep.join(p for p in (str(hook_dir), given) if p)
    return {**(env_vars or {}), "PYTHONPATH": path, SOCKET_VAR: str(debug / "pauses")}


def attach(socket_path: Path) -> int:
    """Bridge this terminal to the debugger waiting at ``socket_path`` until it quits."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(socket_path))
    except OSError as exc:
        print(f"pipedeck: the debugger is gone ({exc.strerror})", file=sys.stderr)
        return 1
    with conn:
        stdin = sys.stdin.fileno()
        reading = [conn, stdin]
        while True:
            ready, _, _ = select.select(reading, [], [])
            if conn in ready:
                data = conn.recv(65536)
                if not data:
                    return 0
                sys.stdout.write(data.decode("utf-8", "replace"))
                sys.stdout.flush()
            if stdin in ready:
                line = os.read(stdin, 65536)
                if not line:  # our input ended: the debugger gets EOF (it quits)
                    conn.shutdown(socket.SHUT_WR)
                    reading = [conn]
                    continue
                conn.sendall(line)
