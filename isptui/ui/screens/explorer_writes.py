"""The explorer's write commands: edit, new, delete, actions, undo and elevation, through one Editor.

Kept apart from ``explorer.py`` so browsing and writing each stay readable; ``ExplorerScreen`` subclasses
this screen. What the user may not do is hidden from the footer (``check_action``) and, when the key is
pressed anyway, refused with the reason — read-only profile, production not elevated, or a resource the
API does not let us change.

Nothing of the write workflow (the editor, the journal, the form screens, pydantic models) is imported
with this module: the explorer paints before connecting, and these are imported inside the commands that
use them (issue 15, first paint). The explorer imports them in its connecting thread, so the first ``e``
does not wait for them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.screen import Screen

from isptui.errors import BackendError, MethodRefused, NotSupported
from isptui.ui.places import History, Place
from isptui.ui.profiles import ProfileEntry
from isptui.ui.text import clean, cut

if TYPE_CHECKING:
    from isptui.backends.base import Backend
    from isptui.edit.editor import Editor
    from isptui.edit.journal import JournalEntry
    from isptui.model import Action, Record, ResourceRef, Schema
    from isptui.ui.widgets.collection_view import CollectionView


def preload() -> None:
    """Import the write workflow (call it off the event loop, e.g. in the connecting thread)."""
    import isptui.edit.editor
    import isptui.edit.journal
    import isptui.ui.edit  # noqa: F401

CAPABILITY = {"edit": "can_update", "new": "can_create", "delete": "can_delete"}
VERB = {"edit": "edited", "new": "created here", "delete": "deleted"}


class ElevateCommand(Provider):
    """The command palette's "Elevate" entry on a production explorer."""

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, WriteCommands) or not screen.can_elevate:
            return
        matcher = self.matcher(query)
        text = "Elevate: allow writes on this production profile (ctrl+e)"
        score = matcher.match(text)
        if score > 0:
            yield Hit(score, matcher.highlight(text), screen.action_elevate, help="Typed confirmation first")


