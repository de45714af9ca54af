"""Starting a run: what the CLI, the TUI and the demo share. Each returns a
:class:`~tui.core.runner.Run` (a runner with its record, to be driven through the run
lifecycle) in the given run store; nothing is stored when the input is bad."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core import config
from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.paths import private_dir, scratch_dir, state_dir
from tui.core.store import RUNNING, RunStore
from tui.core.workflows import pip_cache
from tui.core.workflows.act_argv import WorkflowRequest, recorded_options
from tui.core.workflows.actrc import actrc_files
from tui.core.workflows.mode import choose_mode
from tui.core.workflows.run_files import check_files
from tui.core.workflows.runner import ActRunner

if TYPE_CHECKING:
    from tui.core.pipelines.compile import LoadedPipeline
    from tui.core.pipelines.from_task import FromPlan
    from tui.core.pipelines.spec import PipelineSpec
    from tui.core.runner import Run


@dataclass(frozen=True)
class PipelineRequest:
    """What the user asked to run on the pipeline side (kfp.local)."""

    project: Path
    target: str  # FILE[:FUNC] or a compiled YAML, as the user named it
    params: Mapping[str, str] = field(default_factory=dict)
    cache: bool = True
    mode: str = "subprocess"  # subprocess, docker or auto
    breakpoints: tuple[str, ...] = ()  # --break TASK (tui.core.pipelines.task_pause)
    break_on_failure: bool = False
    # --from TASK: its upstream from the cache, it and downstream run (pipelines.from_task)
    from_task: str = ""


def start_workflow(
    request: WorkflowRequest, store: RunStore | None = None, *, spawn: bool = False
) -> Run:
    """One workflow run (mode chosen per ``request.mode``), recorded in ``store``. The
    project's settings fill in what the request leaves open (CA bundle, offline). With
    ``spawn``, act is started before this returns (the CLI: what reads its output is
    imported while act starts); else when the run's events are first read."""
    settings = config.load(request.project)
    request = dataclasses.replace(
        request,
        ca_bundle=request.ca_bundle or settings.ca_bundle,
        offline=request.offline or settings.offline,
    )
    if request.ca_bundle is not None and not request.ca_bundle.is_file():
        raise BadInput(f"ca_bundle {request.ca_bundle}: no such file")
    check_files(request)
    cwd = request.act_cwd or request.project
    if not request.as_act and any(p.is_file() for p in actrc_files(cwd)):
        from tui.core.workflows.act_command import check_actrc  # act's flags table

        check_actrc(cwd)  # `pipedeck act` read them with the rest of its command line
    choice = choose_mode(request.mode, dry_run=request.dry_run, ca_bundle=request.ca_bundle)
    if choice.ca_bundle is not None:  # the host's bundle, where job containers need it
        request = dataclasses.replace(request, ca_bundle=choice.ca_bundle)
    store = store or RunStore()
    workflow_file = str(request.workflow.path.resolve())
    if choice.mode == "docker":
        _refuse_a_second_docker_run(store, workflow_file)
    extra = {"workflow": workflow_file, "request": recorded_options(request)}  # for a re-run
    rerun = getattr(request, "rerun", None)  # `pipedeck rerun --failed`: links to the run
    if rerun is not None:
        extra.update(rerun.meta())
    record = store.create("workflow", request.target, request.project, choice.mode, extra=extra)
    try:
        runner = ActRunner(request, record, choice)
    except Exception:
        store.discard(record)  # nothing ran: keep no empty run
        raise
    if spawn:
        runner.spawn()
    from tui.core.runner import Run  # the run lifecycle: imported while act starts

    run = Run(runner, record)
    if not request.dry_run:  # where pip's downloads go (a difference from GitHub)
        run.prelude.append(pip_cache.line(request.project, request.workflows, request.env))
    if rerun is not None:
        run.prelude += rerun.lines()
    return run


def _refuse_a_second_docker_run(store: RunStore, workflow_file: str) -> None:
    """act names a job's container by the workflow's and the job's names alone, so two
    docker-mode runs of one workflow at once would fight over the same containers."""
    for meta in store.list():  # a run whose pipedeck died is listed interrupted, not running
        if (
            meta.status == RUNNING
            and meta.kind == "workflow"
            and meta.mode == "docker"
            and meta.extra.get("workflow") == workflow_file
        ):
            raise MissingPrerequisite(
                f"run {meta.run_id} is running {meta.target} in docker mode, and act gives a"
                " second run's job containers the same names; wait for it to end, stop it,"
                " or run this one with --runner host"
            )


def _task_breaks(request: PipelineRequest, spec: PipelineSpec) -> list[str] | None:
    """The node ids ``--break TASK`` names (None: no breakpoints asked for); tasks pause in
    either mode (``task_pause.py``, ``docker_pause.py``)."""
    if not request.breakpoints and not request.break_on_failure:
        return None
    nodes = [n for n in spec.nodes() if n.kind == "task"]
    out = []
    for name in request.breakpoints:
        found = [n.id for n in nodes if name in (n.id, n.name)]
        if not found:
            names = ", ".join(n.id for n in nodes)
            raise BadInput(f"--break {name}: no such task (tasks: {names})")
        out += found
    return out


