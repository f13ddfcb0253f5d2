"""What a user sees: the plain text of the current screen, line by line."""

from __future__ import annotations

from textual.app import App


def screen_text(app: App[object]) -> str:
    """The rendered screen (including modal dialogs and notifications) as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)
