"""The record form: edit (``e``) or create (``n``) a record from its Schema, then save with ``ctrl+s``.

Save runs: client-side validation → write plan → (update) re-read and conflict dialog → diff preview →
write in a worker → read back. Any failure keeps the form and everything typed in it; field errors, the
client's or the server's, are placed under their fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from isptui.edit.editor import Editor, WritePlan
from isptui.edit.formdata import validate_form
from isptui.errors import (
    AuthFailed,
    BackendError,
    Conflict,
    MethodRefused,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    ReadOnlyViolation,
    ValidationFailed,
    WriteUnconfirmed,
)
from isptui.model import Record, ResourceRef, Schema
from isptui.ui.edit.confirm import ConfirmActionScreen, DiscardChangesScreen, describe_error
from isptui.ui.edit.diff import ConflictScreen, DiffPreviewScreen, is_secret, shown
from isptui.ui.edit.widgets import FieldEditor
from isptui.ui.screens.dialogs import DismissOnce
from isptui.ui.text import clean
from isptui.ui.widgets.footer import KeyFooter

# Failures that prove the server did not apply the write; any other (a lost answer, a timeout, a 5xx) may
# hide a write that happened, so a create is not sent again without the user's say-so.
REFUSALS = (ValidationFailed, AuthFailed, PermissionDenied, NotFound, Conflict, RateLimited, ReadOnlyViolation,
            NotSupported)


FIRST_FIELDS = 3
"""Fields of the first page, built after the first paint of the frame. The rest follow a page per repaint."""

BUILD_BATCH = 3
"""Fields per page: built one page per repaint, since styling a field costs Textual a few milliseconds."""

WINDOW_MARGIN = 0.5
"""Pages within this many screen heights of the view (or next to the focused page) are laid out; the rest
are collapsed to a blank of their measured height, so a relayout costs the same at 60 fields as at 10."""


class RecordFormScreen(DismissOnce, Screen[Record | None]):
    """A form generated from ``schema``; dismisses with the stored Record, or None when closed unsaved.

    ``record=None`` makes a create form for ``collection_ref``; otherwise it edits ``record`` (which should
    be a full ``Backend.get`` result, since the conflict check compares it with a fresh read).
    """

    DEFAULT_CSS = """
    RecordFormScreen { layout: vertical; }
    RecordFormScreen #form-frame { height: 1fr; border: round $primary; padding: 0 1; }
    RecordFormScreen #form-frame.-production { border: round $error; }
    RecordFormScreen #form-head { height: 1; }
    RecordFormScreen #form-title { text-style: bold; color: $primary; width: 1fr; }
    RecordFormScreen #form-badge { color: $error; text-style: bold; }
    RecordFormScreen #form-note { color: $text-muted; }
    RecordFormScreen #form-message { display: none; border: round $error; color: $error; padding: 0 1;
                                     height: auto; max-height: 8; }
    RecordFormScreen #form-message.-shown { display: block; }
    RecordFormScreen #form-message.-info { border: round $warning; color: $warning; }
    RecordFormScreen #form-fields { height: 1fr; scrollbar-gutter: stable; }
    RecordFormScreen .form-page { height: auto; display: none; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, schema: Schema, record: Record | None, *, title: str, editor: Editor,
                 collection_ref: ResourceRef | None = None, production: bool = False) -> None:
        super().__init__()
        if record is None and collection_ref is None:
            raise ValueError("a create form needs collection_ref")
        self.schema = schema
        self.record = record
        self.form_title = title
        self.editor = editor
        self.collection_ref = collection_ref or (record.ref if record else None)
        self.production = production
        self.saving = False
        self.uncertain: BackendError | None = None
        """The last failed save's error when it does not prove the server refused the write."""
        # Read-only fields cannot be set, so they are shown only where they hold something to read.
        values = dict(record.fields) if record is not None else {}
        specs = [s for s in schema.fields if not s.read_only or s.name in values]
        self.editors = [FieldEditor(spec, values.get(spec.name), index=i) for i, spec in enumerate(specs)]
        self._unmounted: list[FieldEditor] = list(self.editors)
        """Fields the user cannot see yet: not built, or built into the hidden part of the form."""
        self._unbuilt: list[FieldEditor] = list(self.editors)
        self._pages: list[tuple[Vertical, list[FieldEditor]]] = []
        """Every page built, in order, with its fields."""
        self._collapsed: set[Vertical] = set()
        """Pages out of view drawn as a blank of their height: their fields are not laid out."""

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="form-frame", classes="-production" if self.production else ""):
            with Horizontal(id="form-head"):
                yield Label(Text(clean(self.form_title)), id="form-title")
                if self.production:
                    yield Label("PRODUCTION", id="form-badge")
            note = "* required · ctrl+s save · esc close"
            if self.schema.source:
                source = clean(self.schema.source)
                note = f"{source if source.startswith('inferred') else 'fields from ' + source} · {note}"
            yield Static(Text(note), id="form-note")
            yield Static("", id="form-message")
            # The fields come after the first paint (``_build_first``): the frame alone is what Textual
            # can style, lay out and draw in one go well within a frame's budget.
            yield VerticalScroll(id="form-fields")
        # The project's footer: one line, redrawn only when its keys change (Textual's rebuilt a widget per
        # key after every focus change, a Tab in a form), so it is cheap enough to come with the frame.
        yield KeyFooter()

    def on_mount(self) -> None:
        self.call_after_refresh(self._build_first)
        self.watch(self.query_one("#form-fields", VerticalScroll), "scroll_y", self._on_scroll, init=False)

    async def _build_first(self) -> None:
        if not self.is_attached:
            return
        batch, self._unbuilt = self._unbuilt[:FIRST_FIELDS], self._unbuilt[FIRST_FIELDS:]
        page = Vertical(*batch, classes="form-page")
        page.styles.display = "block"
        self._pages.append((page, batch))
        await self.query_one("#form-fields").mount(page)
        self._unmounted = self._unmounted[len(batch):]
        # Focus after the fields are painted: a key typed while the form was still being built must not
        # land in a field the user has not seen yet.
        self.call_after_refresh(self._focus_first)
        if self._unbuilt:
            self.call_after_refresh(self._build_next)

    def _focus_first(self) -> None:
        if any(self.focused in (field, field.control) for field in self.editors):
            return  # the user (or a caller) already chose a field
        for field in self.editors[:FIRST_FIELDS]:
            if not field.control.disabled:
                field.activate()
                break

    async def _build_next(self) -> None:
        """Build the fields below the first screenful a few at a time: each batch hidden, then shown.

        Textual styles each new widget on the event loop (milliseconds per field) and lays out the whole
        screen again after a mount (tens of milliseconds at 60 fields). A batch is mounted into a page that
        is not displayed (styling only: a hidden page is not laid out), and shown after the next repaint
        (one layout), so neither step holds the loop long. Meanwhile the user reads and types in the fields
        shown, and Tab cannot reach a field that is not on the screen.
        """
        if not self._unbuilt or not self.is_attached:
            return
        batch, self._unbuilt = self._unbuilt[:BUILD_BATCH], self._unbuilt[BUILD_BATCH:]
        page = Vertical(*batch, classes="form-page")
        self._pages.append((page, batch))
        await self.query_one("#form-fields").mount(page)
        self.call_after_refresh(self._show_page, page, batch)

    def _show_page(self, page: Vertical, batch: list[FieldEditor]) -> None:
        if not self.is_attached:
            return
        # The inline rule alone, then one layout: a class change would have Textual restyle every widget
        # inside, and ``styles.display`` repaints each of them (a full compositor map per widget).
        page.styles.set_rule("display", "block")
        page.refresh(layout=True)
        self._unmounted = [f for f in self._unmounted if f not in batch]
        # Painted (the inline rule alone does not mark its region for repaint) and measured after the
        # layout; collapsed then if it is out of view.
        self.call_after_refresh(page.refresh)
        self.call_after_refresh(self._window)
        if self._unbuilt:
            self.call_after_refresh(self._build_next)

    async def mount_all_fields(self) -> None:
        """Build and show whatever is still waiting (before a save shows errors on fields, or in tests)."""
        waiting, self._unbuilt = self._unbuilt, []
        if waiting:
            page = Vertical(*waiting, classes="form-page")
            page.styles.display = "block"
            self._pages.append((page, waiting))
            await self.query_one("#form-fields").mount(page)
        for page, _ in self._pages:
            if page.styles.display == "none":
                page.styles.set_rule("display", "block")
                page.refresh(layout=True)
        self._unmounted = []

    # -- the window of pages laid out -------------------------------------------------------------
    # Textual lays out (and maps) every widget displayed in a scrolling container on each relayout —
    # each mount, each field taking the focus — whether on screen or not. A page far from the view is
    # collapsed: its height is fixed at what it measured and its fields are not displayed, so it is one
    # widget to lay out instead of a few. It is laid out again before it can scroll into view or the
    # focus can reach it (Tab moves to the next displayed field, so the pages around the focus stay).
    def _on_scroll(self, _old: float, _new: float) -> None:
        self._window()

    def on_descendant_focus(self) -> None:
        self._window()

    def on_resize(self) -> None:
        # A new width wraps help and errors anew: every collapsed page is measured again.
        for page, fields in self._pages:
            if page in self._collapsed:
                self._expand(page, fields)
        self.call_after_refresh(self._window)

    def _expand(self, page: Vertical, fields: list[FieldEditor]) -> None:
        self._collapsed.discard(page)
        page.styles.height = "auto"
        for field in fields:
            field.display = True

    def _window(self) -> None:
        if not self.is_attached or not self._pages:
            return
        scroller = self.query_one("#form-fields", VerticalScroll)
        height = max(scroller.size.height, 1)
        top = scroller.scroll_y - height * WINDOW_MARGIN
        bottom = scroller.scroll_y + height * (1 + WINDOW_MARGIN)
        focused = next((i for i, (_, fields) in enumerate(self._pages)
                        if any(self.focused in (f, f.control) for f in fields)), None)
        y = 0
        for index, (page, fields) in enumerate(self._pages):
            if page.styles.display == "none":
                continue  # still being built: not laid out yet
            page_height = page.outer_size.height
            keep = (y < bottom and y + page_height > top) or index in (0, len(self._pages) - 1) or (
                focused is not None and abs(index - focused) <= 1)
            y += page_height
            if keep and page in self._collapsed:
                self._expand(page, fields)
            elif not keep and page not in self._collapsed and page_height > 0:
                self._collapsed.add(page)
                page.styles.height = page_height
                for field in fields:
                    field.display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter moves on, like a paper form; saving stays an explicit ctrl+s.
        event.stop()
        self.focus_next()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A bug below the UI must not eat the form: say what broke and keep every field as typed.
        if event.worker.group == "record-form-save" and event.state is WorkerState.ERROR:
            error = event.worker.error
            self.show_message(f"Saving failed unexpectedly: {type(error).__name__}: {error}")

    # -- reading the form ------------------------------------------------------------------------
    def editor_for(self, name: str) -> FieldEditor | None:
        """The field editor of ``name`` (``additional_attributes.x`` finds ``additional_attributes``)."""
        for field in self.editors:
            if field.spec.name == name:
                return field
        head = name.split(".", 1)[0].split("[", 1)[0]
        return next((f for f in self.editors if f.spec.name == head), None) if head != name else None

    def touched(self) -> list[str]:
        """Names of the fields the user changed."""
        return [f.spec.name for f in self.editors if f.touched]

    def collect(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Typed values and per-field errors; untouched fields keep the server's value and are not judged.

        A field the user did not touch is not theirs to fix (the server may hold a value its own schema
        rejects), and on create an untouched optional field is left to the server's default.
        """
        original = dict(self.record.fields) if self.record is not None else {}
        raw = {f.spec.name: f.raw() for f in self.editors if not f.spec.read_only}
        values, errors = validate_form(self.schema, raw, original)
        touched = set(self.touched())
        if self.record is not None:
            errors = {k: v for k, v in errors.items() if k in touched}
            values = {k: (v if k in touched else original.get(k)) for k, v in values.items()}
            # A cleared text field keeps the API's own style: "" where the server held a string, not null.
            values = {k: "" if v is None and k in touched and isinstance(original.get(k), str) else v
                      for k, v in values.items()}
        else:
            required = {s.name for s in self.schema.fields if s.required}
            values = {k: v for k, v in values.items() if k in touched or k in required}
        return values, errors

    # -- showing results -------------------------------------------------------------------------
    def show_field_errors(self, errors: Mapping[str, list[str]], headline: str) -> None:
        """Put each message under its field; messages for fields not on the form go to the top panel."""
        for field in self.editors:
            field.show_errors([])
        placed: dict[FieldEditor, list[str]] = {}
        stray: list[str] = []
        for name, messages in errors.items():
            field = self.editor_for(name)
            if field is None:
                # DRF's non_field_errors (or a nameless error) is about the whole record: no name to show,
                # and a message the headline already says is not repeated.
                anonymous = name in ("", "non_field_errors", "__all__")
                stray.extend(m if anonymous else f"{name}: {m}" for m in messages
                             if not (anonymous and m in headline))
                continue
            # ``additional_attributes.vip`` lands on its object field, named so the user knows which key.
            prefix = "" if field.spec.name == name else f"{name.split('.', 1)[-1]}: "
            placed.setdefault(field, []).extend(prefix + m for m in messages)
        for field, messages in placed.items():
            field.show_errors(messages)
        self.show_message("\n".join([headline, *stray]))
        first = next((f for f in self.editors if f.has_class("-invalid")), None)
        if first is not None and not first.control.disabled:
            first.control.focus()

    def show_message(self, text: str, *, info: bool = False) -> None:
        """The panel above the fields: an error (or, with ``info``, a notice); empty text hides it."""
        panel = self.query_one("#form-message", Static)
        panel.update(Text(clean(text, multiline=True)))
        panel.set_class(bool(text), "-shown")
        panel.set_class(info, "-info")

    # -- actions ---------------------------------------------------------------------------------
    async def action_save(self) -> None:
        if self.saving:
            self.notify("Already saving; wait for the server's answer.", severity="warning")
            return
        await self.mount_all_fields()  # errors are placed on their fields, so every field must exist
        self.save()

    def action_close(self) -> None:
        if self.saving:
            self.notify("A save is in progress; wait for the server's answer.", severity="warning")
            return
        changed = self.touched()
        if not changed:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardChangesScreen([self._title_of(n) for n in changed]), decided)

    def _title_of(self, name: str) -> str:
        spec = self.schema.field(name)
        return spec.title if spec else name

    @work(group="record-form-save", exit_on_error=False)
    async def save(self) -> None:
        """Validate, plan, check for a concurrent change, preview, write, read back."""
        self.saving = True
        try:
            await self._save()
        finally:
            self.saving = False

    async def _save(self) -> None:
        values, errors = self.collect()
        if errors:
            count = len(errors)
            self.show_field_errors(errors, f"Fix {count} field{'s' * (count != 1)} before saving.")
            return
        for field in self.editors:
            field.show_errors([])
        self.show_message("")
        plan = await self._plan(values)
        if plan is None:
            return
        if plan.kind == "create" and self.uncertain is not None:
            # The last attempt failed in a way that does not prove the server refused it (a lost answer,
            # a timeout, a 5xx): it may already have created the record. Sending again must be a choice.
            again = await self.app.push_screen_wait(ConfirmActionScreen(
                "The last save may have worked",
                f"The previous attempt ended with: {self.uncertain.title}. {self.uncertain.message}\n"
                "The record may already exist. Check the collection before creating it again.",
                confirm_label="Create again", production=self.production))
            if not again:
                return
        note = ""
        while True:
            confirmed = await self.app.push_screen_wait(
                DiffPreviewScreen(plan, schema=self.schema, production=self.production, note=note))
            if not confirmed:
                return
            self.uncertain = None
            try:
                outcome = await self.editor.apply(plan)
            except MethodRefused as exc:
                # Nothing was written. Offer the other verb, with its own preview: the preview stays the request.
                other = self.editor.other_verb(plan)
                if other is None:
                    self.show_message(f"{exc.title}\n{describe_error(exc)}")
                    return
                note = f"{exc.message}. The same change as {other.method} instead:"
                plan = other
                continue
            except WriteUnconfirmed as exc:
                # The server took it: sending it again would write twice. Close, and say what is unknown.
                self.app.notify(clean(exc.message), title=exc.title, severity="warning", markup=False)
                self.dismiss(None)
                return
            except ValidationFailed as exc:
                self.show_field_errors(exc.field_errors, f"{exc.title}: {exc.message}")
                return
            except BackendError as exc:
                if not isinstance(exc, REFUSALS):
                    self.uncertain = exc
                self.show_message(f"{exc.title}\n{describe_error(exc)}")
                return
            break
        # Written: the form closes whatever the journal said, so the same write can never be sent twice.
        if outcome.not_stored or outcome.journal_error:
            title = "Not journalled" if outcome.journal_error else "Saved, values differ"
            self.app.notify(clean(outcome.summary()), title=title, severity="warning", markup=False, timeout=15)
        else:
            self.app.notify(clean(outcome.summary()), title="Saved", markup=False)
        self.dismiss(outcome.record)

    async def _plan(self, values: dict[str, Any]) -> WritePlan | None:
        """The write to preview, after the concurrent-change check for updates; None when nothing to do."""
        if self.record is None:
            assert self.collection_ref is not None
            return self.editor.plan_create(self.collection_ref, values)
        plan = self.editor.plan_update(self.record, values, self.schema)
        if not plan.changes:
            self.notify("Nothing changed, so nothing was sent.")
            return None
        try:
            conflict = await self.editor.find_conflict(plan)
        except BackendError as exc:
            self.show_message(f"Could not re-read the record before saving: {exc.title}\n{describe_error(exc)}")
            return None
        if conflict is None:
            return plan
        choice = await self.app.push_screen_wait(
            ConflictScreen(conflict, schema=self.schema, edited=plan.changes))
        if choice == "reload":
            self.reload(conflict.current, plan)
            return None
        if choice != "overwrite":
            return None
        mine = {name: new for name, (_, new) in plan.changes.items()}
        self.record = conflict.current
        plan = self.editor.plan_update(conflict.current, {**conflict.current.fields, **mine}, self.schema)
        if not plan.changes:
            self.notify("The server already holds your values, so nothing was sent.")
            return None
        return plan

    def reload(self, current: Record, abandoned: WritePlan) -> None:
        """Refill every field with the server's values; list the edits that were replaced, so none vanish."""
        self.record = current
        for field in self.editors:
            field.load(current.fields.get(field.spec.name))
        lines = ["Reloaded: the form now shows the server's values. Your edits were:"]
        for name, (_, new) in abandoned.changes.items():
            lines.append(f"  {self._title_of(name)}: {shown(new, secret=is_secret(name, self.schema)).plain}")
        self.show_message("\n".join(lines), info=True)
