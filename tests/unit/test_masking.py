from tui.core import events as ev
from tui.core.masking import Masker


def test_masks_every_string_field_of_an_event() -> None:
    masker = Masker(["s3cr3t"])
    event = ev.NodeStarted(
        run_id="r", node_id="j/1", name="echo s3cr3t", kind="step", matrix={"k": "s3cr3t"}
    )
    masked = masker.event(event)
    assert masked.name == "echo ***"
    assert masked.matrix == {"k": "***"}


def test_longest_value_first_and_each_line() -> None:
    masker = Masker(["abc", "abcdef", "line1\nline2"])
    assert masker.text("abcdef abc line2") == "*** *** ***"


def test_added_values_apply_from_then_on() -> None:
    masker = Masker()
    assert masker.text("pw") == "pw"
    masker.add("pw")
    assert masker.text("the pw") == "the ***"


def test_blank_values_are_not_masked() -> None:
    assert Masker(["", "  "]).text("a b") == "a b"
