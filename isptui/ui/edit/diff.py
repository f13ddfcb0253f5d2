"""What a write will change, shown before it happens: the diff preview and the concurrent-change dialog.

Every value comes from the API or the user and is rendered as ``rich.text.Text`` with control characters
made visible; secret fields show only that they change, never their value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, Static

from isptui.edit.editor import WritePlan
from isptui.errors import Conflict
from isptui.http.redact import Redactor
from isptui.model import Schema
from isptui.ui.screens.dialogs import Dialog
from isptui.ui.text import character_count, clean, display
from isptui.ui.widgets.footer import KeyFooter

MASK = "***"
# Same idea as the journal's masking: a field named like a credential is a secret even if no schema says so.
_SECRET_NAME = re.compile(r"(pass(word|wd)?|psw|secret|token|api_?key|signature)", re.IGNORECASE)

DIALOG_CSS = """
.edit-dialog { width: 76; max-width: 100%; height: auto; max-height: 100%; border: round $primary;
               background: $surface; padding: 0 1; }
.edit-dialog.-production { border: round $error; }
.edit-dialog > .title { text-style: bold; color: $primary; width: 1fr; }
.edit-dialog > .badge { color: $error; text-style: bold; }
.edit-dialog > .body { height: auto; max-height: 14; }
.edit-dialog .name { text-style: bold; margin-top: 1; }
.edit-dialog .change { margin-top: 1; }
.edit-dialog .request { color: $text-muted; border: round $panel-lighten-2; padding: 0 1; height: auto; }
.edit-dialog .buttons { height: auto; align-horizontal: right; }
.edit-dialog Button { margin: 0 1; }
"""


def is_secret(name: str, schema: Schema | None) -> bool:
    """Whether a field's values must never be shown: declared secret, or named like a credential."""
    spec = schema.field(name) if schema is not None else None
    return bool(spec and spec.secret) or bool(_SECRET_NAME.search(name))


LONG_VALUE = 2_000
"""A value of more characters than this is shown in a diff by its head and size (or, changed, by the part
that changed): a 1 MB note written out whole took Textual 14 s to wrap, on the loop."""

_CONTEXT = 40
"""Characters of unchanged text shown before the part of a long value that changed."""


def shown(value: Any, *, secret: bool = False) -> Text:
    """A value as the user should see it in a diff: literal, controls as escapes, secrets masked."""
    if secret and value not in (None, ""):
        return Text(MASK)
    if value is None:
        return Text("(empty)")
    text = display(value)
    if len(text) > LONG_VALUE:
        return Text(f"{clean(text[:LONG_VALUE // 4])} … ({character_count(len(text))} in all)")
    return Text(clean(text))


