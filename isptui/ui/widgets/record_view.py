"""One record: its fields (whole values, wrapped), then its links and actions, all reachable by keyboard."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from isptui.discovery._common import secret_name
from isptui.model import Action, Link, Record
from isptui.ui.text import clean, cut, safe_text, shown

NAME_WIDTH = 22
MASKED = "••••••••  (v reveals)"


PREVIEW_CHARS = 2000
"""A value longer than this (or of more than PREVIEW_LINES lines) is shown cut, with its size; Enter shows it."""
PREVIEW_LINES = 8
HEAD_CHARS = 400
"""How much of a cut value is shown: at most HEAD_LINES lines of its first HEAD_CHARS characters."""
HEAD_LINES = 4


def size_words(count: int) -> str:
    """A byte count as one would say it: ``812 B``, ``3.4 kB``, ``1.0 MB``."""
    if count < 1000:
        return f"{count} B"
    if count < 1000 * 1000:
        return f"{count / 1000:.1f} kB"
    return f"{count / (1 << 20):.1f} MB"


def long_value(value: object) -> str | None:
    """The whole value as shown (``shown``) when it is too long to draw in the record view, else None."""
    if isinstance(value, str) and len(value) <= PREVIEW_CHARS and value.count("\n") < PREVIEW_LINES:
        return None
    if not isinstance(value, str | dict | list):
        return None
    text = shown(value)
    if len(text) <= PREVIEW_CHARS and text.count("\n") < PREVIEW_LINES:
        return None
    return text


def preview_text(text: str) -> Text:
    """The head of a long value (cleaned: only the head, never the whole), then its size and how to see it."""
    head = text[:HEAD_CHARS]
    lines = head.split("\n")[:HEAD_LINES]
    shown_head = clean("\n".join(lines), multiline=True)
    size = len(text.encode("utf-8", "surrogatepass"))
    result = Text(shown_head)
    result.append(f"\n… ({size_words(size)}, press Enter to view)", style="dim italic")
    return result


def _field_line(name: str, value: object, width: int, *, masked: bool = False) -> Table:
    """Name, then the value wrapped in its own column (a hanging indent), so values line up.

    A long value (a 1 MB note, a big JSON object) is shown by its head and its size: the whole of it is
    drawn only on request (Enter), so a repaint never wraps a megabyte of text.
    """
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    if masked:
        value_text = Text(MASKED, style="dim")
    else:
        text = long_value(value)
        value_text = preview_text(text) if text is not None else safe_text(value, multiline=True)
    value_text.overflow = "fold"  # long tokens (URLs, JSON) break inside the column, not at column 0
    grid.add_row(Text(cut(clean(name), width), style="bold"), value_text)
    return grid


EXTERNAL_MARK = "↗ "
"""How an off-origin link is marked in the record view and the tree."""


class RecordView(OptionList):
    """Fields as lines, then ``→`` links and ``⚡`` actions; enter follows a link or runs an action."""

    DEFAULT_CSS = """
    RecordView, RecordView:focus { height: 1fr; border: none; background: $surface; }
    """
    BINDINGS = [Binding("v", "reveal", "Reveal", tooltip="Show or hide the secret on this line")]

    class LinkChosen(Message):
        """Enter on a link line."""

        def __init__(self, view: RecordView, link: Link) -> None:
            super().__init__()
            self.view = view
            self.link = link

    class ActionChosen(Message):
        """Enter on an action line."""

        def __init__(self, view: RecordView, action: Action) -> None:
            super().__init__()
            self.view = view
            self.action = action

    def __init__(self, record: Record, *, read_only: bool = False, id: str | None = None) -> None:
        self.record = record
        self.actions = [a for a in record.actions if not (read_only and a.writes)]
        """The ⚡ lines: under read-only, actions that write are not offered at all."""
        self.revealed: set[str] = set()
        """Secret-looking fields the user has chosen to see (``v``); all others stay masked."""
        super().__init__(*self._options(record), id=id)

    def is_masked(self, name: str) -> bool:
        value = self.record.fields.get(name)
        return secret_name(name) and value not in (None, "") and name not in self.revealed

    def _field_option(self, index: int, name: str, width: int) -> Option:
        value = self.record.fields[name]
        return Option(_field_line(name, value, width, masked=self.is_masked(name)), id=f"field-{index}")

    def _width(self) -> int:
        return min(NAME_WIDTH, max((cell_len(clean(k)) for k in self.record.fields), default=4))

    def action_reveal(self) -> None:
        """Show (or hide again) the secret-looking value on the highlighted line."""
        if self.highlighted is None:
            return
        option = self.get_option_at_index(self.highlighted)
        kind, _, number = (option.id or "").partition("-")
        if kind != "field":
            return
        name = list(self.record.fields)[int(number)]
        if not secret_name(name):
            return
        self.revealed.symmetric_difference_update({name})
        self.replace_option_prompt_at_index(
            self.highlighted, self._field_option(int(number), name, self._width()).prompt)

    def _options(self, record: Record) -> list[Option | None]:
        width = self._width()
        options: list[Option | None] = []
        for index, name in enumerate(record.fields):
            options.append(self._field_option(index, name, width))
        if record.links:
            options.append(None)
            for index, link in enumerate(record.links):
                # Off-origin links get their own arrow and a word, so they are told apart at a glance.
                line = Text(EXTERNAL_MARK if link.external else "→ ", style="bold")
                line.append_text(safe_text(link.rel, style="bold"))
                line.append("  ")
                line.append_text(safe_text(link.title or link.href, style="dim"))
                if link.external:
                    line.append("  (external: asks first, sent without credentials)", style="italic")
                options.append(Option(line, id=f"link-{index}"))
        if self.actions:
            options.append(None)
            for index, action in enumerate(self.actions):
                line = Text("⚡ ", style="bold")
                line.append_text(safe_text(action.title or action.name, style="bold"))
                line.append(f"  {action.method}")
                if action.dangerous:
                    line.append("  dangerous", style="italic")
                options.append(Option(line, id=f"action-{index}"))
        if not options:
            options.append(Option(Text("(no fields)", style="dim"), disabled=True))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, _, number = (event.option.id or "").partition("-")
        if kind == "link":
            self.post_message(self.LinkChosen(self, self.record.links[int(number)]))
        elif kind == "action":
            self.post_message(self.ActionChosen(self, self.actions[int(number)]))
        elif kind == "field":
            self.view_whole_value(list(self.record.fields)[int(number)])

    def view_whole_value(self, name: str) -> None:
        """Show a long (cut) value whole, in a viewer that draws it a screen at a time."""
        if self.is_masked(name):
            return
        text = long_value(self.record.fields[name])
        if text is None:
            return
        from isptui.ui.widgets.long_text import LongValueScreen

        size = size_words(len(text.encode("utf-8", "surrogatepass")))
        self.app.push_screen(LongValueScreen(f"{name} · {size}", text))

