"""A long server value (a 1 MB note, a big JSON object) to read: cleaned once, drawn a screen at a time.

Rich would wrap the whole text on every repaint of a ``Static``; this widget splits the cleaned text into
lines once and draws only the rows on screen (Textual's line API), so a megabyte scrolls as fast as a page.
Long lines are not wrapped: they scroll sideways (left/right), so what is drawn is always the value as is.
"""

from __future__ import annotations

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

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = clean(text, multiline=True).split("\n")
        # Width in characters: control characters are escapes (ASCII) by now; wide characters may draw
        # wider, which only leaves a little of the longest line to the right of the scroll range.
        self.virtual_size = Size(max((len(line) for line in self.lines), default=0), len(self.lines))

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

    def __init__(self, title: str, text: str) -> None:
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
