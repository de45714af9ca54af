"""KFP v1 code found in a pipeline file's source (``tui.core.pipelines.kfp_v1``): every v1-only
name however the file imports it, what kfp 2 has instead, and nothing found in v2 code."""

from __future__ import annotations

import textwrap

import pytest

from tui.core.pipelines import kfp_v1

V1_SOURCES = [
    pytest.param(
        """
        from kfp import dsl

        op = dsl.ContainerOp(name="train", image="python:3.9")
        """,
        4,
        "dsl.ContainerOp",
        "kfp.dsl.ContainerOp",
        id="dsl.ContainerOp",
    ),
    pytest.param(
        """
        import kfp

        op = kfp.dsl.ContainerOp(name="train", image="python:3.9")
        """,
        4,
        "kfp.dsl.ContainerOp",
        "kfp.dsl.ContainerOp",
        id="kfp.dsl.ContainerOp",
    ),
    pytest.param(
        """
        from kfp.dsl import ContainerOp
        op = ContainerOp(name="train", image="python:3.9")
        """,
        2,
        "ContainerOp",
        "kfp.dsl.ContainerOp",
        id="from-kfp.dsl-import-ContainerOp",
    ),
    pytest.param(
        """
        import os
        from kfp.dsl import ContainerOp as Op
        """,
        3,
        "ContainerOp",
        "kfp.dsl.ContainerOp",
        id="import-as-alias",
    ),
    pytest.param(
        """
        import kfp.dsl as d

        def pipeline():
            vol = d.VolumeOp(name="data", resource_name="pvc", size="1Gi")
        """,
        5,
        "d.VolumeOp",
        "kfp.dsl.VolumeOp",
        id="import-kfp.dsl-as-d",
    ),
    pytest.param(
        """
        from kfp import dsl as kd
        x = 1
        kd.ResourceOp(name="job", k8s_resource={}, action="create")
        """,
        4,
        "kd.ResourceOp",
        "kfp.dsl.ResourceOp",
        id="dsl.ResourceOp",
    ),
    pytest.param(
        """
        from kfp.dsl import *

        VolumeSnapshotOp(name="snap", resource_name="s", volume=None)
        """,
        4,
        "VolumeSnapshotOp",
        "kfp.dsl.VolumeSnapshotOp",
        id="star-import",
    ),
    pytest.param(
        """
        import kfp.components as comp

        @comp.func_to_container_op
        def add(a: float, b: float) -> float:
            return a + b
        """,
        4,
        "comp.func_to_container_op",
        "kfp.components.func_to_container_op",
        id="kfp.components.func_to_container_op",
    ),
    pytest.param(
        """
        from kfp.components import func_to_container_op
        """,
        2,
        "func_to_container_op",
        "kfp.components.func_to_container_op",
        id="from-kfp.components-import",
    ),
    pytest.param(
        """
        import kfp

        def add(a, b):
            return a + b

        add_op = kfp.components.create_component_from_func(add)
        """,
        7,
        "kfp.components.create_component_from_func",
        "kfp.components.create_component_from_func",
        id="create_component_from_func",
    ),
]


@pytest.mark.parametrize(("source", "line", "written", "qualified"), V1_SOURCES)
def test_each_v1_name_is_found_where_it_is_written(
    source: str, line: int, written: str, qualified: str
) -> None:
    use = kfp_v1.first_use(textwrap.dedent(source))
    assert use == kfp_v1.V1Use(line, written, qualified)
    assert use.message.startswith(f"{written} is KFP v1, removed in kfp 2; ")


def test_the_first_use_is_the_one_reported() -> None:
    source = textwrap.dedent(
        """
        from kfp import dsl

        @dsl.pipeline(name="p")
        def p():
            a = dsl.ContainerOp(name="a", image="busybox")
            b = dsl.ContainerOp(name="b", image="busybox")
            b.after(a)
        """
    )
    assert [use.line for use in kfp_v1.uses(source)] == [6, 7]
    assert kfp_v1.first_use(source) == kfp_v1.V1Use(6, "dsl.ContainerOp", "kfp.dsl.ContainerOp")


def test_the_message_names_the_v2_replacement() -> None:
    op = kfp_v1.V1Use(3, "dsl.ContainerOp", "kfp.dsl.ContainerOp").message
    assert "@dsl.container_component" in op
    assert "dsl.ContainerSpec(image=..., command=..., args=...)" in op
    assert "@dsl.component" in op
    func = kfp_v1.V1Use(3, "func_to_container_op", "kfp.components.func_to_container_op")
    assert "@dsl.component" in func.message
    volume = kfp_v1.V1Use(3, "dsl.VolumeOp", "kfp.dsl.VolumeOp").message
    assert "kfp-kubernetes" in volume and "@dsl.container_component" in volume
    assert "\n" not in op + func.message + volume


V2_PIPELINE = """
from kfp import dsl
from kfp.dsl import ContainerSpec, Output, Metrics


@dsl.container_component
def preprocess(data: str):
    return dsl.ContainerSpec(image="python:3.11", command=["python", "prep.py"], args=[data])


@dsl.component(base_image="python:3.11")
def train(epochs: int, metrics: Output[Metrics]) -> float:
    return 0.9


@dsl.pipeline(name="ml", description="v2")
def ml_pipeline(epochs: int = 3):
    prep = preprocess(data="raw")
    model = train(epochs=epochs).after(prep)
    ContainerSpec(image="unused")
"""


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(V2_PIPELINE, id="a-v2-pipeline"),
        pytest.param(
            "class ContainerOp:\n    pass\n\nop = ContainerOp()\n", id="a-ContainerOp-of-its-own"
        ),
        pytest.param("from mylib import dsl\nop = dsl.ContainerOp()\n", id="another-dsl"),
        pytest.param("import kfp\nkfp.dsl.container_component\n", id="kfp-v2-names"),
        pytest.param("from kfp import dsl\ndsl.ContainerOp(\n", id="not-python"),
        pytest.param(b"\xff\xfe\x00", id="not-text"),
    ],
)
def test_no_v1_use_in_v2_code(source: str | bytes) -> None:
    assert kfp_v1.uses(source) == []


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (AttributeError("module 'kfp.dsl' has no attribute 'ContainerOp'"), True),
        (ImportError("cannot import name 'func_to_container_op' from 'kfp.components'"), True),
        (AttributeError("module 'kfp.dsl' has no attribute 'Foo'"), False),
        (ValueError("'ContainerOp' is bad"), False),
        (ModuleNotFoundError("No module named 'pandas'"), False),
    ],
)
def test_only_an_import_error_about_a_v1_name_is_explained(
    exc: BaseException, expected: bool
) -> None:
    assert kfp_v1.explains(exc) is expected
