"""``pipedeck migrate``'s rewrite (``tui.core.pipelines.migrate``): each common KFP v1 shape
becomes v2 source that parses, and what has no v2 form is listed and kept as a comment."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tui.core.errors import BadInput
from tui.core.pipelines.migrate import MARK, migrate

HEAD = "import kfp\nfrom kfp import dsl\n\n\n@dsl.pipeline(name='p')\n"


def converted(body: str, head: str = HEAD) -> tuple[str, list[str]]:
    done = migrate(head + textwrap.dedent(body).lstrip("\n"), "p.py")
    ast.parse(done.source)
    return done.source, [problem.where("p.py") for problem in done.problems]


def test_literal_arguments_stay_literal() -> None:
    source, problems = converted(
        """
        def p():
            op = dsl.ContainerOp(name='Make Data', image='python:3.11',
                                 command=['python', 'make.py'], arguments=['--n', '3'])
        """
    )
    assert problems == []
    assert "@dsl.container_component\ndef make_data():" in source
    assert "image='python:3.11'" in source
    assert "command=['python', 'make.py']" in source
    assert "args=['--n', '3']" in source
    assert "op = make_data()" in source
    assert "dsl.ContainerOp" not in source


def test_after_stays_after_on_the_v2_tasks() -> None:
    source, problems = converted(
        """
        def p():
            a = dsl.ContainerOp(name='a', image='alpine', command=['true'])
            b = dsl.ContainerOp(name='b', image='alpine', command=['true'])
            b.after(a)
        """
    )
    assert problems == []
    assert "a = a_2()" in source  # a component never shadows a task's variable
    assert "b = b_2()" in source
    assert "b.after(a)" in source


def test_an_output_passed_on_becomes_an_input_and_its_path_the_placeholder() -> None:
    source, problems = converted(
        """
        def p():
            prep = dsl.ContainerOp(name='prep', image='alpine', command=['sh', '-c'],
                                   arguments=['echo hi > /out.txt', '/out.txt'],
                                   file_outputs={'data': '/out.txt'})
            train = dsl.ContainerOp(name='train', image='alpine', command=['cat'],
                                    arguments=[prep.outputs['data'], prep.output])
        """
    )
    assert problems == []
    assert "def prep_2(data: dsl.OutputPath(str)):" in source
    assert "args=['echo hi > /out.txt', data]" in source  # the path element is the placeholder
    assert "def train_2(prep_2_data: str):" in source
    assert "args=[prep_2_data, prep_2_data]" in source  # .outputs['data'] and .output: one input
    assert "train = train_2(prep_2_data=prep.outputs['data'])" in source


def test_an_output_path_the_command_does_not_name_is_copied_by_sh() -> None:
    source, _ = converted(
        """
        def p():
            op = dsl.ContainerOp(name='t', image='alpine', command=['python', 't.py'],
                                 file_outputs={'model': '/model.pkl'})
        """
    )
    assert "cp -r /model.pkl" in source
    assert "command=[\n            'sh',\n            '-c'," in source


def test_a_pipeline_parameter_becomes_an_input_of_its_type() -> None:
    source, problems = converted(
        """
        def p(epochs=3, name: str = 'x'):
            op = dsl.ContainerOp(name='train', image='alpine', command=['echo'],
                                 arguments=['--epochs', epochs, f'--name={name}'])
        """
    )
    assert problems == []
    assert "def p(epochs: int = 3, name: str = 'x'):" in source  # kfp 2 needs annotations
    assert "def train(epochs: int, name: str):" in source
    assert "args=['--epochs', epochs, f'--name={name}']" in source
    assert "op = train(epochs=epochs, name=name)" in source


def test_a_volume_op_is_listed_and_kept_as_a_comment() -> None:
    source, problems = converted(
        """
        def p():
            vop = dsl.VolumeOp(name='v', resource_name='data', size='1Gi')
            op = dsl.ContainerOp(name='t', image='alpine', command=['ls'])
            op.after(vop)
            op.set_gpu_limit(1)
            op.add_node_selector_constraint('gpu', 'a100')
        """
    )
    assert [line.split(": could not convert: ")[0] for line in problems] == [
        "p.py:7", "p.py:9", "p.py:11"
    ]  # fmt: skip
    assert problems[0].startswith("p.py:7: could not convert: dsl.VolumeOp: volumes come from")
    assert "uses vop" in problems[1]
    assert f"    {MARK}dsl.VolumeOp" in source
    assert "    # vop = dsl.VolumeOp(name='v', resource_name='data', size='1Gi')" in source
    assert "    op.set_gpu_limit(1)" in source  # kfp 2 tasks have it


def test_a_condition_becomes_if_and_positional_pipeline_arguments_keywords() -> None:
    source, problems = converted(
        """
        @dsl.pipeline('p', 'a pipeline')
        def p():
            flip = dsl.ContainerOp(name='flip', image='alpine', command=['echo', 'heads'],
                                   file_outputs={'side': '/side'})
            with dsl.Condition(flip.outputs['side'] == 'heads'):
                dsl.ContainerOp(name='win', image='alpine', command=['true'])
        """,
        head="from kfp import dsl\n",
    )
    assert problems == []
    assert "@dsl.pipeline(name='p', description='a pipeline')" in source
    assert "with dsl.If(flip.outputs['side'] == 'heads'):" in source
    assert "        win()" in source


def test_v1_names_imported_directly_are_dropped_from_the_import() -> None:
    source, problems = converted(
        """
        from kfp.dsl import ContainerOp, pipeline


        @pipeline(name='p')
        def p():
            ContainerOp(name='a', image='alpine')
        """,
        head="",
    )
    assert problems == []
    assert "from kfp.dsl import pipeline\nfrom kfp import dsl" in source
    assert "    a()" in source


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("def (:\n", "p.py:1: not Python"),
        ("from kfp import dsl\n\n@dsl.pipeline(name='p')\ndef p():\n    pass\n", "no KFP v1"),
    ],
)
def test_bad_input_says_why(source: str, says: str) -> None:
    with pytest.raises(BadInput, match=says):
        migrate(source, "p.py")
