"""A run form's fields are checked by type before the run is asked for, each error naming
the field and what it expects."""

from __future__ import annotations

import pytest

from tui.core.form_values import input_error, param_error


@pytest.mark.parametrize(
    ("ir_type", "text", "expected"),
    [
        ("NUMBER_INTEGER", "3", ""),
        ("NUMBER_INTEGER", "-2", ""),
        ("NUMBER_INTEGER", "1.5", "epochs: an int, such as 3 (not '1.5')"),
        ("NUMBER_DOUBLE", "0.5", ""),
        ("NUMBER_DOUBLE", "1e-3", ""),
        ("NUMBER_DOUBLE", "fast", "epochs: a float, such as 0.5 (not 'fast')"),
        ("BOOLEAN", "true", ""),
        ("BOOLEAN", "yes", "epochs: true or false (not 'yes')"),
        ("LIST", "[1, 2]", ""),
        ("LIST", '{"a": 1}', "epochs: a JSON list, such as [1, 2] (not '{\"a\": 1}')"),
        ("STRUCT", '{"a": 1}', ""),
        ("STRUCT", "[1]", "epochs: a JSON object, {\"k\": 1} (not '[1]')"),
        ("STRING", "anything at all", ""),
    ],
)
def test_a_parameter_by_its_type(ir_type: str, text: str, expected: str) -> None:
    assert param_error("epochs", ir_type, text, required=False) == expected


def test_empty_keeps_the_default_unless_required() -> None:
    assert param_error("lr", "NUMBER_DOUBLE", "", required=False) == ""
    assert (
        param_error("lr", "NUMBER_DOUBLE", "", required=True)
        == "lr: required (a value of its type)"
    )
    assert input_error("tag", "string", "", required=True) == "input tag: required"
    assert input_error("n", "number", "ten", required=False) == "input n: a number (not 'ten')"
    assert input_error("n", "number", "10", required=False) == ""
