"""``pipedeck list``: what the project holds, with its planned DAG."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from rich.tree import Tree

from tui.cli.app import app
from tui.cli.common import ProjectOption, console, project_dir
from tui.core.workflows import discovery, plan


@app.command("list")
def list_project(project: ProjectOption = Path()) -> None:
    """List the project's workflows (jobs by stage, matrix legs, steps) and pipelines
    (parameters with types and defaults, task DAG)."""
    from tui.cli.pipeline_cmds import pipelines_table

    root = project_dir(project)
    out = console()
    found = discovery.discover(root)
    out.print(Text("Workflows", style="bold underline"))
    if not found:
        out.print(f"[dim]no workflows in {root / discovery.WORKFLOW_DIR}[/]")
    for wf in found:
        out.print(workflow_tree(wf, root))
    out.print(Text("Pipelines", style="bold underline"))
    out.print(pipelines_table(root))


def workflow_tree(wf: plan.Workflow, root: Path) -> Tree:
    title = Text(f"{wf.name}", style="bold")
    title.append(f"  {wf.path.relative_to(root)}  on: {', '.join(wf.events)}", style="dim")
    tree = Tree(title)
    if wf.inputs:
        inputs = tree.add(Text("inputs", style="cyan"))
        for spec in wf.inputs.values():
            default = "" if spec.default is None else f" = {spec.default}"
            required = " (required)" if spec.required else ""
            inputs.add(f"{spec.name}: {spec.type}{default}{required}")
    for number, stage in enumerate(wf.stages, start=1):
        branch = tree.add(Text(f"stage {number}", style="cyan"))
        for job_id in stage:
            job = wf.jobs[job_id]
            label = Text(job.id, style="bold")
            if job.needs:
                label.append(f"  needs: {', '.join(job.needs)}", style="dim")
            label.append(f"  runs-on: {', '.join(job.runs_on) or '-'}", style="dim")
            node = branch.add(label)
            for leg in job.matrix:
                node.add(Text("matrix " + ", ".join(f"{k}={v}" for k, v in leg.items()), "magenta"))
            for step in job.steps:
                node.add(step.name)
    return tree
