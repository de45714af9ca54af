"""A million lines through the real act: the store and ``--json`` hold every line once, in
order, masked (nothing lost or doubled at any rate, however events batch the lines)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import log_lines, run_cli, workflow_file_project
from tui.core.store import RunStore

LINES = 1_000_000
SECRET = "thr0ughput-s3cret-4242"
WORKFLOW = f"""\
name: flood
on: push
jobs:
  flood:
    runs-on: ubuntu-latest
    steps:
      - name: flood
        env:
          TOKEN: ${{{{ secrets.TOKEN }}}}
        run: |
          python3 - <<'PY'
          import os, sys
          token = os.environ["TOKEN"]
          write = sys.stdout.write
          for i in range({LINES}):
              write(f"line {{i}} {{token if i % 1000 == 7 else 'plain'}}\\n")
          PY
"""


def without_act_blank(lines: list[str]) -> list[str]:
    """act itself, now and then, ends a step's raw output with one empty line (its writer's
    last flush, seen in raw ``act --json`` too): pipedeck reports it as act does."""
    return lines[:-1] if lines and lines[-1] == "" else lines


def expected() -> list[str]:
    return [f"line {i} {'***' if i % 1000 == 7 else 'plain'}" for i in range(LINES)]


def test_a_million_lines_are_stored_and_printed_once_in_order_masked(tmp_path: Path) -> None:
    project = workflow_file_project(tmp_path, WORKFLOW, "flood.yml")
    (project / ".secrets").write_text(f"TOKEN={SECRET}\n")
    result = run_cli("run", "workflow", "--runner", "host", "--json", cwd=project, timeout=600)
    assert result.code == 0, result.stderr[-2000:]
    assert SECRET not in result.stdout
    want = expected()
    step = "flood/0"
    printed = log_lines(result.events, lambda e: e["node_id"] == step)
    assert without_act_blank(printed) == want
    record = RunStore().get("last")
    stored_events = [e for e in record.events() if e.type == "log"]
    stored = [line for e in stored_events if e.node_id == step for line in e.text.split("\n")]
    assert without_act_blank(stored) == want
    assert SECRET.encode() not in record.events_path.read_bytes()