class WriteCommands(Screen[None]):
    """Edit (e), new (n), delete (d), actions (a), undo (u) and elevate (ctrl+e) for one connected profile."""

    COMMANDS = {ElevateCommand}
    BINDINGS = [
        Binding("e", "edit", "Edit", id="isptui.edit"),
        Binding("e", "refuse('edit')", "", show=False, id="isptui.edit"),
        Binding("n", "new", "New", id="isptui.new"),
        Binding("n", "refuse('new')", "", show=False, id="isptui.new"),
        Binding("d", "delete", "Delete", id="isptui.delete"),
        Binding("d", "refuse('delete')", "", show=False, id="isptui.delete"),
        Binding("a", "actions", "Actions", id="isptui.actions"),
        Binding("a", "refuse('actions')", "", show=False, id="isptui.actions"),
        Binding("u", "undo", "Undo", show=False, id="isptui.undo"),
        Binding("u", "refuse('undo')", "", show=False, id="isptui.undo"),
        Binding("ctrl+e", "elevate", "Elevate", id="isptui.elevate"),
        Binding("ctrl+e", "refuse('elevate')", "", show=False, id="isptui.elevate"),
    ]

    backend: Backend | None
    """None until the connection is made (the explorer paints first); every write command waits for it."""
    editor: Editor
    profile: ProfileEntry
    history: History
    record: Record | None

    def setup_writes(self) -> None:
        """One Editor (and journal, masking this profile's secrets) per connection; undo sees only this session."""
        from isptui.edit.editor import Editor
        from isptui.edit.journal import Journal

        assert self.backend is not None
        journal = Journal(secrets=tuple(self.profile.secrets))
        self.editor = Editor(self.backend, journal, self.profile.name, session_started=time.time())
        self.set_class(self.profile.production, "-production")

    if TYPE_CHECKING:
        # Provided by ExplorerScreen, the only subclass; declared here for the type checker only, so a
        # missing one is a type error, not a NotImplementedError at run time.
        def _collection(self) -> CollectionView | None: ...

        def open_place(self, place: Place, *, record_history: bool = True) -> None: ...

        def show_error_notice(self, error: BackendError) -> None: ...

        def action_back(self) -> None: ...

    # -- what is allowed here ----------------------------------------------------------------------
    @property
    def can_elevate(self) -> bool:
        return self.profile.production and self.backend is not None and self.backend.read_only

    @property
    def read_only(self) -> bool:
        """Whether writes are refused right now (before connecting: as the profile says; production
        profiles start read-only)."""
        if self.backend is None:
            return self.profile.read_only or self.profile.production
        return self.backend.read_only

    def badges(self) -> list[str]:
        """The status line's flags: production, read-only right now, elevated."""
        out = [b for b in self.profile.badges if b != "READ-ONLY"]
        if self.read_only:
            out.insert(1 if self.profile.production else 0, "READ-ONLY")
        elif self.profile.production:
            out.insert(1, "ELEVATED")
        return out

    def target_record(self) -> Record | None:
        """The record a command acts on: the one shown, or the row under the cursor of a collection."""
        view = self._collection()
        if view is not None:
            # Asked by the footer while the view is still being mounted, so the table may not exist yet.
            tables = view.query("RecordTable")
            return tables.first().cursor_record if tables else None
        return self.record

    def target_collection(self) -> ResourceRef | None:
        """The collection ``n`` creates in: the one shown, or the shown record's."""
        view = self._collection()
        if view is not None:
            return view.ref
        if self.record is not None and self.record.ref.collection:
            from isptui.model import ResourceRef  # a record is shown, so it is imported already

            return ResourceRef(collection=self.record.ref.collection)
        return None

    def read_only_reason(self) -> str:
        name = clean(self.profile.name)
        if self.profile.production:
            return f"{name} is a production profile and read-only until you elevate: ctrl+e (Elevate)."
        return (f"{name} is a read-only profile: only reads are sent. Connect without --read-only "
                "(or read_only = false) to write.")

    def refusal(self, command: str) -> str | None:
        """Why ``command`` cannot run here, or None when it can."""
        if self.backend is None:
            return f"Still connecting to {clean(self.profile.name)}; {command} works once connected."
        if command == "actions":
            return "This view has no actions: open a record that offers some (⚡ lines)."
        if command == "elevate":
            if not self.profile.production:
                return f"{clean(self.profile.name)} is not a production profile; there is nothing to elevate."
            return None if self.backend.read_only else "Writes are already allowed for this session."
        if self.backend.read_only:
            return self.read_only_reason()
        if command == "undo":
            return None
        if command == "new":
            ref = self.target_collection()
            if ref is None:
                return "Open a collection first: n creates a record in the collection shown."
            if not self.backend.capabilities(ref).can_create:
                return f"{clean(ref.label())} does not accept new records ({self.backend.title} does not allow it)."
            return None
        record = self.target_record()
        if record is None:
            return f"Open a record (or put the cursor on a row) first: {command[0]} acts on it."
        # A list row carries the collection's capabilities at best; the full record, read first, decides then.
        if self._collection() is None and not getattr(record.capabilities, CAPABILITY[command]):
            return f"{clean(record.ref.label())} cannot be {VERB[command]}: {self.backend.title} does not allow it."
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "actions":
            # Shown on a record that has actions; on a collection row it still works (refuse passes it on)
            # but stays out of the footer, which has no room left at 80 columns.
            return bool(self._collection() is None and self.record and self.record.actions)
        if action in CAPABILITY or action in ("undo", "elevate"):
            return self.refusal(action) is None
        return True

    def action_refuse(self, command: str) -> None:
        if command == "actions" and self._collection() is not None:
            self.action_actions()
            return
        reason = self.refusal(command) or "Not available here."
        self.notify(reason, title="Not allowed" if self.read_only else command.capitalize(), markup=False,
                    severity="warning")

    # -- after a write -----------------------------------------------------------------------------
    def show_stored(self, record: Record | None = None, *, gone: ResourceRef | None = None) -> None:
        """Show what the server now holds: the created record, the reloaded view, or (deleted) the way back.

        After a create the new record is opened (``escape`` returns to the collection), since what the
        server filled in (id, defaults) is what the user wants to check.
        """
        view = self._collection()
        if record is not None:
            self.open_place(Place("record", f"{record.id} {record.title}".strip(), ref=record.ref))
            return
        if view is not None:
            view.refresh_rows()
            return
        current = self.history.current
        shown_ref = self.record.ref if self.record is not None else None
        if gone is not None and shown_ref is not None and (
                shown_ref.collection, shown_ref.id) == (gone.collection, gone.id):
            # The record shown is the one deleted: reading it again can only answer 404. Go back, or to its
            # collection when there is no way back.
            if self.history.can_back:
                self.action_back()
            elif gone.collection:
                from isptui.model import ResourceRef  # see the module's docstring

                self.open_place(Place("collection", gone.collection, ref=ResourceRef(collection=gone.collection)))
            return
        if current is not None:
            self.open_place(current, record_history=False)

    def _note_secret_fields(self, schema: Schema) -> None:
        names = {spec.name for spec in schema.fields if spec.secret}
        self.editor.journal.secret_fields = self.editor.journal.secret_fields | names

    # -- e / n -------------------------------------------------------------------------------------
    def action_edit(self) -> None:
        record = self.target_record()
        if record is not None:
            self.edit_record(record)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def edit_record(self, record: Record) -> None:
        """Read the full record and its schema, then open the form; show what was stored after a save."""
        from isptui.model import ResourceRef  # see the module's docstring
        from isptui.ui.edit import RecordFormScreen

        collection = ResourceRef(collection=record.ref.collection) if record.ref.collection else record.ref
        try:
            full = await self.backend.get(record.ref)
            schema = await self.backend.schema(collection)
        except BackendError as exc:
            self.show_error_notice(exc)
            return
        if not full.capabilities.can_update:
            self.notify(f"{clean(full.ref.label())} cannot be edited: {self.backend.title} does not allow it.",
                        title="Edit", severity="warning", markup=False)
            return
        self._note_secret_fields(schema)
        stored = await self.app.push_screen_wait(RecordFormScreen(
            schema, full, title=f"Edit {cut(full.title, 50)} ({full.ref.label()})", editor=self.editor,
            collection_ref=collection, production=self.profile.production))
        if stored is not None:
            self.show_stored()

    def action_new(self) -> None:
        ref = self.target_collection()
        if ref is not None:
            self.new_record(ref)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def new_record(self, ref: ResourceRef) -> None:
        """An empty form from the collection's schema; after the save, the record as the server stored it."""
        from isptui.ui.edit import RecordFormScreen  # see the module's docstring

        try:
            schema = await self.backend.schema(ref)
        except BackendError as exc:
            self.show_error_notice(exc)
            return
        self._note_secret_fields(schema)
        stored = await self.app.push_screen_wait(RecordFormScreen(
            schema, None, title=f"New record in {ref.label()}", editor=self.editor, collection_ref=ref,
            production=self.profile.production))
        if stored is not None:
            self.show_stored(stored)

    # -- d ---------------------------------------------------------------------------------------
    def action_delete(self) -> None:
        record = self.target_record()
        if record is not None:
            self.delete_record(record)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def delete_record(self, record: Record) -> None:
        """Re-read (the journal keeps the full before-image for undo), confirm, delete, show the way back."""
        from isptui.ui.edit import confirm_and_delete  # see the module's docstring

        try:
            full = await self.backend.get(record.ref)
        except BackendError as exc:
            self.show_error_notice(exc)
            return
        if not full.capabilities.can_delete:
            self.notify(f"{clean(full.ref.label())} cannot be deleted: {self.backend.title} does not allow it.",
                        title="Delete", severity="warning", markup=False)
            return
        if await confirm_and_delete(self.app, self.editor, full, production=self.profile.production):
            self.show_stored(gone=full.ref)

    # -- a ---------------------------------------------------------------------------------------
    def action_actions(self) -> None:
        record = self.target_record()
        if record is None:
            self.notify("Open a record first; a lists its actions.", title="Actions")
            return
        self.choose_action(record)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def choose_action(self, record: Record) -> None:
        """The record's actions in a chooser (dangerous ones hidden while read-only), then run the chosen one."""
        from isptui.ui.screens.dialogs import ChooseScreen

        if not record.actions and self._collection() is not None:
            try:
                record = await self.backend.get(record.ref)
            except BackendError as exc:
                self.show_error_notice(exc)
                return
        offered = self.offered_actions(record)
        if not offered:
            hidden = " (those that write are hidden: " + self.read_only_reason() + ")" if record.actions else ""
            self.notify(f"{clean(record.ref.label())} has no actions{hidden}.", title="Actions", markup=False)
            return
        lines = [f"{a.title or a.name}  ({a.method}{', dangerous' if a.dangerous else ''}"
                 f"{', asks for input' if a.parameters else ''})" for a in offered]
        title = f"Actions · {record.ref.label()}"
        if len(offered) < len(record.actions):
            title += " · writes hidden (read-only)"
        index = await self.app.push_screen_wait(ChooseScreen(title, lines))
        if index is not None:
            await self._run_action(record, offered[index])

    def offered_actions(self, record: Record) -> list[Action]:
        """The record's actions this session may run: under read-only only those that do not write."""
        return [a for a in record.actions if not (self.backend.read_only and a.writes)]

    def run_action(self, action: Action) -> None:
        """Run ``action`` on the shown record (enter on a ⚡ line), with the same checks as ``a``."""
        if self.record is not None:
            self.run_action_worker(self.record, action)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def run_action_worker(self, record: Record, action: Action) -> None:
        await self._run_action(record, action)

    async def _run_action(self, record: Record, action: Action) -> None:
        from isptui.ui.edit import ConfirmActionScreen, DiffPreviewScreen, ParameterFormScreen
        from isptui.ui.edit.confirm import describe_error  # (these: see the module's docstring)

        if action.writes and self.backend.read_only:
            self.notify(f"{action.name} writes to the server. {self.read_only_reason()}", title="Not allowed",
                        severity="warning", markup=False)
            return
        if self.backend.read_only:
            # Any action is a write (even one the API takes as GET): refused before a preview is offered.
            self.notify(f"read-only profile: refused action {action.name!r}; nothing was sent. "
                        f"{self.read_only_reason()}", title="Not allowed", severity="warning", markup=False)
            return
        params: dict[str, Any] = {}
        if action.parameters:
            asked = await self.app.push_screen_wait(ParameterFormScreen(
                f"{action.title or action.name} · {record.ref.label()}", action.parameters,
                confirm_label=action.title or action.name, production=self.profile.production))
            if asked is None:
                return
            params = asked
        try:
            plan = self.editor.plan_action(record, action, params)
        except BackendError as exc:
            self.notify(describe_error(exc), title=exc.title, severity="error", markup=False)
            return
        production = self.profile.production
        note = ("This may interrupt the subscriber's service and cannot be undone." if action.dangerous
                else "Actions cannot be undone.")
        while True:
            # Every action is previewed as the request it sends (the same object is then sent).
            if not await self.app.push_screen_wait(DiffPreviewScreen(plan, production=production, note=note)):
                return
            if action.dangerous and production:
                confirmed = await self.app.push_screen_wait(ConfirmActionScreen(
                    f"Run {action.name} on {record.ref.label()}?",
                    f"{action.title or action.name} on {record.title} ({record.ref.label()}). {note}",
                    confirm_label=action.name, typed=record.id or record.ref.label(),
                    request_lines=plan.request_lines, production=production))
                if not confirmed:
                    return
            try:
                outcome = await self.editor.apply(plan)
            except MethodRefused as exc:
                other = self.editor.other_verb(plan)
                if other is None:
                    self.notify(describe_error(exc), title=exc.title, severity="error", markup=False)
                    return
                note = f"{exc.message}. The same action as {other.method} instead:"
                plan = other
                continue
            except BackendError as exc:
                self.notify(describe_error(exc), title=exc.title, severity="error", markup=False)
                return
            break
        if outcome.journal_error:
            self.notify(clean(outcome.summary()), title="Not journalled", severity="warning", markup=False)
        self._show_action_result(record, action, outcome.answer)
        self.show_stored()

    def _show_action_result(self, record: Record, action: Action, result: Any) -> None:
        from isptui.model import Record
        from isptui.ui.edit import ActionResultScreen  # (these: see the module's docstring)

        label = record.ref.label()
        if isinstance(result, dict | list) and result:
            self.app.push_screen(ActionResultScreen(f"{action.name} on {label}: the server answered", result,
                                                    secrets=self.profile.secrets))
            return
        detail = f" → {result.ref.label()}" if isinstance(result, Record) else (
            f": {cut(clean(str(result)), 60)}" if result not in (None, "", [], {}) else "")
        self.notify(f"{action.name} sent to {label}{detail}", title="Action done", markup=False)

    # -- u ---------------------------------------------------------------------------------------
    def action_undo(self) -> None:
        entry = self.editor.last_write()
        if entry is None:
            self.notify("Nothing to undo: no write of this session is left in the journal.", title="Undo")
            return
        if entry.kind == "action":
            self.notify(f"The last write was the action {entry.note or entry.method} on "
                        f"{_target(entry)}; isptui cannot reverse actions. Reverse it in the system itself.",
                        title="Cannot undo", severity="warning", markup=False)
            return
        self.undo_write(entry)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def undo_write(self, entry: JournalEntry) -> None:
        """Say what will be restored, confirm, then undo through the Editor and show the result."""
        from isptui.edit.editor import describe_undo
        from isptui.model import ResourceRef
        from isptui.ui.edit import ConfirmActionScreen, DiffPreviewScreen
        from isptui.ui.edit.confirm import describe_error  # (these: see the module's docstring)

        schema: Schema | None = None
        collection = ResourceRef(collection=entry.collection) if entry.collection else None
        if entry.kind == "delete" and (collection is None or not self.backend.capabilities(collection).can_create):
            self.notify(f"Cannot undo the delete of {_target(entry)}: {self.backend.title} does not let "
                        "isptui create records there, so it cannot be re-created.", title="Cannot undo",
                        severity="warning", markup=False)
            return
        if collection is not None and entry.kind != "create":
            try:
                schema = await self.backend.schema(collection)
            except BackendError as exc:
                self.show_error_notice(exc)
                return
        production = self.profile.production
        try:
            # Re-reads the record: what moved since the journalled write comes back as plan.conflicts.
            plan = await self.editor.plan_undo(entry, schema)
        except NotSupported as exc:
            self.notify(f"Cannot undo: {exc.message}", title="Cannot undo", severity="warning", markup=False)
            return
        except BackendError as exc:
            self.notify(describe_error(exc), title=f"Undo failed: {exc.title}", severity="error", markup=False)
            return
        note = undo_detail(entry, schema)
        if plan.conflicts:
            note += ("\nSomeone changed this record after that write: before / after / now are shown per field. "
                     "Confirm only if the values from before should replace what is there now.")
        if not await self.app.push_screen_wait(DiffPreviewScreen(plan, schema=schema, production=production,
                                                                  note=note)):
            return
        if production:
            confirmed = await self.app.push_screen_wait(ConfirmActionScreen(
                f"Undo the {entry.kind} of {_target(entry)}?", note, confirm_label="Undo",
                typed=entry.record_id or _target(entry), request_lines=plan.request_lines, production=production))
            if not confirmed:
                return
        try:
            outcome = await self.editor.apply(plan)
        except BackendError as exc:
            self.notify(describe_error(exc), title=f"Undo failed: {exc.title}", severity="error", markup=False)
            return
        done = describe_undo(entry, outcome)
        self.notify(clean(f"Undone: {done}"), title="Undo", markup=False)
        gone = ResourceRef(collection=entry.collection, id=entry.record_id) if entry.kind == "create" else None
        self.show_stored(gone=gone)

    # -- ctrl+e ----------------------------------------------------------------------------------
    def action_elevate(self) -> None:
        if not self.can_elevate:
            self.action_refuse("elevate")
            return

        def decided(ok: bool | None) -> None:
            if not ok:
                return
            assert self.backend is not None
            self.backend.elevate()
            self.add_class("-elevated")
            self.on_elevated()
            self.refresh_bindings()
            self.notify(f"Writes allowed on {clean(self.profile.name)} until isptui exits. Every write still "
                        "shows a preview and asks first.", title="Elevated", severity="warning", markup=False)

        from isptui.ui.edit import ElevateScreen  # see the module's docstring

        self.app.push_screen(ElevateScreen(self.profile.name), decided)

    def on_elevated(self) -> None:
        """Hook for the explorer to redraw its status line."""


