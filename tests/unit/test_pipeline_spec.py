"""Compiled pipeline specs read as data: parameters, the task tree, packages; --param values."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from tui.core.errors import BadInput
from tui.core.pipelines.command import pip_requirements, without_pip_prefix
from tui.core.pipelines.spec import Param, PipelineSpec, coerce_params, load_spec

BRANCHES = FIXTURES / "pipelines" / "compiled" / "branches.yaml"
PREFIX = (
    '\nif ! [ -x "$(command -v pip)" ]; then\n    python3 -m ensurepip || python3 -m ensurepip'
    " --user || apt-get install python3-pip\nfi\n\nPIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip"
    " install --quiet --no-warn-script-location --index-url https://mirror.example/simple"
    " --trusted-host mirror.example 'kfp==2.17.3' '--no-deps' 'typing-extensions>=3.7.4,<5;"
    ' python_version<"3.9"\' && python3 -m pip install --quiet --no-warn-script-location'
    " 'pandas==2.2.0' 'scikit-learn' && \"$0\" \"$@\"\n"
)
COMMAND = ["sh", "-c", PREFIX, "sh", "-ec", "program_path=$(mktemp -d)", "def f(): pass"]


def test_the_task_tree_of_if_else() -> None:
    spec = load_spec(BRANCHES)
    assert spec.name == "branches"
    assert [(p.name, p.type_name, p.default_text()) for p in spec.params] == [
        ("threshold", "int", "7")
    ]
    nodes = {n.id: n for n in spec.nodes()}
    assert set(nodes) == {
        "decide",
        "condition-branches-1",
        "condition-branches-1/condition-2",
        "condition-branches-1/condition-2/say",
        "condition-branches-1/condition-3",
        "condition-branches-1/condition-3/say-2",
    }
    assert nodes["condition-branches-1"].kind == "group"
    assert nodes["condition-branches-1"].needs == ("decide",)
    assert "> 5" in nodes["condition-branches-1/condition-2"].condition
    assert nodes["condition-branches-1/condition-3/say-2"].kind == "task"


def test_packages_and_index_options_come_from_the_install_prefix() -> None:
    reqs = pip_requirements(COMMAND)
    assert reqs.packages == (
        'typing-extensions>=3.7.4,<5; python_version<"3.9"',
        "pandas==2.2.0",
        "scikit-learn",
    )
    assert reqs.options == (
        "--index-url",
        "https://mirror.example/simple",
        "--trusted-host",
        "mirror.example",
    )


def test_the_install_prefix_can_be_dropped() -> None:
    assert without_pip_prefix(COMMAND) == COMMAND[3:]
    assert without_pip_prefix(["python3", "-m", "x"]) is None
    assert pip_requirements(["python3", "-m", "x"]).packages == ()


SPEC = PipelineSpec(
    name="p",
    params=(
        Param("n", "NUMBER_INTEGER"),
        Param("rate", "NUMBER_DOUBLE", 0.5, has_default=True),
        Param("flag", "BOOLEAN", False, has_default=True),
        Param("names", "LIST", [], has_default=True),
        Param("conf", "STRUCT", optional=True),
        Param("label", "STRING", "x", has_default=True),
    ),
    tasks=(),
)


def test_params_are_coerced_to_their_declared_types() -> None:
    given = {"n": "3", "rate": "1e-3", "flag": "yes", "names": '["a"]', "conf": '{"k": 1}'}
    assert coerce_params(SPEC, {**given, "label": "7"}, "p.py:3") == {
        "n": 3,
        "rate": 0.001,
        "flag": True,
        "names": ["a"],
        "conf": {"k": 1},
        "label": "7",
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "p.py:3: missing required parameter 'n' (int); give --param n=VALUE"),
        ({"n": "1.5"}, "p.py:3: --param n='1.5': expected an integer"),
        ({"n": "1", "rate": "fast"}, "--param rate='fast': expected a number"),
        ({"n": "1", "flag": "maybe"}, "--param flag='maybe': expected true or false"),
        ({"n": "1", "names": "a,b"}, "--param names='a,b': expected a JSON list"),
        ({"n": "1", "conf": "[1]"}, "--param conf='[1]': expected a JSON object"),
        ({"n": "1", "other": "1"}, "p.py:3: unknown parameter 'other' (parameters: n, rate,"),
    ],
)
def test_bad_params_are_one_line_errors(given: dict[str, str], message: str) -> None:
    with pytest.raises(BadInput) as caught:
        coerce_params(SPEC, given, "p.py:3")
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_a_file_that_is_not_a_pipeline_spec(tmp_path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("a: 1\n")
    with pytest.raises(BadInput, match="not a compiled KFP pipeline"):
        load_spec(path)
    path.write_text("a: [1\n")
    with pytest.raises(BadInput, match=r"other.yaml:\d+: not valid YAML"):
        load_spec(path)
