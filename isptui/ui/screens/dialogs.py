"""Modal dialogs: go-to with fuzzy completion, a list chooser, a confirmation, a one-line prompt, help."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

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


class GoToScreen(ModalScreen[Place | None]):
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

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Go to", classes="title")
            yield Input(value=self.initial, placeholder="customers, invoices, 42 …", id="goto-input")
            yield OptionList(id="goto-matches")

    def on_mount(self) -> None:
        self._match(self.initial)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._match(event.value)

    def _match(self, query: str) -> None:
        query = query.strip().lstrip(":")
        if query:
            matcher = Matcher(query)
            scored = [(matcher.match(self._haystack(p)), p) for p in self.places]
            ranked = [p for score, p in sorted(scored, key=lambda sp: -sp[0]) if score > 0]
        else:
            ranked = list(self.places)
        self.shown = ranked[:50]
        matches = self.query_one("#goto-matches", OptionList)
        matches.set_options(Option(self._line(p)) for p in self.shown)
        if self.shown:
            matches.highlighted = 0

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
        direct = self.resolve(event.value) if self.resolve is not None else None
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


class ChooseScreen(ModalScreen[int | None]):
    """Pick one of a few lines (actions of a record, a column to sort by)."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, title: str, lines: Sequence[Text | str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield OptionList(*(Option(line if isinstance(line, Text) else Text(clean(line)))
                               for line in self.lines), id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class PromptScreen(ModalScreen[str | None]):
    """One line of input (a row number)."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, title: str, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield Input(placeholder=self.placeholder)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
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
            yield Label(f"Keys · {self.view}", classes="title")
            with VerticalScroll():
                yield Static(text, id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)
