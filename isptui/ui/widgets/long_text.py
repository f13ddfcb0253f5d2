"""A long server value (a 1 MB note, a big JSON object) to read: cleaned once, drawn a screen at a time.

Rich would wrap the whole text on every repaint of a ``Static``; this widget splits the cleaned text into
lines once and draws only the rows on screen (Textual's line API), so a megabyte scrolls as fast as a page.
Long lines are not wrapped: they scroll sideways (left/right), so what is drawn is always the value as is.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Label

from isptui.text import clean
from isptui.ui.screens.dialogs import DIALOG_CSS, Dialog

CHUNK = 32 * 1024
"""Characters cleaned per step of the event loop (~5 ms for text dense with control characters)."""


LONG_JSON = 64 * 1024
"""Compact JSON longer than this (characters) is written out off the loop: the raw view, copy as JSON."""

COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
"""Compact JSON as the record view shows it. Its ``iterencode`` writes a value piece by piece in Python (the
C encoder is used only for a whole value at once), so a caller may stop early, and a thread doing it lets the
event loop run between pieces."""


def json_head(value: Any, limit: int) -> tuple[str, bool]:
    """The first ``limit`` characters of ``value``'s compact JSON and whether there is more (cost ~ limit)."""
    taken: list[str] = []
    used = 0
    for chunk in COMPACT.iterencode(value):
        taken.append(chunk)
        used += len(chunk)
        if used > limit:
            return "".join(taken)[:limit], True
    return "".join(taken), False


def json_longer_than(value: Any, limit: int) -> bool:
    """Whether ``value`` written as JSON would be longer than about ``limit`` characters: a walk that stops
    as soon as it has seen that much (strings and keys counted by length, other scalars as a few), so a
    megabyte object costs about what ``limit`` characters of it do, with no JSON written out."""
    seen = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            seen += len(item) + 3
        elif isinstance(item, dict):
            seen += 2 + len(item)
            for key, inner in item.items():
                seen += len(str(key)) + 3
                stack.append(inner)
        elif isinstance(item, list | tuple):
            seen += 2 + len(item)
            stack.extend(item)
        else:
            seen += 5
        if seen > limit:
            return True
    return False


class LongText(ScrollView, can_focus=True):
    """Read-only text drawn by rows: ``clean`` runs once on the whole value, each repaint cuts a few rows."""

    DEFAULT_CSS = """
    LongText { height: 1fr; background: $surface; }
    """
    BINDINGS = [
        Binding("up", "scroll_up", show=False), Binding("down", "scroll_down", show=False),
        Binding("left", "scroll_left", show=False), Binding("right", "scroll_right", show=False),
        Binding("pageup", "page_up", show=False), Binding("pagedown", "page_down", show=False),
        Binding("home", "scroll_home", show=False), Binding("end", "scroll_end", show=False),
    ]

    def __init__(self, text: str | Callable[[], str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = text
        self.lines: list[str] = ["(preparing…)"]
        self.ready = False

    def on_mount(self) -> None:
        self.run_worker(self._prepare, exclusive=True, group="long-text")

    async def _prepare(self) -> None:
        """Clean the text a slice at a time (``clean`` on a megabyte of control characters takes ~0.2 s),
        letting the loop run between slices; text made by a function (JSON) is made in a thread."""
        source = self.source
        text = await asyncio.to_thread(source) if callable(source) else source
        parts: list[str] = []
        for start in range(0, len(text), CHUNK):
            # clean maps each character on its own, so slices cleaned apart join to the whole cleaned.
            parts.append(clean(text[start: start + CHUNK], multiline=True))
            await asyncio.sleep(0)
        cleaned = "".join(parts)
        await asyncio.sleep(0)
        self.lines = cleaned.split("\n")
        # Width in characters: control characters are escapes (ASCII) by now; wide characters may draw
        # wider, which only leaves a little of the longest line to the right of the scroll range.
        width = 0
        for start in range(0, len(self.lines), 20_000):
            width = max(width, max(map(len, self.lines[start: start + 20_000])))
            await asyncio.sleep(0)
        self.virtual_size = Size(width, len(self.lines))
        self.ready = True
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        if row >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        line = self.lines[row][scroll_x: scroll_x + width]
        return Strip([Segment(line, self.rich_style or Style())]).adjust_cell_length(width, self.rich_style)


class LongValueScreen(Dialog[None]):
    """Enter on a long field of the record view: the whole value, scrollable; Escape closes."""

    DEFAULT_CSS = DIALOG_CSS + """
    LongValueScreen .dialog { width: 100%; height: 100%; }
    """
    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, title: str, text: str | Callable[[], str]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(clean(self.title_text), classes="title", markup=False)
            yield LongText(self.text, id="long-value")

    def on_mount(self) -> None:
        self.query_one(LongText).focus()

    def action_close(self) -> None:
        self.dismiss(None)
