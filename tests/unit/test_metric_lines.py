from tui.core import metric_lines
from tui.core.metric_lines import MetricLine


def test_a_metric_line_with_and_without_step() -> None:
    assert metric_lines.parse("::metric name=accuracy,step=3::0.93") == MetricLine(
        "accuracy", 0.93, 3
    )
    assert metric_lines.parse("  ::metric name=loss::1e-3 ") == MetricLine("loss", 0.001, None)


def test_other_lines_and_malformed_metrics_are_not_metrics() -> None:
    for text in (
        "accuracy=0.9",
        "::warning::careful",
        "::metric name=acc::high",
        "::metric step=2::0.5",
        "::metric name=acc,step=two::0.5",
        "::metric name=acc::nan",
    ):
        assert metric_lines.parse(text) is None, text
