"""The command palette (``ctrl+p``): pipedeck's own actions first — the screen's and the app's,
then those of pipedeck's widgets (the focused log pane's search…) — each with its key; then
Textual's system commands (theme, keys…); last the internals of Textual's widgets (``Cursor to
next ancestor``). Textual's provider sorts them all by name instead."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.binding import ActiveBinding, Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

if TYPE_CHECKING:
    from textual.app import App

PACKAGE = "tui."
REPLACED = {"Screenshot"}  # Textual's own saves to ~/Downloads; the app binds its own (S)


def own_actions(node: DOMNode) -> dict[str, int]:
    """The actions bound by ``node``'s classes that are pipedeck's (not Textual's), each with
    how far up the class tree it is bound (0: by the node's own class; a base's come later)."""
    out: dict[str, int] = {}
    for rank, cls in enumerate(type(node).__mro__):
        if cls.__module__.startswith(PACKAGE) and "BINDINGS" in vars(cls):
            for binding in vars(cls)["BINDINGS"]:
                out.setdefault(binding.action if isinstance(binding, Binding) else binding[1], rank)
    return out


def binding_commands(
    app: App[Any], screen: Screen[Any]
) -> tuple[list[SystemCommand], list[SystemCommand], list[SystemCommand]]:
    """The screen's bindings as commands: the screen's and the app's own (the screen's class's
    first, then its bases', then the app's), pipedeck's widgets', and Textual's widgets'; each
    action once."""
    top: list[tuple[tuple[bool, int], SystemCommand]] = []
    widgets: list[SystemCommand] = []
    internals: list[SystemCommand] = []
    seen: set[str] = set()
    owned: dict[int, dict[str, int]] = {}
    for key, active in screen.active_bindings.items():
        binding, node = active.binding, active.node
        if not binding.description or binding.action in seen or binding.system:
            continue
        seen.add(binding.action)
        mine = owned.setdefault(id(node), own_actions(node))
        command = SystemCommand(
            binding.description,
            f"{binding.action} — key {binding.key_display or key}",
            _runner(app, active),
        )
        if binding.action not in mine:
            internals.append(command)
        elif node is screen or node is app:
            top.append(((node is app, mine[binding.action]), command))
        else:
            widgets.append(command)
    top.sort(key=lambda ranked: ranked[0])  # stable: a class's keys stay in their order
    return [command for _rank, command in top], widgets, internals


def _runner(app: App[Any], active: ActiveBinding) -> Callable[[], object]:
    node, action = active.node, active.binding.action

    async def run() -> None:
        await app.run_action(action, node)

    return run


def ordered(
    app: App[Any], screen: Screen[Any], system: Iterable[SystemCommand]
) -> Iterator[SystemCommand]:
    """Every command in the palette's order; a system command whose title an own action has
    (Quit) or that the app replaces (Screenshot) is left out."""
    top, widgets, internals = binding_commands(app, screen)
    own = [*top, *widgets]
    titles = {command.title for command in own} | REPLACED
    yield from own
    yield from (command for command in system if command.title not in titles)
    yield from internals


class Commands(Provider):
    """The app's commands in :func:`ordered`'s order (Textual's provider sorts by name)."""

    async def discover(self) -> Hits:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
