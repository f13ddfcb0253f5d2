"""Modal dialogs: go-to with fuzzy completion, a list chooser, a confirmation, a one-line prompt, help."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from isptui.ui.goto_index import GoToIndex
from isptui.ui.places import Place
from isptui.ui.text import clean, cut, nice_title

DIALOG_CSS = """
.dialog { width: 70; max-width: 95%; height: auto; max-height: 90%; border: round $primary;
          background: $surface; padding: 0 1; }
.dialog > .title { text-style: bold; color: $primary; width: 1fr; }
.dialog OptionList { height: auto; max-height: 16; border: none; }
.dialog Input { border: tall $primary; }
.dialog .buttons { height: auto; align-horizontal: right; }
.dialog Button { margin: 0 1; }
"""
"""Centring and the dimmed backdrop are in ``IspApp.CSS``: a screen's own CSS is scoped to its children."""

ResultT = TypeVar("ResultT")


class DismissOnce:
    """Mixed into every dialog and form screen: its dismissal happens once.

    Textual's ``dismiss`` pops whatever screen is on top: a second Enter that arrives before the first
    dismissal has finished would pop the screen *under* the dialog (the explorer, then the picker). A
    repeated dismissal, or one of a screen that is no longer on top, is ignored instead.
    """

    _dismissed = False

    def dismiss(self, result=None):  # noqa: ANN001, ANN201 - Screen.dismiss's signature
        if self._dismissed or not self.is_attached or self.app.screen is not self:  # type: ignore[attr-defined]
            self._dismissed = True
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)  # type: ignore[misc]


class Dialog(DismissOnce, ModalScreen[ResultT]):
    """A modal dialog (go-to, choose, confirm, prompt, help, previews) that is dismissed once."""

    async def on_resize(self) -> None:
        """Let the loop run once before Textual's own handler lays the dialog out again.

        A pushed screen's first layout (on its resume) resizes it, and Textual answers that Resize by laying
        out the dialog and every screen under it once more. Both waited in the screen's queue and ran as one
        loop callback: 36-38 ms for the diff preview, most of the 50 ms budget. Yielding here (this handler
        runs before ``Screen._on_resize``) makes them two callbacks; a real terminal resize is unaffected
        but for that one turn of the loop."""
        await asyncio.sleep(0)


MATCHES_SHOWN = 20
"""Enough to scroll through in a 16-line list; each shown match costs layout time on the event loop."""


