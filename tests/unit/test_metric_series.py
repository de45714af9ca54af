"""A run's metrics as named series: first → last, the range, the best by the stated rule,
integer ticks for integer steps; and the CLI's summary reads ``first → last (min…max)``."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tui.cli.render import RunView
from tui.core import events as ev
from tui.core.metric_series import (
    BEST_RULE,
    lower_is_better,
    same_metric,
    series_of,
    step_ticks,
)
from tui.core.run_state import RunState


def run(*metrics: tuple[str, str, float, int | None]) -> RunState:
    state = RunState("pipeline")
    state.apply(ev.NodeStarted(run_id="r", node_id="train", name="train", kind="task"))
    for node, name, value, step in metrics:
        state.apply(ev.Metric(run_id="r", name=name, value=value, step=step, node_id=node))
    return state


@pytest.mark.parametrize(
    ("name", "lower"),
    [
        ("loss", True),
        ("val_loss", True),
        ("trainLoss", True),
        ("logloss", True),
        ("test_error", True),
        ("RMSE", True),
        ("val-mae", True),
        ("mse", True),
        ("accuracy", False),
        ("f1_score", False),
        ("auc", False),
        ("lossless_ratio", False),  # a word that only starts with loss
    ],
)
def test_which_names_are_better_lower(name: str, lower: bool) -> None:
    assert lower_is_better(name) is lower


def test_the_rule_is_stated_with_the_words_it_uses() -> None:
    assert BEST_RULE.startswith("best = max; min for names")
    for word in ("loss", "error", "mse", "rmse", "mae"):
        assert word in BEST_RULE


def test_first_last_range_and_best_of_a_rising_and_a_falling_series() -> None:
    state = run(
        ("train", "accuracy", 0.5, 1),
        ("train", "loss", 0.9, 1),
        ("train", "accuracy", 0.8, 2),
        ("train", "loss", 0.3, 2),
        ("train", "accuracy", 0.7, 3),  # worse at the end: last is not best
        ("train", "loss", 0.4, 3),
    )
    accuracy, loss = series_of(state, "pipeline")
    assert accuracy.label == "pipeline › train › accuracy"
    assert (accuracy.first, accuracy.last, accuracy.low, accuracy.high) == (0.5, 0.7, 0.5, 0.8)
    assert accuracy.best == (0.8, 2)
    assert accuracy.summary() == "0.5 → 0.7 (0.5…0.8)"
    assert accuracy.best_text() == "0.8 max @2"
    assert loss.best == (0.3, 2)
    assert loss.best_text() == "0.3 min @2"
    assert loss.points == [(1, 0.9), (2, 0.3), (3, 0.4)]


def test_a_lone_value_is_its_own_summary_and_is_not_plotted() -> None:
    (drift,) = series_of(run(("", "drift", 0.21406, None)), "pipeline")
    assert drift.label == "pipeline › drift"
    assert drift.summary() == "0.2141"
    assert drift.best_text() == "0.2141 max"
    assert not drift.plottable


def test_the_same_metric_of_the_other_side_overlays_the_chosen_one() -> None:
    pipeline = series_of(
        run(("train", "accuracy", 0.5, 1), ("train", "accuracy", 0.6, 2)), "pipeline"
    )
    workflow = series_of(
        run(("Train", "accuracy", 0.4, 1), ("Train", "accuracy", 0.7, 2), ("Train", "loss", 1, 1)),
        "workflow",
    )
    chosen = pipeline[0]
    overlaid = same_metric(chosen, workflow)
    assert [s.label for s in overlaid] == ["workflow › Train › accuracy"]


@pytest.mark.parametrize(
    ("steps", "most", "ticks"),
    [
        (list(range(1, 11)), 10, list(range(1, 11))),
        (list(range(1, 11)), 4, [5, 10]),
        (list(range(1, 21)), 8, [5, 10, 15, 20]),
        (list(range(0, 13)), 7, [0, 2, 4, 6, 8, 10, 12]),
        (list(range(1, 1001)), 6, [200, 400, 600, 800, 1000]),
        ([3, 3], 5, [3]),
        ([], 5, []),
    ],
)
def test_ticks_of_integer_steps_are_integers(steps: list[int], most: int, ticks: list[int]) -> None:
    got = step_ticks(steps, most)
    assert got == ticks
    assert all(isinstance(t, int) for t in got)
    assert len(got) <= max(most, 2)


def test_the_cli_summary_says_first_then_last_then_the_range() -> None:
    state = run(
        ("train", "accuracy", 0.9778, 1),
        ("train", "accuracy", 0.9333, 2),
        ("train", "accuracy", 0.9556, 3),
    )
    out = io.StringIO()
    view = RunView(Console(file=out, width=120, color_system=None), live=False, echo=False)
    view.state = state
    view.console.print(view.metrics_table())
    text = out.getvalue()
    assert "0.9778 → 0.9556 (0.9333…0.9778), 3 steps" in text
