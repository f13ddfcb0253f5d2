"""The key footer of every screen: Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer rebuilds all its keys after every bindings update (a focus change, a screen resume, a
``refresh_bindings``), one rebuild per update even when several come in one frame and when nothing it
shows changed; each rebuild mounts and styles a widget per key, and each key then restyles itself once
more to take the footer's compact style. At start-up that was the largest part of the first paint after
the imports (issue 15). This footer shows the same keys, the same way, but:

- its keys are composed with it, not after the screen's first bindings update (which then changes nothing);
- updates arriving before the rebuild runs share one rebuild;
- a rebuild happens only when what is shown (key, label, action, enabled, tooltip, group) changed;
- each key is created with the footer's compact style already set, so it is styled once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class KeyFooter(Footer):
    """Textual's Footer without the redundant rebuilds (module docstring)."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._shown: tuple[object, ...] | None = None
        """What the last rebuild showed (see ``_showing``); None before the first."""
        self._pending = False

    def compose(self) -> ComposeResult:
        # The keys are shown from the first compose (Textual's Footer waits for the screen's first bindings
        # update, then builds them all again); that update then finds them shown and changes nothing.
        self.set_reactive(Footer._bindings_ready, True)
        self._shown = self._showing()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Born in its final style, so it is styled once: a key bound to the footer's compact
                # (every key but the command palette's) ends as the footer; an unbound one keeps the
                # FooterKey default (compact), as in Textual's Footer.
                bound = "compact" in (widget._reactive_connect or {})
                compact = self.compact if bound else FooterKey.compact._default
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    def _showing(self) -> tuple[object, ...]:
        """Everything compose reads from the screen's bindings, in order."""
        app = self.app
        palette = self.show_command_palette and app.ENABLE_COMMAND_PALETTE
        return (palette, tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled,
             tooltip, binding.tooltip, binding.show, binding.group, key == app.COMMAND_PALETTE_BINDING)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or (palette and key == app.COMMAND_PALETTE_BINDING)))

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached or self._showing() == self._shown:
            return
        await self.recompose()
