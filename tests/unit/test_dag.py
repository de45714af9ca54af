"""The DAG layout: layers by longest path, edges drawn with box-drawing characters, and the
topological order every view of a plan uses."""

from __future__ import annotations

import pytest

from tui.core.dag import DagCycle, Node, draw, layered_order, reduced, topological_order


def lines(nodes: list[Node]) -> list[str]:
    return list(draw(nodes).lines)


def test_a_chain_is_one_column_of_nodes_joined_by_lines() -> None:
    nodes = [Node("c", "c", ("b",)), Node("a", "a"), Node("b", "b", ("a",))]
    assert lines(nodes) == ["a", "│", "b", "│", "c"]
    assert draw(nodes).order == ("a", "b", "c")


def test_a_diamond_splits_under_its_top_and_joins_over_its_bottom() -> None:
    nodes = [
        Node("top", "top"),
        Node("left", "left", ("top",)),
        Node("right", "right", ("top",)),
        Node("bottom", "bottom", ("left", "right")),
    ]
    assert lines(nodes) == [
        "    top",
        " ╭───┴───╮",
        "left   right",
        " ╰───┬───╯",
        "   bottom",
    ]
    drawing = draw(nodes)
    assert drawing.layers == (("top",), ("left", "right"), ("bottom",))
    place = drawing.places["right"]
    assert drawing.lines[place.row][place.col : place.col + place.width] == "right"


def test_a_fan_out_gives_each_child_its_own_branch() -> None:
    nodes = [Node("a", "a"), *(Node(c, c, ("a",)) for c in "bcde")]
    assert lines(nodes) == ["      a", "╭───┬─┴─┬───╮", "b   c   d   e"]


def test_an_edge_implied_by_another_path_is_left_out_but_still_counts_for_layers() -> None:
    nodes = [Node("a", "a"), Node("b", "b", ("a",)), Node("c", "c", ("a", "b"))]
    assert lines(nodes) == ["a", "│", "b", "│", "c"]
    assert reduced(["a", "b", "c"], {"b": ["a"], "c": ["a", "b"]}) == {
        "a": [],
        "b": ["a"],
        "c": ["b"],
    }
    full = draw(nodes, reduce=False)
    assert full.layers == (("a",), ("b",), ("c",))
    assert any("╮" in line or "╭" in line for line in full.lines)  # a's line to c, round b


def test_a_long_edge_passes_through_the_layers_between() -> None:
    nodes = [
        Node("a", "a"),
        Node("x", "x"),
        Node("b", "b", ("a",)),
        Node("c", "c", ("b", "x")),
    ]
    drawing = draw(nodes)
    assert drawing.layers == (("a", "x"), ("b",), ("c",))
    x_col = drawing.places["x"].col
    assert drawing.lines[2][x_col] == "│"  # x's edge to c, through b's layer


def test_a_crossing_is_drawn_over_and_a_junction_joined() -> None:
    from tui.core.dag_canvas import Canvas, E, N, S, W

    canvas = Canvas()
    canvas.join(0, 1, N | S, frozenset({"p"}))  # p's line down, passing
    canvas.join(0, 1, E | W, frozenset({"q", "r"}))  # q's run to r, passing
    canvas.join(0, 3, N | S, frozenset({"c"}))  # a line into c
    canvas.join(0, 3, E | W, frozenset({"q", "r"}))
    canvas.join(0, 3, S | W, frozenset({"x", "c"}))  # x's run ends there, turning into c
    assert canvas.glyph(0, 1) == "│"
    assert canvas.glyph(0, 3) == "┼"


def test_fan_in_from_two_rows_of_parents_stays_apart() -> None:
    nodes = [
        Node("l", "left"),
        Node("m", "mid"),
        Node("r", "right"),
        Node("y", "y", ("r",)),
        Node("z", "z", ("l",)),
        Node("w", "w", ("m", "l")),
    ]
    assert lines(nodes) == [
        "left   mid   right",
        " ├───╮  │      │",
        " │   ├──╯      │",
        " z   w         y",
    ]


def test_ties_keep_the_order_given_and_layers_come_first() -> None:
    needs = {"deploy": ["test"], "test": ["build"], "docs": []}
    assert topological_order(["deploy", "test", "build", "docs"], needs) == [
        "build",
        "test",
        "deploy",
        "docs",
    ]
    assert layered_order(["deploy", "test", "build", "docs"], needs) == [
        "build",
        "docs",
        "test",
        "deploy",
    ]
    assert layered_order(["zeta", "alpha", "late"], {"late": ["zeta"]}) == ["zeta", "alpha", "late"]


def test_a_needs_cycle_is_a_clear_error_not_a_hang() -> None:
    nodes = [Node("a", "a", ("c",)), Node("b", "b", ("a",)), Node("c", "c", ("b",)), Node("z", "z")]
    with pytest.raises(DagCycle) as caught:
        draw(nodes)
    assert caught.value.message == "a needs cycle: a → c → b → a (each needs the next)"
    with pytest.raises(DagCycle, match="a → a"):
        topological_order(["a"], {"a": ["a"]})


def test_needs_naming_no_node_are_ignored_and_wide_labels_take_two_cells() -> None:
    drawing = draw([Node("a", "训练"), Node("b", "b", ("a", "gone"))])
    assert drawing.places["a"].width == 4
    assert drawing.lines == ("训练", " │", " b")
