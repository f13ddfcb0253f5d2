"""Record actions: a small form for an action's parameters, and a panel for what the server answered.

Parameters come from ``Action.parameters`` (FieldSpecs), so they get the same widgets and the same
client-side validation as a record form; the answer is API data and is rendered literally.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from isptui.edit.formdata import validate_form
from isptui.model import FieldSpec, Schema
from isptui.ui.edit.diff import DIALOG_CSS, redact_lines
from isptui.ui.edit.widgets import FieldEditor
from isptui.ui.screens.dialogs import Dialog
from isptui.ui.text import clean, pretty_json
from isptui.ui.widgets.footer import KeyFooter


class ParameterFormScreen(Dialog[dict[str, Any] | None]):
    """Ask for an action's parameters; dismisses with typed values, or None when cancelled."""

    DEFAULT_CSS = DIALOG_CSS + """
    ParameterFormScreen { align: center middle; }
    ParameterFormScreen .edit-dialog { height: auto; }
    ParameterFormScreen #param-fields { height: auto; max-height: 14; }
    ParameterFormScreen #param-message { color: $error; display: none; }
    ParameterFormScreen #param-message.-shown { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "run", "Run", priority=True)]

    def __init__(self, title: str, parameters: Iterable[FieldSpec], *, confirm_label: str = "Run",
                 production: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.schema = Schema(fields=tuple(parameters))
        self.confirm_label = confirm_label
        self.production = production
        self.editors = [FieldEditor(spec, None, index=i) for i, spec in enumerate(self.schema.fields)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="edit-dialog" + (" -production" if self.production else "")):
            yield Label(Text(clean(self.title_text)), classes="title")
            yield Static(Text("* required · ctrl+s runs · esc cancels"))
            yield Static("", id="param-message")
            with VerticalScroll(id="param-fields"):
                yield from self.editors
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="primary")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.editors:
            self.editors[0].control.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter moves to the next field, like the record form; running stays explicit.
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self.action_run()
        else:
            self.dismiss(None)

    def action_run(self) -> None:
        raw = {f.spec.name: f.raw() for f in self.editors}
        values, errors = validate_form(self.schema, raw)
        for field in self.editors:
            field.show_errors(errors.get(field.spec.name, []))
        message = self.query_one("#param-message", Static)
        if errors:
            count = len(errors)
            message.update(Text(f"Fix {count} field{'s' * (count != 1)} first."))
            message.add_class("-shown")
            return
        self.dismiss({k: v for k, v in values.items() if v is not None})

    def action_cancel(self) -> None:
        self.dismiss(None)


class ActionResultScreen(Dialog[None]):
    """What an action returned, as indented JSON (API text shown literally, known secrets masked)."""

    DEFAULT_CSS = DIALOG_CSS + """
    ActionResultScreen { align: center middle; }
    ActionResultScreen .body { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, value: Any, *, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.secrets = list(secrets)

    def compose(self) -> ComposeResult:
        with Vertical(classes="edit-dialog"):
            yield Label(Text(clean(self.title_text)), classes="title")
            with VerticalScroll(classes="body"):
                yield Static(Text(redact_lines([pretty_json(self.value)], self.secrets)), id="action-result")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