def _target(entry: JournalEntry) -> str:
    return f"{entry.collection}/{entry.record_id}" if entry.collection and entry.record_id else entry.url


def undo_detail(entry: JournalEntry, schema: Schema | None = None) -> str:
    """What an undo will restore, in words and values (masked secrets stay masked and are not sent)."""
    from isptui.edit.journal import changed_fields
    from isptui.ui.edit.diff import shown  # (these: see the module's docstring)

    target = _target(entry)
    if entry.kind == "update":
        back = changed_fields(entry.after or {}, entry.before or {})
        if schema is not None and schema.fields:
            back = {k: v for k, v in back.items() if (spec := schema.field(k)) is not None and not spec.read_only}
        lines = [f"{target} gets back its values from before the write:"]
        for name, (now, then) in list(back.items())[:8]:
            lines.append(f"  {name}: {shown(now).plain} → {shown(then).plain}")
        if len(back) > 8:
            lines.append(f"  … and {len(back) - 8} more")
        if any(then == "***" for _, then in back.values()):
            lines.append("Secret fields were never journalled, so they are not restored.")
        return "\n".join(lines)
    if entry.kind == "create":
        return f"{target}, which that write created, will be deleted on the server."
    fields = entry.before or {}
    title = next((str(fields[k]) for k in ("name", "Name", "title", "fullname", "cpename") if fields.get(k)), "")
    return (f"{target} {title} will be re-created from the journal's copy ({len(fields)} fields; read-only and "
            "secret fields cannot be sent). The API may give it a new id.")
