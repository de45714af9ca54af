"""``pipedeck list``: what the project holds, with its planned DAG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from rich.tree import Tree

from tui.cli.app import app, print_json
from tui.cli.common import ProjectOption, console, project_dir
from tui.core.workflows import discovery, plan

if TYPE_CHECKING:
    from tui.core.pipelines.spec import PlanNode

JSON_HELP = (
    "Print a JSON object: workflows (path, name, events, inputs, jobs with id, name, stage,"
    " needs, runs_on, matrix, steps) and pipelines (target, file, func, name, parameters,"
    " tasks in topological order with id, name, kind, needs, condition (as the source says"
    " it), condition_ir (as compiled), loop, exit_task, children), problems."
)


DAG_HELP = (
    "Draw each workflow's jobs and each pipeline's tasks as a graph: what a node needs above"
    " it, joined by lines (a pipeline's branches and loops by their tasks, with their"
    " conditions under the graph)."
)


@app.command("list")
def list_project(
    project: ProjectOption = Path(),
    json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    dag: Annotated[bool, typer.Option("--dag", help=DAG_HELP)] = False,
) -> None:
    """List the project's workflows (jobs by stage, matrix legs, steps) and pipelines
    (parameters with types and defaults, tasks in the order they can run)."""
    root = project_dir(project)
    found = discovery.discover(root)
    if json_out:
        print_json(project_json(root, found))
        return
    from tui.cli.pipeline_cmds import pipelines_table

    out = console()
    out.print(Text("Workflows", style="bold underline"))
    if not found:
        out.print(f"[dim]no workflows in {root / discovery.WORKFLOW_DIR}[/]")
    for wf in found:
        out.print(workflow_dag(wf, root) if dag else workflow_tree(wf, root))
    out.print(Text("Pipelines", style="bold underline"))
    if dag:
        from tui.cli.dag_render import pipeline_dags

        out.print(pipeline_dags(root))
    else:
        out.print(pipelines_table(root))


def workflow_dag(wf: plan.Workflow, root: Path) -> RenderableType:
    from tui.cli.dag_render import graph_text
    from tui.core.run_graph import plan_graph

    title = Text(f"{wf.name}", style="bold")
    title.append(f"  {wf.path.relative_to(root)}  on: {', '.join(wf.events)}", style="dim")
    graph = graph_text(plan_graph(discovery.planned_nodes(wf)))
    return Group(title, Padding(graph, (0, 0, 1, 2), expand=False))


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


def project_json(root: Path, workflows: list[plan.Workflow]) -> dict[str, Any]:
    from tui.core.pipelines.discovery import discover, display_path

    pipelines = discover(root)
    files = {info.file: display_path(info.file, root) for info in pipelines.pipelines}
    return {
        "workflows": [
            {
                "path": str(wf.path.relative_to(root)),
                "name": wf.name,
                "events": wf.events,
                "inputs": [
                    {
                        "name": i.name,
                        "type": i.type,
                        "required": i.required,
                        "default": i.default,
                        "options": i.options,
                        "description": i.description,
                    }
                    for i in wf.inputs.values()
                ],
                "jobs": [
                    {
                        "id": job.id,
                        "name": job.name,
                        "stage": job.stage + 1,
                        "needs": job.needs,
                        "runs_on": job.runs_on,
                        "matrix": job.matrix,
                        "steps": [
                            {"index": s.index, "name": s.name, "id": s.id, "uses": s.uses}
                            for s in job.steps
                        ],
                    }
                    for job in wf.jobs.values()
                ],
            }
            for wf in workflows
        ],
        "pipelines": [
            {
                "target": f"{files[info.file]}:{info.func}" if info.func else files[info.file],
                "file": files[info.file],
                "func": info.func,
                "name": info.name,
                "error": info.error,
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type_name,
                        "required": p.required,
                        "default": json.loads(p.default_text()) if p.has_default else None,
                    }
                    for p in (info.spec.params if info.spec else ())
                ],
                "tasks": [_node_json(n) for n in (info.spec.tasks if info.spec else ())],
            }
            for info in pipelines.pipelines
        ],
        "problems": [problem.text(root) for problem in pipelines.problems],
    }


def _node_json(node: PlanNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "name": node.name,
        "kind": node.kind,
        "needs": node.needs,
        "condition": node.condition_text,
        "condition_ir": node.condition,
        "loop": node.loop,
        "exit_task": node.exit_task,
        "children": [_node_json(child) for child in node.children],
    }
