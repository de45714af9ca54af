"""One difference between a local run and the real service."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Item:
    """``what`` will differ at ``node_id`` ('' for the whole run), ``why`` it matters on the
    real service, and ``fix``: what to do if it does."""

    node_id: str
    what: str
    why: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def node_of(nodes: list[str]) -> tuple[str, str]:
    """An item's node for what concerns ``nodes``: the node itself when there is one, else
    '' (the run), with the nodes named for the item's text (" (build, test)")."""
    unique = list(dict.fromkeys(nodes))
    if len(unique) == 1:
        return unique[0], ""
    return "", f" ({', '.join(unique)})" if unique else ""
