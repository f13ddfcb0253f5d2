"""The key footer of every screen: one line of text — each key and what it does — redrawn when they change.

Textual's Footer is a scrolling container with a widget per key; it rebuilds them all (mount, style, and
each key styled again for the compact look) after every bindings update — a focus change, a screen resume,
a ``refresh_bindings`` — whether or not anything it shows changed. That was the largest part of the first
paint after the imports (issue 15), and a share of every repaint after a key. The keys are not clickable
here (isptui is keyboard-first; PRODUCT.md "no mouse"), so one widget drawing one line does the same job:
an update that changes nothing draws nothing, and a change is one repaint of one line, no mount.

It reads what Textual's Footer reads — the screen's active bindings with ``show`` set, one per action, in
order, the command palette's key last and on the right — and draws with the same theme variables
(``$footer-key-foreground``, ``$footer-description-foreground``, …), so themes colour it the same way.
A disabled key is dimmed. Keys that do not fit in the width are left out whole, never cut in the middle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


class FooterEntry(NamedTuple):
    """One key as shown: the key name, how it is displayed, what it does, and whether it can be used now."""

    key: str
    display: str
    description: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    """The screen's keys on one line (module docstring)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__()
        self.compact = compact
        """Compact: ``key description`` with one space between keys; otherwise `` key description ``."""
        self.show_command_palette = show_command_palette
        self.entries: tuple[FooterEntry, ...] = ()
        """The keys shown now, in order (the command palette's last)."""
        self.palette: FooterEntry | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self._read(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen and self._read(screen):
            self.refresh()

    def _read(self, screen: Screen[object]) -> bool:
        """Take the screen's keys; True when they differ from those shown."""
        app = self.app
        by_action: dict[str, FooterEntry] = {}
        palette: FooterEntry | None = None
        show_palette = self.show_command_palette and app.ENABLE_COMMAND_PALETTE
        for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
            entry = FooterEntry(binding.key, app.get_key_display(binding), binding.description, enabled)
            if show_palette and key == app.COMMAND_PALETTE_BINDING:
                palette = entry
            elif binding.show and binding.action not in by_action:
                by_action[binding.action] = entry  # one key per action, the first bound (as Textual's Footer)
        entries = tuple(by_action.values())
        if (entries, palette) == (self.entries, self.palette):
            return False
        self.entries, self.palette = entries, palette
        return True

    @property
    def keys(self) -> list[str]:
        """The keys shown, in order, the command palette's last."""
        return [e.key for e in self.entries] + ([self.palette.key] if self.palette else [])

    def _piece(self, entry: FooterEntry, key_style: Style, description_style: Style) -> Text:
        dim = Style(dim=True) if not entry.enabled else Style()
        if self.compact:
            piece = Text.assemble((entry.display, key_style + dim), (f" {entry.description}", description_style + dim))
        else:
            piece = Text.assemble((f" {entry.display} ", key_style + dim),
                                  (f"{entry.description} ", description_style + dim))
        return piece

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        width = self.size.width
        gap = " " if self.compact else ""
        palette = self._piece(self.palette, key_style, description_style) if self.palette else Text()
        room = width - (palette.cell_len + 2 if self.palette else 0)
        line = Text(no_wrap=True, overflow="crop", end="")
        for entry in self.entries:
            piece = self._piece(entry, key_style, description_style)
            if line.cell_len + len(gap) + piece.cell_len > room:
                break  # a key is shown whole or not at all
            if line.cell_len and gap:
                line.append(gap)
            line.append_text(piece)
        if self.palette:
            line.append(" " * max(0, width - line.cell_len - palette.cell_len - 1))
            line.append("▏", Style(dim=True))  # the bar Textual's Footer draws before the palette's key
            line.append_text(palette)
        return line
