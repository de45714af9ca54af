"""``pipedeck run pipeline``, ``pipedeck compile``, and the pipeline parts of ``list`` and
``validate``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from tui.cli.app import app, run_app
from tui.cli.common import ProjectOption, console, parse_pairs, project_dir
from tui.cli.execute import execute, exit_with
from tui.core.errors import BadInput
from tui.core.launch import PipelineRequest, start_pipeline
from tui.core.pipelines.compile import compile_to
from tui.core.pipelines.discovery import PipelineInfo, discover, display_path
from tui.core.pipelines.spec import PlanNode

RUNNERS = ("subprocess", "docker", "cluster", "auto")


@run_app.command("pipeline")
def run_pipeline(
    target: Annotated[
        str, typer.Argument(help="FILE[:FUNC]: a .py with @dsl.pipeline, or a compiled .yaml.")
    ],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Pipeline parameter k=v (repeatable).")
    ] = None,
    runner: Annotated[
        str,
        typer.Option(
            "--runner",
            help="subprocess, docker, cluster or auto.",
            envvar="PIPEDECK_PIPELINE_RUNNER",
        ),
    ] = "auto",
    kfp_host: Annotated[
        str, typer.Option("--kfp-host", help="Run on this KFP (URL); implies --runner cluster.")
    ] = "",
    kfp_token: Annotated[
        str,
        typer.Option(
            "--kfp-token",
            help="Bearer token for --kfp-host, or @FILE.",
            envvar="PIPEDECK_KFP_TOKEN",
        ),
    ] = "",
    kfp_namespace: Annotated[
        str, typer.Option("--kfp-namespace", help="Profile namespace of a multi-user KFP.")
    ] = "",
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse outputs of identical earlier tasks.")
    ] = True,
    break_at: Annotated[
        list[str] | None, typer.Option("--break", help="TASK: pause before it.")
    ] = None,
    break_on_failure: Annotated[
        bool, typer.Option("--break-on-failure", help="Pause after a failing task, to fix it.")
    ] = False,
    from_task: Annotated[
        str,
        typer.Option(
            "--from",
            help="TASK: take the tasks upstream of it from the cache; run it and all downstream.",
        ),
    ] = "",
    json_out: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
    project: ProjectOption = Path(),
) -> None:
    """Run a Kubeflow pipeline locally with kfp.local (tasks in a cached venv or containers)."""
    root = project_dir(project)
    if runner not in RUNNERS:
        raise BadInput(f"--runner {runner}: choose one of {', '.join(RUNNERS)}")
    if runner == "cluster" or kfp_host:
        if from_task:
            raise BadInput(
                f"--from {from_task}: runs on this machine only (kfp.local's cache); "
                "drop --runner cluster / --kfp-host"
            )
        from tui.cli.cluster_cmds import start_on_kfp

        cluster_run = start_on_kfp(
            root, target, param, runner, cache, kfp_host, kfp_token, kfp_namespace
        )
        exit_with(execute(cluster_run, json_out=json_out))
    request = PipelineRequest(
        root,
        target,
        parse_pairs(param, "--param"),
        cache,
        runner,
        breakpoints=tuple(break_at or ()),
        break_on_failure=break_on_failure,
        from_task=from_task,
    )
    exit_with(execute(start_pipeline(request), json_out=json_out))


@app.command("compile")
def compile_pipeline(
    target: Annotated[str, typer.Argument(help="FILE[:FUNC] with a @dsl.pipeline function.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the YAML.")
    ] = None,
    project: ProjectOption = Path(),
) -> None:
    """Compile a pipeline to KFP's pipeline spec YAML (kfp's Compiler)."""
    root = project_dir(project)
    with tempfile.TemporaryDirectory(prefix="pipedeck-compile-") as work:
        if output is None:
            file_part, _, func = target.rpartition(":")
            source = Path(file_part if file_part and func.isidentifier() else target)
            name = f"{source.stem}-{func}" if file_part and func.isidentifier() else source.stem
            output = source.with_name(f"{name}.yaml")
        loaded = compile_to(target, root, output, Path(work))
    tasks = sum(1 for node in loaded.spec.nodes() if node.kind == "task")
    params = len(loaded.spec.params)
    console().print(
        f"[green]✓[/] {loaded.target(root)} → {output}  "
        f"[dim]({_count(tasks, 'task')}, {_count(params, 'parameter')})[/]"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def pipelines_table(project: Path) -> RenderableType:
    """Every pipeline of ``project`` with its parameters and task DAG (for ``pipedeck list``)."""
    found = discover(project)
    parts: list[RenderableType] = []
    for info in found.pipelines:
        parts.append(pipeline_tree(info, project))
    for problem in found.problems:
        parts.append(Text(f"✗ {problem.text(project)}", style="red"))
    if not parts:
        parts.append(Text(f"no pipelines in {project}", style="dim"))
    return Group(*parts)


def validate_pipelines(project: Path) -> list[str]:
    """Import and compile every pipeline; the errors as ``file:line: message``."""
    return [problem.text(project) for problem in discover(project).problems]


def pipeline_tree(info: PipelineInfo, project: Path) -> Tree:
    title = Text(info.name or info.func, style="bold")
    where = display_path(info.file, project)
    where += f":{info.func}" if info.func else ""
    title.append(f"  {where}", style="dim")
    tree = Tree(title)
    spec = info.spec
    if spec is None:
        tree.add(Text(info.error or "not compiled", style="red"))
        return tree
    if spec.params:
        params = tree.add(Text("parameters", style="cyan"))
        for p in spec.params:
            label = f"{p.name}: {p.type_name}"
            label += f" = {p.default_text()}" if p.has_default else " (required)"
            params.add(label)
    tasks = tree.add(Text("tasks", style="cyan"))
    for node in spec.tasks:
        _add_node(tasks, node)
    return tree


def _add_node(branch: Tree, node: PlanNode) -> None:
    label = Text(node.name, style="bold" if node.kind == "task" else "magenta")
    if node.loop:
        label.append("  ParallelFor", style="magenta")
    elif node.condition:
        label.append("  if: " + node.condition_text, style="dim")
    if node.exit_task:
        label.append("  exit handler", style="magenta")
    if node.needs:
        label.append(f"  needs: {', '.join(node.needs)}", style="dim")
    sub = branch.add(label)
    for child in node.children:
        _add_node(sub, child)
