"""A run's metrics as named series, for the metrics view and the CLI's summary: each series
named by its source (the side, or a stored run), its node and its metric; its first and last
value, its range, and its best value by one stated rule (``BEST_RULE``); integer ticks for
the steps it was reported at.

Read from the one fold (``RunState.metric_series``); nothing here folds events itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.core.run_state import PATH_SEPARATOR, RunState

# A metric is better lower when a word of its name is, or ends in, one of these.
LOWER_IS_BETTER = ("loss", "error", "mse", "rmse", "mae")
BEST_RULE = "best = max; min for names with a word ending in " + ", ".join(LOWER_IS_BETTER)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def lower_is_better(name: str) -> bool:
    """``val_loss``, ``trainLoss``, ``logloss``, ``rmse``: lower is better; ``accuracy``: not."""
    return any(word.lower().endswith(LOWER_IS_BETTER) for word in _WORDS.findall(name))


def number(value: float) -> str:
    """A metric value as the views print it: 4 significant digits."""
    return f"{value:.4g}"


@dataclass(frozen=True)
class Series:
    """One metric of one node of one run, its values in the order reported."""

    source: str  # "pipeline", "workflow", or a stored run ("pipeline 981c")
    node_id: str
    node: str  # the node's path (``job › step``), as the CLI prefixes its lines
    name: str
    values: tuple[float, ...]
    steps: tuple[int | None, ...]

    @property
    def key(self) -> str:
        return f"{self.source}:{self.node_id}/{self.name}"

    @property
    def label(self) -> str:
        """``pipeline › train › accuracy``."""
        parts = [self.source, self.node, self.name] if self.node else [self.source, self.name]
        return PATH_SEPARATOR.join(parts)

    @property
    def first(self) -> float:
        return self.values[0]

    @property
    def last(self) -> float:
        return self.values[-1]

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def lower_is_better(self) -> bool:
        return lower_is_better(self.name)

    @property
    def best(self) -> tuple[float, int | None]:
        """The best value by ``BEST_RULE`` and the step it was reported at (the first such)."""
        pick = min if self.lower_is_better else max
        value = pick(self.values)
        return value, self.steps[self.values.index(value)]

    @property
    def points(self) -> list[tuple[int, float]]:
        """The stepped values, by step (the last value reported at a step counts)."""
        by_step = {s: v for s, v in zip(self.steps, self.values, strict=True) if s is not None}
        return sorted(by_step.items())

    @property
    def plottable(self) -> bool:
        return len(self.points) > 1

    def summary(self) -> str:
        """``first → last (min…max)``; a lone value alone."""
        if len(self.values) == 1:
            return number(self.first)
        ends = f"{number(self.first)} → {number(self.last)}"
        return f"{ends} ({number(self.low)}…{number(self.high)})"

    def best_text(self) -> str:
        value, step = self.best
        rule = "min" if self.lower_is_better else "max"
        where = f" @{step}" if step is not None and len(self.values) > 1 else ""
        return f"{number(value)} {rule}{where}"


def series_of(state: RunState, source: str) -> list[Series]:
    """Every (node, metric) of ``state`` as a series, in the order first reported."""
    out = []
    for (node_id, name), metrics in state.metric_series().items():
        out.append(
            Series(
                source=source,
                node_id=node_id,
                node=state.path(node_id) if node_id else "",
                name=name,
                values=tuple(m.value for m in metrics),
                steps=tuple(m.step for m in metrics),
            )
        )
    return out


def same_metric(chosen: Series, pool: Iterable[Series]) -> list[Series]:
    """``chosen`` and the series of the same metric elsewhere (another side, a stored run):
    what the view overlays. Only those with points to draw."""
    return [s for s in pool if s.name == chosen.name and s.plottable]


NICE = (1, 2, 5)


def step_ticks(steps: Sequence[int], most: int) -> list[int]:
    """Integer ticks over ``steps``: at multiples of 1, 2, 5, 10, 20, 50… — the smallest unit
    that gives at most ``most`` ticks (at least one tick, the first step, always)."""
    if not steps:
        return []
    low, high = min(steps), max(steps)
    most = max(most, 2)
    span = high - low
    unit = 1
    for power in range(0, 19):
        unit = next((n * 10**power for n in NICE if span // (n * 10**power) + 1 <= most), 0)
        if unit:
            break
    first = math.ceil(low / unit) * unit
    ticks = list(range(first, high + 1, unit))
    return ticks or [low]