class GoToScreen(Dialog[Place | None]):
    """``:`` — type a few letters of anything discovered so far; enter goes there."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "dismiss_none", "Close"), Binding("down", "move(1)", show=False),
                Binding("up", "move(-1)", show=False)]

    def __init__(self, places: Sequence[Place], initial: str = "",
                 resolve: Callable[[str], Place | None] | None = None) -> None:
        super().__init__()
        self.places = list(places)
        self.resolve = resolve
        self.initial = initial
        self.shown: list[Place] = []
        self.index: GoToIndex[Place] | None = None
        self._submit_pending = False
        """Enter came before the index was ready: submit once it is, never on the unfiltered list."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Go to", classes="title")
            yield Input(value=self.initial, placeholder="customers, invoices, 42 …", id="goto-input")
            yield OptionList(id="goto-matches")

    def on_mount(self) -> None:
        self._show(self.places[:MATCHES_SHOWN])
        self.build_index()

    @work(thread=True, exit_on_error=False)
    def build_index(self) -> None:
        # Folding 10,000 long names takes tens of milliseconds: not on the event loop.
        index = GoToIndex(self.places, [p.title for p in self.places], [self._haystack(p) for p in self.places])
        self.app.call_from_thread(self._index_ready, index)

    def _index_ready(self, index: GoToIndex[Place]) -> None:
        self.index = index
        if self.is_attached:
            value = self.query_one("#goto-input", Input).value
            self._match(value)
            if self._submit_pending:
                self._submit(value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._match(event.value)

    def _match(self, query: str) -> None:
        """Exact, prefix and substring matches at once; in-order letters follow from a worker thread."""
        if self.index is None:
            return  # _index_ready matches whatever has been typed by then
        quick = self.index.quick(query, MATCHES_SHOWN)
        self._show(self.index.pick(quick, MATCHES_SHOWN))
        if len(quick) < MATCHES_SHOWN:
            self.find_more(query, quick)

    @work(thread=True, exclusive=True, group="goto-fuzzy", exit_on_error=False)
    def find_more(self, query: str, quick: list[int]) -> None:
        assert self.index is not None
        more = self.index.fuzzy(query, quick, MATCHES_SHOWN - len(quick))
        if more:
            self.app.call_from_thread(self._add, query, self.index.pick(more, MATCHES_SHOWN))

    def _add(self, query: str, more: list[Place]) -> None:
        # Only if the user has not typed on meanwhile: a stale answer must not reorder the list.
        if self.is_attached and self.query_one("#goto-input", Input).value == query:
            self._show([*self.shown, *more][:MATCHES_SHOWN], keep_highlight=True)

    def _show(self, places: list[Place], keep_highlight: bool = False) -> None:
        matches = self.query_one("#goto-matches", OptionList)
        highlighted = matches.highlighted if keep_highlight else None
        self.shown = places
        matches.set_options(Option(self._line(p)) for p in self.shown)
        if self.shown:
            matches.highlighted = highlighted if highlighted is not None else 0

    @staticmethod
    def _haystack(place: Place) -> str:
        """What a query is matched against: group, breadcrumbs and the API's own name for it."""
        label = place.ref.label() if place.ref is not None else (place.link.href if place.link else "")
        return f"{place.group} {' '.join(place.crumbs)} {label}".strip()

    @staticmethod
    def _line(place: Place) -> Text:
        text = Text(cut(clean(nice_title(place.title)), 40), style="bold")
        # Where it lives: the parent for records and links, the group for collections (Krill has two "CPEs").
        where = place.parent or place.group
        if where:
            text.append("  " + cut(clean(nice_title(where)), 30), style="dim")
        text.append(f"  {place.kind}", style="italic dim")
        return text

    def action_move(self, delta: int) -> None:
        matches = self.query_one("#goto-matches", OptionList)
        if self.shown:
            current = matches.highlighted or 0
            matches.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.index is None:
            self._submit_pending = True
            return
        self._submit(event.value)

    def _submit(self, value: str) -> None:
        direct = self.resolve(value) if self.resolve is not None else None
        if direct is not None:
            self.dismiss(direct)
            return
        matches = self.query_one("#goto-matches", OptionList)
        if self.shown:
            self.dismiss(self.shown[matches.highlighted or 0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ChooseScreen(Dialog[int | None]):
    """Pick one of a few lines (actions of a record, a column to sort by)."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, title: str, lines: Sequence[Text | str], *, highlighted: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)
        self.highlighted = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(clean(self.title_text)), classes="title")
            yield OptionList(*(Option(line if isinstance(line, Text) else Text(clean(line)))
                               for line in self.lines), id="choices")

    def on_mount(self) -> None:
        if 0 < self.highlighted < len(self.lines):
            self.query_one("#choices", OptionList).highlighted = self.highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ConfirmScreen(Dialog[bool]):
    """Yes or no (opening an external link), with Cancel focused so a stray enter does nothing harmful."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("left,right", "switch", show=False)]

    def __init__(self, title: str, question: str, confirm_label: str = "Run") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(clean(self.title_text)), classes="title")
            yield Static(Text(clean(self.question, multiline=True)))
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_switch(self) -> None:
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptScreen(Dialog[str | None]):
    """One line of input (a row number)."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, title: str, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(clean(self.title_text)), classes="title")
            yield Input(placeholder=self.placeholder)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class HelpScreen(Dialog[None]):
    """``?`` — the keys of the current view, gathered from the bindings that are active there."""

    DEFAULT_CSS = DIALOG_CSS + """
    HelpScreen .dialog { width: 76; max-height: 100%; }
    HelpScreen VerticalScroll { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, view: str, keys: Sequence[tuple[str, str]], note: str = "") -> None:
        super().__init__()
        self.view = view
        self.keys = list(keys)
        self.note = note

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        # Two columns, so every key of a view fits on one 80x24 screen without scrolling.
        width = min(10, max((len(k) for k, _ in self.keys), default=4))
        half = (len(self.keys) + 1) // 2
        text = Text()
        for row in range(half):
            for col, index in enumerate((row, row + half)):
                if index >= len(self.keys):
                    continue
                key, description = self.keys[index]
                text.append(cut(key, width).ljust(width + 1), style="bold")
                text.append(cut(description, 22).ljust(24) if col == 0 else cut(description, 22))
            text.append("\n")
        if self.note:
            text.append("\n" + self.note, style="italic")
        with Vertical(classes="dialog"):
            yield Label(Text(clean(f"Keys · {self.view}")), classes="title")
            with VerticalScroll():
                yield Static(text, id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)
