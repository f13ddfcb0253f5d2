"""Small read-only panels: raw JSON, an error with retry, a one-line message."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from isptui.errors import BackendError, retryable
from isptui.ui.text import clean, pretty_json, safe_text


class JsonView(VerticalScroll, can_focus=True):
    """The record as the server sent it, indented; scroll with the arrow keys."""

    DEFAULT_CSS = """
    JsonView { height: 1fr; background: $surface; padding: 0 1; }
    """

    def __init__(self, value: Any, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.value = value
        from isptui.ui.widgets.long_text import LONG_JSON, json_longer_than

        self.long = json_longer_than(value, LONG_JSON)  # drawn by rows (``LongText``), written out off the loop

    def compose(self):  # type: ignore[no-untyped-def]
        if self.long:
            from isptui.ui.widgets.long_text import LongText

            yield LongText(partial(pretty_json, self.value), id="json-long")
        else:
            yield Static(Text(pretty_json(self.value)), classes="json-body")

    def on_focus(self) -> None:
        if self.long:
            self.query_one("#json-long").focus()


class ErrorPanel(Static, can_focus=True):
    """A failed request: title, status, message and URL, and how to retry."""

    DEFAULT_CSS = """
    ErrorPanel { height: auto; margin: 1 1; padding: 0 1; border: round $error; color: $foreground; }
    """

    def __init__(self, error: BackendError, *, id: str | None = None) -> None:
        self.error = error
        super().__init__(self.describe(error), id=id)

    @staticmethod
    def describe(error: BackendError) -> Text:
        text = Text()
        text.append_text(safe_text(error.title, style="bold"))
        if error.status is not None:
            text.append(f"  HTTP {error.status}", style="bold")
        text.append("\n")
        text.append_text(safe_text(error.message, multiline=True))
        if error.url:
            text.append("\n")
            text.append_text(safe_text(f"{error.method or ''} {error.url}".strip(), style="dim"))
        # A client error (4xx) fails the same way when asked again: no retry is offered for it.
        text.append("\n\nr retry · escape back" if retryable(error)
                    else "\n\nthe server refused the request; not retried · escape back")
        return text


class Notice(Static):
    """A single line in the content area (empty collection, not available)."""

    DEFAULT_CSS = """
    Notice { margin: 1 2; color: $foreground-muted; }
    """

    def __init__(self, message: str, *, id: str | None = None) -> None:
        super().__init__(Text(clean(message)), id=id)
