"""Confirmations for what cannot be taken back: delete, dangerous actions, elevation, discarding edits.

Each starts on its harmless button, so a reflexive enter does nothing; on production profiles the user
types the record's id (or the profile's name) before the dangerous button is enabled.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from isptui.edit.editor import Editor
from isptui.errors import BackendError, WriteUnconfirmed
from isptui.model import Record
from isptui.ui.edit.diff import DIALOG_CSS, redact_lines
from isptui.ui.screens.dialogs import Dialog
from isptui.ui.text import clean
from isptui.ui.widgets.footer import KeyFooter


class ConfirmActionScreen(Dialog[bool]):
    """Confirm one dangerous operation; ``typed`` is the text the user must type first (None: no typing)."""

    DEFAULT_CSS = DIALOG_CSS + """
    ConfirmActionScreen { align: center middle; }
    ConfirmActionScreen Input { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, detail: str, *, confirm_label: str = "Confirm", typed: str | None = None,
                 request_lines: Sequence[str] = (), production: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail
        self.confirm_label = confirm_label
        self.typed = typed
        self.request_lines = list(request_lines)
        self.production = production

    def compose(self) -> ComposeResult:
        with Vertical(classes="edit-dialog" + (" -production" if self.production else "")):
            yield Label(Text(clean(self.title_text)), classes="title")
            if self.production:
                yield Label("PRODUCTION — this acts on a live system", classes="badge")
            yield Static(Text(clean(self.detail, multiline=True)))
            if self.request_lines:
                yield Static(Text(redact_lines(self.request_lines, ())), classes="request")
            if self.typed is not None:
                # No placeholder: a dimmed id in the box would look as if it were already typed.
                yield Static(Text(f"Type “{clean(self.typed)}” to enable {self.confirm_label}."))
                yield Input(id="typed")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="error", disabled=self.typed is not None)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = event.value.strip() != self.typed

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in the box never acts by itself; it only moves to the button once the text matches.
        event.stop()
        button = self.query_one("#confirm", Button)
        if not button.disabled:
            button.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm" and not event.button.disabled)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ConfirmDeleteScreen(ConfirmActionScreen):
    """Delete one record: Cancel focused; on production the record's id must be typed first."""

    def __init__(self, record: Record, *, production: bool, request_lines: Sequence[str] = ()) -> None:
        what = f"{record.title} ({record.ref.label()})"
        super().__init__(f"Delete {record.ref.label()}?",
                         f"{what} will be deleted on the server.", confirm_label="Delete",
                         typed=(record.id or record.ref.label()) if production else None,
                         request_lines=request_lines, production=production)


class ElevateScreen(Dialog[bool]):
    """Allow writes on a production profile for this session, after typing its name (or ``elevate``)."""

    DEFAULT_CSS = DIALOG_CSS + "ElevateScreen { align: center middle; }"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, profile_name: str) -> None:
        super().__init__()
        self.profile_name = profile_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="edit-dialog -production"):
            yield Label(Text(f"Allow writes on {clean(self.profile_name)}?"), classes="title")
            yield Static(Text(f"{clean(self.profile_name)} is a production profile and read-only. Writes stay "
                              f"allowed until isptui exits. Type {clean(self.profile_name)} (or elevate)."))
            yield Input(placeholder=clean(self.profile_name), id="typed")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Allow writes", id="confirm", variant="error", disabled=True)
        yield KeyFooter()

    def _matches(self, text: str) -> bool:
        return text.strip() in (self.profile_name, "elevate")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = not self._matches(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._matches(event.value):
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm" and not event.button.disabled)

    def action_cancel(self) -> None:
        self.dismiss(False)


class DiscardChangesScreen(Dialog[bool]):
    """Close a form with unsaved edits? ``Keep editing`` has focus; True means discard."""

    DEFAULT_CSS = DIALOG_CSS + "DiscardChangesScreen { align: center middle; }"
    BINDINGS = [Binding("escape", "keep", "Keep editing")]

    def __init__(self, changed: Sequence[str]) -> None:
        super().__init__()
        self.changed = list(changed)

    def compose(self) -> ComposeResult:
        with Vertical(classes="edit-dialog"):
            yield Label("Discard your changes?", classes="title")
            yield Static(Text("Changed: " + clean(", ".join(self.changed))))
            with Horizontal(classes="buttons"):
                yield Button("Keep editing", id="keep")
                yield Button("Discard", id="discard", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "discard")

    def action_keep(self) -> None:
        self.dismiss(False)


def describe_error(exc: BackendError) -> str:
    """An error as the user should read it: message, then ``METHOD URL -> status`` when known."""
    where = exc.where()
    if exc.status is None and exc.url and exc.url in exc.message:
        where = ""  # the message already names the request; saying it twice only pushes the form down
    return clean(f"{exc.message}\n{where}" if where else exc.message, multiline=True)


async def confirm_and_delete(app: App[object], editor: Editor, record: Record, *, production: bool) -> bool:
    """Ask (ConfirmDeleteScreen), then delete and journal; True when deleted. Call it from a worker.

    A failure is shown as an error notification and returns False; nothing is retried.
    """
    plan = editor.plan_delete(record)
    if not await app.push_screen_wait(ConfirmDeleteScreen(record, production=production,
                                                          request_lines=plan.request_lines)):
        return False
    try:
        outcome = await editor.apply(plan)
    except WriteUnconfirmed as exc:
        app.notify(describe_error(exc), title=exc.title, severity="warning", markup=False)
        return True
    except BackendError as exc:
        app.notify(describe_error(exc), title=exc.title, severity="error", markup=False)
        return False
    app.notify(clean(outcome.summary()), title="Not journalled" if outcome.journal_error else "Deleted",
               severity="warning" if outcome.journal_error else "information", markup=False)
    return True