def _from_plan(
    request: PipelineRequest,
    loaded: LoadedPipeline,
    arguments: Mapping[str, Any],
    breaks: list[str] | None,
) -> FromPlan | None:
    """``--from TASK``'s plan, checked before anything runs: every task upstream of TASK has
    a cached result for this run's inputs, and every ``--break`` is at a task that runs."""
    if not request.from_task:
        return None
    from tui.core.pipelines import from_task

    plan = from_task.plan(loaded.spec, request.from_task)
    for node_id in breaks or ():
        if not plan.reruns(node_id):
            raise BadInput(
                f"--break {node_id}: with --from {plan.task} only {', '.join(plan.rerun)} "
                "surely run; break at one of them"
            )
    root = shared_cache_root(request.project)
    from_task.check_cached(plan, loaded.spec_path, arguments, root)
    return plan


def shared_cache_root(project: Path) -> Path:
    """kfp.local's task cache, shared by a project's runs (so a second run can hit it)."""
    import hashlib  # the pipeline side's: not on a workflow run's way in

    key = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:16]
    return state_dir() / "kfp-cache" / key


def start_pipeline(request: PipelineRequest, store: RunStore | None = None) -> Run:
    """One kfp.local run of ``request.target`` (FILE[:FUNC] or compiled YAML), recorded in
    ``store``. The pipeline is compiled and its parameters checked first (BadInput otherwise);
    the mode is ``subprocess``, ``docker`` or ``auto`` (MissingPrerequisite when docker
    cannot run). With ``from_task`` the cache must hold every task upstream of it (BadInput
    naming the first that it lacks)."""
    import tempfile

    from tui.core.images.derived import DerivedImage
    from tui.core.pipelines.compile import load_pipeline
    from tui.core.pipelines.docker_mode import choose_mode as choose_pipeline_mode
    from tui.core.pipelines.docker_mode import derived_images
    from tui.core.pipelines.docker_mode import driver_env as docker_driver_env
    from tui.core.pipelines.env import component_env
    from tui.core.pipelines.runner import PipelineRunner, PipelineRunOptions

    project, target, mode = request.project, request.target, request.mode
    if request.from_task and not request.cache:
        raise BadInput(
            f"--from {request.from_task}: takes the upstream tasks from the cache; drop --no-cache"
        )
    choice = choose_pipeline_mode(mode, config.load(project).ca_bundle)
    ca_bundle = choice.ca_bundle if choice.mode == "docker" else None
    if ca_bundle is not None and not ca_bundle.is_file():
        raise BadInput(f"ca_bundle {ca_bundle}: no such file")
    with tempfile.TemporaryDirectory(prefix="pipedeck-compile-") as work:
        loaded = load_pipeline(target, project, Path(work))
        arguments = loaded.arguments(dict(request.params), project)
        derived: tuple[DerivedImage, ...] = ()
        if choice.mode == "docker":  # the driver only; packages go into derived images
            env = docker_driver_env()
            derived = derived_images(loaded.spec.raw, choice.image)
        else:
            env = component_env(loaded.spec.packages, loaded.spec.pip_options)
        breaks = _task_breaks(request, loaded.spec)
        from_plan = _from_plan(request, loaded, arguments, breaks)
        record = (store or RunStore()).create(
            "pipeline", loaded.target(project), project, choice.mode
        )
        spec_path = record.path / "pipeline.yaml"
        shutil.copyfile(loaded.spec_path, spec_path)
    record.meta.extra.update(
        {"component_env": str(env.path), "arguments": arguments, "spec": str(spec_path)}
    )
    if choice.image:
        record.meta.extra["component_image"] = choice.image
    debug = None
    if breaks is not None:  # the driver pauses tasks; the CLI and the TUI answer
        debug = private_dir(scratch_dir(record.run_id) / "debug")
        (debug / "pauses").mkdir(exist_ok=True)
        record.meta.extra["debug"] = str(debug)
    if derived:
        record.meta.extra["derived_images"] = [image.ref for image in derived]
    record.write_meta()
    options = PipelineRunOptions(
        spec_path=spec_path,
        target=loaded.target(project),
        run_dir=record.path,
        project=project,
        env=env,
        arguments=arguments,
        # a task to pause before must run, not hit (with --from it is one that runs again)
        cache=request.cache and (not breaks or from_plan is not None),
        cache_root=shared_cache_root(project),
        mode=choice.mode,
        mode_reason=choice.reason if mode != "subprocess" else "",
        image=choice.image,
        ca_bundle=ca_bundle,
        derived=derived,
        debug=debug,
        breakpoints=tuple(breaks or ()),
        break_on_failure=request.break_on_failure,
        source=loaded.file,
        from_plan=from_plan,
    )
    from tui.core.runner import Run

    return Run(PipelineRunner(record.run_id, options), record)
