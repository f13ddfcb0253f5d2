"""One record: its fields (whole values, wrapped), then its links and actions, all reachable by keyboard."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from isptui.model import Action, Link, Record
from isptui.ui.text import clean, cut, safe_text

NAME_WIDTH = 22


def _field_line(name: str, value: object, width: int) -> Table:
    """Name, then the whole value wrapped in its own column (a hanging indent), so values line up."""
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    value_text = safe_text(value, multiline=True)
    value_text.overflow = "fold"  # long tokens (URLs, JSON) break inside the column, not at column 0
    grid.add_row(Text(cut(clean(name), width), style="bold"), value_text)
    return grid


class RecordView(OptionList):
    """Fields as lines, then ``→`` links and ``⚡`` actions; enter follows a link or runs an action."""

    DEFAULT_CSS = """
    RecordView, RecordView:focus { height: 1fr; border: none; background: $surface; }
    """

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

    def __init__(self, record: Record, *, id: str | None = None) -> None:
        self.record = record
        super().__init__(*self._options(record), id=id)

    @staticmethod
    def _options(record: Record) -> list[Option | None]:
        width = min(NAME_WIDTH, max((cell_len(clean(k)) for k in record.fields), default=4))
        options: list[Option | None] = []
        for index, (name, value) in enumerate(record.fields.items()):
            options.append(Option(_field_line(name, value, width), id=f"field-{index}"))
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
        if record.actions:
            options.append(None)
            for index, action in enumerate(record.actions):
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
            self.post_message(self.ActionChosen(self, self.record.actions[int(number)]))

