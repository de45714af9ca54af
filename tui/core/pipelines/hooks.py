"""The kfp.local hook: task execution patched (inside the driver only) to emit node events.

Pinned to kfp 2.17 (``check_kfp_version``); the functions wrapped are module attributes of
``kfp.local`` that its orchestrators look up at call time:

- ``task_executor.execute_single_task``: one task → ``node.*`` of kind ``task`` (its id and
  name the task's name, as kfp.local and the KFP UI say it; ``display_name`` beside), outputs
  as artifacts/metrics/logs; ``task_dispatcher.run_single_task_implementation`` is one
  execution: it marks that the task really ran (a success without it is a cache hit) and,
  for a task with a retry policy, is an ``attempt`` node under the task;
- ``task_dispatcher.run_single_task``: a lone component (``component(**args)``) as one task;
- ``enhanced_dag_orchestrator.execute_task`` (DAG-implemented tasks: conditions, nested
  pipelines, exit handlers, ParallelFor iterations), ``_run_parallel_for_task`` (the loop) →
  nodes of kind ``group``; ``ParallelExecutor.execute_parallel_tasks`` hands the caller's scope
  to its worker threads;
- ``run_enhanced_dag`` / ``dag_orchestrator.run_dag``: a DAG's tasks that never started are
  reported when it returns: ``skipped`` (a false condition: a branch not taken) or ``not run``
  (an upstream task failed);
- ``subprocess_task_handler.run_local_subprocess``: the task's output as its logs.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from tui.core import events as ev
from tui.core.pipelines import task_pause, task_process
from tui.core.pipelines.command import without_pip_prefix
from tui.core.pipelines.outputs import keep_metrics, output_events

SUPPORTED_KFP = "2.17."
_ITERATION = re.compile(r"-iteration-(\d+)$")
Emit = Callable[[ev.Event], None]
Scope = tuple[str, int | None]  # (node id of the enclosing group, ParallelFor iteration)
CACHE_HIT = "cache hit: outputs reused from an earlier run (kfp.local cache); task not executed"


class UnsupportedKfp(RuntimeError):
    pass


def check_kfp_version(version: str) -> None:
    if not version.startswith(SUPPORTED_KFP):
        raise UnsupportedKfp(
            f"pipedeck's kfp.local hooks support kfp {SUPPORTED_KFP}x; this environment has "
            f"kfp {version}"
        )


def join(scope_id: str, name: str) -> str:
    return f"{scope_id}/{name}" if scope_id else name


class Hooks:
    """Install with :meth:`install`; every event goes to ``emit`` (thread-safe)."""

    def __init__(self, run_id: str, emit: Emit, *, skip_pip: bool = False) -> None:
        self.run_id = run_id
        self.emit = emit
        self.skip_pip = skip_pip
        self.root_status: str | None = None
        self.failed_tasks: list[str] = []
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pending: dict[tuple[int, str], Scope] = {}
        self._started: dict[str, float] = {}
        self._status: dict[str, str] = {}
        self._saved: list[tuple[Any, str, Any]] = []

    # -- scope and node bookkeeping -------------------------------------------------------

    def scope(self) -> Scope:
        return getattr(self._local, "scope", ("", None))

    def current_task(self) -> str:
        return getattr(self._local, "task", "") or ""

    def log(self, node_id: str, stream: ev.Stream, text: str) -> None:
        self.emit(ev.Log(run_id=self.run_id, node_id=node_id, stream=stream, text=text))

    def _start(
        self,
        node_id: str,
        name: str,
        kind: ev.NodeKind,
        scope: Scope,
        iteration: int | None,
        display_name: str = "",
    ) -> None:
        with self._lock:
            self._started[node_id] = time.monotonic()
        self.emit(
            ev.NodeStarted(
                run_id=self.run_id,
                node_id=node_id,
                name=name,
                kind=kind,
                parent_id=scope[0],
                iteration=iteration,
                display_name="" if display_name == name else display_name,
            )
        )

    def _finish(
        self,
        node_id: str,
        name: str,
        kind: ev.NodeKind,
        scope: Scope,
        status: ev.NodeStatus,
        iteration: int | None,
    ) -> None:
        with self._lock:
            started = self._started.get(node_id)
            self._status[node_id] = status
            if status == "failure" and kind == "task":
                self.failed_tasks.append(node_id)
        duration = None if started is None else round(time.monotonic() - started, 3)
        self.emit(
            ev.NodeFinished(
                run_id=self.run_id,
                node_id=node_id,
                name=name,
                kind=kind,
                status=status,
                duration=duration,
                parent_id=scope[0],
                iteration=iteration,
            )
        )

    @contextlib.contextmanager
    def _in_scope(self, scope: Scope) -> Iterator[None]:
        previous = self.scope()
        self._local.scope = scope
        try:
            yield
        finally:
            self._local.scope = previous

    # -- installing -----------------------------------------------------------------------

    def _patch(self, owner: Any, attr: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, attr)
        self._saved.append((owner, attr, original))
        setattr(owner, attr, make(original))

    def install(self) -> None:
        import kfp
        from kfp.local import subprocess_task_handler, task_dispatcher
        from kfp.local.orchestrator import (
            dag_orchestrator,
            enhanced_dag_orchestrator,
            task_executor,
        )

        check_kfp_version(kfp.__version__)
        eo = enhanced_dag_orchestrator
        self._patch(task_executor, "execute_single_task", self._wrap(self._task))
        self._patch(task_dispatcher, "run_single_task_implementation", self._wrap(self._ran))
        self._patch(task_dispatcher, "run_single_task", self._wrap(self._single))
        self._patch(eo, "execute_task", self._wrap(self._dag_task))
        self._patch(eo, "_run_parallel_for_task", self._wrap(self._loop))
        self._patch(eo.ParallelExecutor, "execute_parallel_tasks", self._wrap(self._parallel))
        self._patch(eo, "run_enhanced_dag", self._wrap(self._dag))
        self._patch(dag_orchestrator, "run_dag", self._wrap(self._dag))
        self._patch(subprocess_task_handler, "run_local_subprocess", lambda _: self._subprocess)
        if self.skip_pip:
            self._patch(subprocess_task_handler, "environment", task_process.no_pip_lock)

    def uninstall(self) -> None:
        while self._saved:
            owner, attr, original = self._saved.pop()
            setattr(owner, attr, original)

    def _wrap(self, handler: Callable[..., Any]) -> Callable[[Any], Any]:
        def make(original: Any) -> Any:
            signature = inspect.signature(original)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                bound = signature.bind(*args, **kwargs).arguments
                return handler(lambda: original(*args, **kwargs), bound)

            return wrapper

        return make

    # -- the wrapped functions ------------------------------------------------------------

    def _task(self, call: Callable[[], Any], a: dict[str, Any]) -> Any:
        from kfp.local import status as kfp_status

        task_name, task_spec = a["task_name"], a["task_spec"]
        component = a["components"][task_spec.component_ref.name]
        executor = a["executors"].get(component.executor_label)
        is_container = executor is not None and executor.WhichOneof("spec") == "container"
        scope = self.scope()
        node_id = join(scope[0], task_name)
        # the task's name, as kfp.local and the KFP UI say it; its display name beside
        name = task_name
        self._start(node_id, name, "task", scope, scope[1], task_spec.task_info.name)
        previous = self.current_task()
        self._local.task, self._local.ran = node_id, False
        self._local.retries = max(0, int(task_spec.retry_policy.max_retry_count))
        self._local.attempt = 0
        status: ev.NodeStatus = "failure"
        try:
            outputs, task_status = call()
            if task_status == kfp_status.Status.SUCCESS:
                status = "success"
                if is_container and not self._local.ran:
                    self.log(node_id, "system", CACHE_HIT)
                keep_metrics(outputs)
                self._report_outputs(node_id, outputs)
            return outputs, task_status
        except BaseException as exc:
            self.log(node_id, "system", f"{type(exc).__name__}: {exc}")
            raise
        finally:
            self._local.task, self._local.retries = previous, 0
            self._finish(node_id, name, "task", scope, status, scope[1])

    def _ran(self, call: Callable[[], Any], a: dict[str, Any]) -> Any:
        """One execution of a task (with a retry policy: an ``attempt`` node, its logs)."""
        from kfp.local import status as kfp_status

        self._local.ran = True
        task = self.current_task()
        retries = getattr(self._local, "retries", 0)
        if not retries or not task:
            outputs, task_status = call()
            self._local.last_status = task_status
            return outputs, task_status
        self._local.attempt = attempt = getattr(self._local, "attempt", 0) + 1
        scope: Scope = (task, self.scope()[1])
        node_id, name = f"{task}/attempt-{attempt}", f"attempt {attempt} of {retries + 1}"
        self._start(node_id, name, "attempt", scope, scope[1])
        self._local.task = node_id
        status: ev.NodeStatus = "failure"
        try:
            outputs, task_status = call()
            self._local.last_status = task_status
            if task_status == kfp_status.Status.SUCCESS:
                status = "success"
            return outputs, task_status
        finally:
            self._local.task = task
            self._finish(node_id, name, "attempt", scope, status, scope[1])

    def _single(self, call: Callable[[], Any], a: dict[str, Any]) -> Any:
        """A lone component (``component(**args)``): one task, named as kfp.local does."""
        from kfp.local import status as kfp_status

        component = next(iter(a["pipeline_spec"].components.keys()), "comp-component")
        node_id = str(component).removeprefix("comp-")
        scope: Scope = ("", None)
        self._start(node_id, node_id, "task", scope, None)
        previous = self.current_task()
        self._local.task, self._local.retries, self._local.last_status = node_id, 0, None
        status: ev.NodeStatus = "failure"
        try:
            outputs = call()
            if self._local.last_status == kfp_status.Status.SUCCESS:
                status = "success"
                self._report_outputs(node_id, outputs)
            return outputs
        except BaseException as exc:
            self.log(node_id, "system", f"{type(exc).__name__}: {exc}")
            raise
        finally:
            self._local.task = previous
            self._finish(node_id, node_id, "task", scope, status, None)
            self.root_status = status

    def _dag_task(self, call: Callable[[], Any], a: dict[str, Any]) -> Any:
        task_name, task_spec = a["task_name"], a["task_spec"]
        component = a["components"][task_spec.component_ref.name]
        if component.WhichOneof("implementation") != "dag":
            return call()
        with self._lock:
            handed = self._pending.pop((id(a["io_store"]), task_name), None)
        match = _ITERATION.search(task_name)
        if handed is not None and match:
            index = int(match.group(1))
            name = f"iteration-{index}"
            node_id = join(handed[0], name)
            parent: Scope = (handed[0], handed[1])
            inner: Scope = (node_id, index)
        else:
            parent = handed or self.scope()
            name = task_name
            node_id = join(parent[0], task_name)
            inner = (node_id, parent[1])
        return self._group(call, node_id, name, parent, inner, task_spec.task_info.name)

    def _group(
        self,
        call: Callable[[], Any],
        node_id: str,
        name: str,
        parent: Scope,
        inner: Scope,
        display_name: str = "",
    ) -> Any:
        from kfp.local import status as kfp_status

        self._start(node_id, name, "group", parent, inner[1], display_name)
        status: ev.NodeStatus = "failure"
        try:
            with self._in_scope(inner):
                result = call()
            if isinstance(result, bool):  # _run_parallel_for_task: True means it failed
                status = "failure" if result else "success"
            elif result[1] == kfp_status.Status.SUCCESS:
                status = "success"
            return result
        finally:
            self._finish(node_id, name, "group", parent, status, inner[1])

    def _loop(self, call: Callable[[], Any], a: dict[str, Any]) -> Any:
        scope = self.scope()
        task_name, task_spec = a["task_name"], a["task_spec"]
        node_id = join(scope[0], task_name)
        inner: Scope = (node_id, scope[1])
        return self._group(call, node_id, task_name, scope, inner, task_spec.task_info.name)

    def _parallel(self, call: Callable[[], Any], a: dict[str, Any]) -> Any:
        scope = self.scope()
        with self._lock:
            for task_name, _spec in a["tasks"]:
                self._pending[(id(a["io_store"]), task_name)] = scope
        return call()

    def _dag(self, call: Callable[[], Any], a: dict[str, Any]) -> Any:
        from kfp.local import status as kfp_status

        scope = self.scope()
        result = call()
        self._skip_unstarted(scope, a["dag_component_spec"].dag, a["components"])
        if scope[0] == "":
            self.root_status = "success" if result[1] == kfp_status.Status.SUCCESS else "failure"
        return result

    # -- tasks that never started -----------------------------------------------------------

    def _skip_unstarted(self, scope: Scope, dag: Any, components: Any) -> None:
        """A DAG's tasks that never started: ``skipped`` when their condition was false (a
        branch not taken), ``not run`` when an upstream task failed (or the run stopped)."""
        for task_name, task in dag.tasks.items():
            node_id = join(scope[0], task_name)
            with self._lock:
                if node_id in self._started or node_id in self._status:
                    continue
            status, reason = self._skip_reason(scope, task)
            self._skip_tree(scope, task_name, task, components, status)  # the node first,
            self.log(node_id, "system", f"{status}: {reason}")  # so a UI knows whose log

    def _skip_reason(self, scope: Scope, task: Any) -> tuple[ev.NodeStatus, str]:
        deps = [join(scope[0], d) for d in task.dependent_tasks]
        failed = [d for d in deps if self._status.get(d) == "failure"]
        if failed:
            return "not run", f"upstream task {failed[0].rsplit('/', 1)[-1]!r} failed"
        if task.trigger_policy.condition:
            return "skipped", "its condition was false"
        if any(self._status.get(d) != "success" for d in deps):
            return "not run", "an upstream task did not succeed"
        return "not run", "the pipeline stopped before it"

    def _skip_tree(
        self, scope: Scope, task_name: str, task: Any, components: Any, status: ev.NodeStatus
    ) -> None:
        component = components.get(task.component_ref.name)
        is_dag = component is not None and component.WhichOneof("implementation") == "dag"
        node_id = join(scope[0], task_name)
        kind: ev.NodeKind = "group" if is_dag else "task"
        self._finish(node_id, task_name, kind, scope, status, scope[1])
        if is_dag:
            for child_name, child in component.dag.tasks.items():
                self._skip_tree((node_id, scope[1]), child_name, child, components, status)

    # -- outputs ----------------------------------------------------------------------------

    def _report_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        for event in output_events(self.run_id, node_id, outputs):
            self.emit(event)

    def _subprocess(self, full_command: list[str], env_vars: dict[str, str] | None = None) -> int:
        """A task's process, its output the current task's (or attempt's) log lines."""
        if self.skip_pip:
            full_command = without_pip_prefix(full_command) or full_command
        node_id = self.current_task()
        log = lambda stream, line: self.log(node_id, stream, line)  # noqa: E731
        return task_pause.run(full_command, env_vars, log, node_id, self.emit, self.run_id)
