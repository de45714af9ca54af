"""The house rules of DESIGN.md and STYLE.md that a file listing can check."""

from __future__ import annotations

from pathlib import Path

import tui

PACKAGE = Path(tui.__file__).parent
LIMIT = 400  # split a module before it grows past this (STYLE.md, 10)


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}


def test_each_side_is_a_package_of_its_own() -> None:
    top = {path.name for path in (PACKAGE / "core").glob("*.py")}
    assert not {name for name in top if name.startswith(("act_", "image", "docker"))}
    for side in ("workflows", "pipelines", "images", "cluster", "stack"):
        assert (PACKAGE / "core" / side / "__init__.py").is_file()
