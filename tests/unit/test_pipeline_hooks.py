"""The kfp.local hook is pinned to kfp 2.17: the functions it wraps exist with the parameters
it reads, it refuses other kfp versions, and it restores kfp.local when uninstalled."""

from __future__ import annotations

import inspect

import kfp
import pytest
from kfp.local import subprocess_task_handler, task_dispatcher
from kfp.local.orchestrator import dag_orchestrator, enhanced_dag_orchestrator, task_executor

from tui.core.pipelines.hooks import Hooks, UnsupportedKfp, check_kfp_version

eo = enhanced_dag_orchestrator
HOOKED = [
    (task_executor, "execute_single_task", {"task_name", "task_spec", "components", "executors"}),
    (task_dispatcher, "run_single_task_implementation", set()),
    (eo, "execute_task", {"task_name", "task_spec", "components", "io_store"}),
    (eo, "_run_parallel_for_task", {"task_name", "task_spec"}),
    (eo.ParallelExecutor, "execute_parallel_tasks", {"tasks", "io_store"}),
    (eo, "run_enhanced_dag", {"dag_component_spec", "components"}),
    (dag_orchestrator, "run_dag", {"dag_component_spec", "components"}),
    (subprocess_task_handler, "run_local_subprocess", {"full_command", "env_vars"}),
    (subprocess_task_handler, "environment", {"use_venv"}),
]


def test_this_kfp_is_the_pinned_minor() -> None:
    check_kfp_version(kfp.__version__)


def test_other_kfp_versions_are_refused_clearly() -> None:
    with pytest.raises(
        UnsupportedKfp, match=r"support kfp 2\.17\.x; this environment has kfp 2\.18"
    ):
        check_kfp_version("2.18.0")


@pytest.mark.parametrize(("owner", "name", "params"), HOOKED)
def test_the_hooked_functions_have_the_parameters_the_hook_reads(
    owner: object, name: str, params: set[str]
) -> None:
    signature = inspect.signature(getattr(owner, name))
    assert params <= set(signature.parameters)


def test_install_wraps_and_uninstall_restores() -> None:
    before = {(id(owner), name): getattr(owner, name) for owner, name, _ in HOOKED}
    hooks = Hooks("run", lambda event: None, skip_pip=True)
    hooks.install()
    try:
        for owner, name, _ in HOOKED:
            assert getattr(owner, name) is not before[(id(owner), name)], name
    finally:
        hooks.uninstall()
    for owner, name, _ in HOOKED:
        assert getattr(owner, name) is before[(id(owner), name)], name