def _common_prefix(a: str, b: str) -> int:
    """The length of what ``a`` and ``b`` start with alike (bisected by slices: a megabyte in microseconds)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _long_change(old: str, new: str) -> list[str | tuple[str, str]]:
    """A change to a long value: both sizes, where it starts, and the part that changed (with some context)."""
    start = _common_prefix(old, new)
    room = min(len(old), len(new)) - start
    end = _common_prefix(old[::-1][:room], new[::-1][:room])
    head = max(0, start - _CONTEXT)
    cut = LONG_VALUE // 4

    def part(text: str) -> str:
        changed = text[head:len(text) - end]
        more = len(changed) - cut
        return ("…" if head else "") + clean(changed[:cut]) + (f" … ({more:,} more characters)" if more > 0 else "")

    return [f"{character_count(len(old))} → {character_count(len(new))}, changed from character {start + 1:,}: ",
            (part(old), "$error"), " → ", (part(new), "$success")]


def change_line(name: str, old: Any, new: Any, *, kind: str = "update", secret: bool = False) -> Content:
    """``name: old → new`` on one (wrapping) line; a create shows only the new value, a delete the old."""
    parts: list[str | tuple[str, str]] = [(clean(name), "bold"), ": "]
    if kind == "update" and not secret and isinstance(old, str) and isinstance(new, str) and (
            len(old) > LONG_VALUE or len(new) > LONG_VALUE):
        return Content.assemble(*parts, *_long_change(old, new))
    if kind != "create":
        parts.append((shown(old, secret=secret).plain, "$error"))
    if kind == "update":
        parts.append(" → ")
    if kind != "delete":
        parts.append((shown(new, secret=secret).plain, "$success"))
    if secret and kind == "update":
        parts.append("  (secret, changed)")
    return Content.assemble(*parts)


def redact_lines(lines: Iterable[str], secrets: Iterable[Any]) -> str:
    """The request lines as one block, with any literal secret value replaced (the adapter should have).

    A line longer than ``LONG_VALUE`` (a request carrying a 1 MB note) is cut after the redaction, with
    how much was left out."""
    text = Redactor([s for s in secrets if isinstance(s, str)]).text("\n".join(lines))
    if len(text) > LONG_VALUE:
        text = "\n".join(line if len(line) <= LONG_VALUE else
                         f"{line[:LONG_VALUE]} … ({len(line) - LONG_VALUE:,} more characters)"
                         for line in text.split("\n"))
    return clean(text, multiline=True)


def _verb(plan: WritePlan) -> str:
    return {"create": "Create in", "update": "Update", "delete": "Delete", "action": "Run on"}[plan.kind]


class DiffPreviewScreen(Dialog[bool]):
    """The changed fields (old → new) and the exact request(s); Confirm writes, Back returns to the form."""

    # Full height: the diff and the request are what the user must read, so they get all the rows there are.
    DEFAULT_CSS = DIALOG_CSS + """
    DiffPreviewScreen { align: center middle; }
    DiffPreviewScreen > .edit-dialog { height: 1fr; }
    DiffPreviewScreen > .edit-dialog > .body { height: 1fr; max-height: 100%; }
    DiffPreviewScreen .change { margin-top: 0; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, plan: WritePlan, *, schema: Schema | None = None, production: bool = False,
                 note: str = "") -> None:
        super().__init__()
        self.plan = plan
        self.schema = schema
        self.production = production
        self.note = note

    def compose(self) -> ComposeResult:
        plan = self.plan
        count = len(plan.changes)
        with Vertical(classes="edit-dialog" + (" -production" if self.production else "")):
            if plan.kind == "action":
                action = plan.request.action
                title = Text(f"Run {clean(action.title or action.name) if action else 'action'} on "
                             f"{clean(plan.ref.label())}")
            else:
                title = Text(f"{_verb(plan)} {clean(plan.ref.label())} — {count} field{'s' * (count != 1)}")
            yield Label(title, classes="title")
            if self.production:
                yield Label("PRODUCTION — this writes to a live system", classes="badge")
            if self.note:
                yield Static(Text(clean(self.note, multiline=True)), classes="note")
            if plan.conflicts:
                yield Static(Text(f"Changed on the server since the journalled write: "
                                  f"{len(plan.conflicts)} field(s). Undo would overwrite these:"), classes="note")
            with VerticalScroll(classes="body"):
                yield from self._changes()
                yield Label("Request", classes="name")
                secret_params = {s.name for s in plan.request.action.parameters if s.secret} if plan.request.action else set()
                secrets = [v for k, v in plan.values.items() if is_secret(k, self.schema) or k in secret_params]
                yield Static(Text(redact_lines(plan.request_lines, secrets)), classes="request")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="back")
                yield Button("Confirm", id="confirm", variant="error" if self.production else "primary")
        yield KeyFooter()

    def _changes(self) -> Iterable[Static]:
        for name, (before, after, now) in self.plan.conflicts.items():
            secret = is_secret(name, self.schema)
            yield Static(Content.assemble(
                (clean(name), "bold"), "  (changed since)",
                "\n  before: ", (shown(before, secret=secret).plain, "$success"),
                "\n  after:  ", (shown(after, secret=secret).plain, "$warning"),
                "\n  now:    ", (shown(now, secret=secret).plain, "$error")), classes="change conflict")
        if self.plan.kind == "action":
            for name, value in self.plan.values.items():
                secret = is_secret(name, self.schema) or any(
                    s.secret and s.name == name for s in (self.plan.request.action.parameters
                                                          if self.plan.request.action else ()))
                yield Static(change_line(name, None, value, kind="create", secret=secret), classes="change")
            return
        for name, (old, new) in self.plan.changes.items():
            if name in self.plan.conflicts:
                continue
            secret = is_secret(name, self.schema)
            yield Static(change_line(name, old, new, kind=self.plan.kind, secret=secret), classes="change")

    def on_mount(self) -> None:
        # Back first: a reflexive enter must never write.
        self.query_one("#back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_back(self) -> None:
        self.dismiss(False)


ConflictChoice = Literal["overwrite", "reload", "cancel"]


class ConflictScreen(Dialog[ConflictChoice]):
    """The record changed on the server since the form opened: show what, then overwrite, reload or cancel."""

    DEFAULT_CSS = DIALOG_CSS + "ConflictScreen { align: center middle; }"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, conflict: Conflict, *, schema: Schema | None = None, edited: Iterable[str] = ()) -> None:
        super().__init__()
        self.conflict = conflict
        self.schema = schema
        self.edited = set(edited)

    def compose(self) -> ComposeResult:
        moved = self.conflict.fields
        with Vertical(classes="edit-dialog -production"):
            yield Label(Text(f"{clean(self.conflict.current.ref.label())} changed on the server"), classes="title")
            yield Static(Text(f"{len(moved)} field(s) changed since you opened the form. Overwrite writes your "
                              "edits over them; Reload refills the form with the server's values."))
            with VerticalScroll(classes="body"):
                for name, (then, now) in moved.items():
                    secret = is_secret(name, self.schema)
                    mark = "  (you edited it too)" if name in self.edited else ""
                    yield Static(Content.assemble(
                        (clean(name), "bold"), mark, "\n  when opened: ", (shown(then, secret=secret).plain, "$error"),
                        "\n  now:         ", (shown(now, secret=secret).plain, "$success")), classes="change")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Reload", id="reload")
                yield Button("Overwrite", id="overwrite", variant="error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice: ConflictChoice = "cancel"
        if event.button.id == "overwrite":
            choice = "overwrite"
        elif event.button.id == "reload":
            choice = "reload"
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss("cancel")
