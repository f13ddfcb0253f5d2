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
from isptui.ui.text import clean, cut, safe_text

NAME_WIDTH = 22
MASKED = "••••••••  (v reveals)"


def _field_line(name: str, value: object, width: int, *, masked: bool = False) -> Table:
    """Name, then the whole value wrapped in its own column (a hanging indent), so values line up."""
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    value_text = Text(MASKED, style="dim") if masked else safe_text(value, multiline=True)
    value_text.overflow = "fold"  # long tokens (URLs, JSON) break inside the column, not at column 0
    grid.add_row(Text(cut(clean(name), width), style="bold"), value_text)
    return grid


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
                line = Text("→ ", style="bold")
                line.append_text(safe_text(link.rel, style="bold"))
                line.append("  ")
                line.append_text(safe_text(link.title or link.href, style="dim"))
                if link.external:
                    line.append("  (other origin)", style="italic")
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

