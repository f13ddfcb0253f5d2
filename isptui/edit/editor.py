"""The one write path below the UI: form values → plan (re-read, diff) → preview → send → read back → journal.

Every write and every action goes through here; the form screens, the action chooser, undo in the UI and
``isptui journal undo`` only plan, show and confirm. It never imports Textual, so every rule is tested
without a terminal:

- the preview *is* the request: a plan carries the ``WriteRequest`` the adapter built, and ``apply`` sends
  that object, so preview, request, request log and journal show one method, URL and body;
- only fields the user touched are sent in a PATCH; a PUT carries every other writable field exactly as
  read (byte-identical);
- after a write the record is read back and each field whose stored value differs from what was sent is
  reported (a server that silently drops a read-only field does not get "Saved");
- a write the server accepted is never sent again, even when the journal could not be written;
- undo re-reads the record and, where it moved since the journalled write, shows before / after / now per
  field before anything is sent; it refuses another server than the one written to.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from isptui.backends.base import Backend, WriteRequest
from isptui.edit.journal import Journal, JournalEntry, changed_fields, origin_of, same_value
from isptui.errors import Conflict, NotSupported, WriteUnconfirmed
from isptui.model import Action, FieldSpec, Record, ResourceRef, Schema

WriteKind = Literal["create", "update", "delete", "action"]


@dataclass
class WritePlan:
    """One write, planned: what changes, and the request that will carry it (``request.preview`` is shown).

    ``sent`` turns true once the request left; a sent plan is never sent again.
    """

    kind: WriteKind
    ref: ResourceRef
    values: dict[str, Any]
    changes: dict[str, tuple[Any, Any]]
    request: WriteRequest
    before: Record | None = None
    partial: bool = True
    undo_of: str | None = None
    conflicts: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)
    """For an undo: field -> (before the write, after it, now on the server) where "now" is not "after"."""
    schema: Schema | None = None
    sent: bool = False

    @property
    def request_lines(self) -> list[str]:
        return list(self.request.preview)

    @property
    def method(self) -> str:
        return self.request.method


@dataclass
class WriteOutcome:
    """What a write did: the record read back (or an action's answer), what was not stored, the journal entry."""

    plan: WritePlan
    record: Record | None = None
    answer: Any = None
    not_stored: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """field -> (sent, stored) where the server holds something else than was sent."""
    entry: JournalEntry | None = None
    journal_error: str = ""

    def summary(self) -> str:
        """One line for the user: saved, saved-but-not-stored fields, or written-but-not-journalled."""
        label = self.plan.ref.label()
        done = {"create": "Created", "update": "Saved", "delete": "Deleted", "action": "Sent"}[self.plan.kind]
        text = f"{done} {self.record.ref.label() if self.record is not None else label}"
        if self.not_stored:
            names = ", ".join(sorted(self.not_stored))
            text = (f"Written to {label}, but the server did not store what was sent for: {names} "
                    "(read-only there, or changed by the server)")
        if self.journal_error:
            text += f"; written to the server, not journalled ({self.journal_error}). It will not be sent again"
        return text


@dataclass
class Editor:
    """Carries out writes for one connected backend and records them in the journal."""

    backend: Backend
    journal: Journal
    profile: str
    session_started: float = field(default=0.0)

    @property
    def origin(self) -> str:
        return origin_of(self.backend.settings.url)

    # -- planning --------------------------------------------------------------------------------
    def plan_update(self, record: Record, edited: Mapping[str, Any], schema: Schema, *,
                    method: str | None = None, partial: bool | None = None) -> WritePlan:
        """Changed fields only for a partial update; for a full one every writable field, untouched ones as read.

        ``edited`` holds the form's values; a field whose value equals the stored one is not a change.
        """
        writable = [s.name for s in schema.fields if not s.read_only] or list(edited)
        names = [n for n in writable if n in edited]
        changes = {k: (record.fields.get(k), edited[k]) for k in names if not _unchanged(record.fields.get(k), edited[k])}
        partial = record.capabilities.partial_update if partial is None else partial
        if method is not None:
            partial = method != "PUT"
        if partial:
            values = {k: new for k, (_, new) in changes.items()}
        else:
            # Untouched fields go back exactly as the server sent them, never as the form rendered them.
            values = {k: record.fields[k] for k in writable if k in record.fields}
            values.update({k: new for k, (_, new) in changes.items()})
        request = self.backend.prepare("update", record.ref, values, partial=partial, method=method)
        return WritePlan("update", record.ref, values, changes, request, before=record, partial=partial,
                         schema=schema)

    def plan_create(self, collection: ResourceRef, values: Mapping[str, Any]) -> WritePlan:
        sent = {k: v for k, v in values.items() if v not in (None, "")}
        changes = {k: (None, v) for k, v in sent.items()}
        return WritePlan("create", collection, sent, changes, self.backend.prepare("create", collection, sent))

    def plan_delete(self, record: Record) -> WritePlan:
        changes = {k: (v, None) for k, v in record.fields.items()}
        return WritePlan("delete", record.ref, {}, changes, self.backend.prepare("delete", record.ref),
                         before=record)

    def plan_action(self, record: Record, action: Action, params: Mapping[str, Any] | None = None, *,
                    method: str | None = None) -> WritePlan:
        params = dict(params or {})
        request = self.backend.prepare("action", record.ref, params, action=action, record=record, method=method)
        return WritePlan("action", record.ref, params, {}, request, before=record)

    def other_verb(self, plan: WritePlan) -> WritePlan | None:
        """The same write with the other verb (PUT↔PATCH, GET↔POST) and a fresh request, after a 405."""
        verb = plan.request.other_verb
        if verb is None:
            return None
        if plan.kind == "update" and plan.before is not None:
            if plan.undo_of is not None:
                request = self.backend.prepare("update", plan.ref, plan.values, partial=verb != "PUT", method=verb)
                return WritePlan("update", plan.ref, plan.values, plan.changes, request, before=plan.before,
                                 partial=verb != "PUT", undo_of=plan.undo_of, conflicts=plan.conflicts)
            edited = {k: new for k, (_, new) in plan.changes.items()}
            schema = plan.schema or Schema(fields=tuple(FieldSpec(name=n) for n in plan.values))
            return self.plan_update(plan.before, edited, schema, method=verb)
        if plan.kind == "action" and plan.before is not None and plan.request.action is not None:
            return self.plan_action(plan.before, plan.request.action, plan.values, method=verb)
        return None

    # -- checking --------------------------------------------------------------------------------
    async def find_conflict(self, plan: WritePlan) -> Conflict | None:
        """Re-read the record; report fields that changed on the server since the form opened."""
        if plan.before is None or plan.kind == "create":
            return None
        current = await self.backend.get(plan.ref)
        moved = changed_fields(dict(plan.before.fields), dict(current.fields))
        if not moved:
            return None
        return Conflict(f"{plan.ref.label()} changed on the server since it was read: {', '.join(moved)}",
                        fields=moved, current=current)

    # -- writing ---------------------------------------------------------------------------------
    async def apply(self, plan: WritePlan) -> WriteOutcome:
        """Send ``plan.request`` (once), read back, report unstored fields, journal it.

        A write the server accepted but whose read-back failed is journalled all the same (with what was
        sent as the after-image) and the WriteUnconfirmed is re-raised, so the user is told and undo works.
        A journal failure after an accepted write is reported in the outcome, never by sending again.
        """
        if plan.sent:
            raise NotSupported(f"this {plan.kind} of {plan.ref.label()} was already sent to the server; "
                               "it is not sent again")
        before = dict(plan.before.fields) if plan.before is not None and plan.kind != "action" else None
        try:
            result = await self.backend.execute(plan.request)
        except WriteUnconfirmed as exc:
            plan.sent = True
            ref = exc.ref if isinstance(exc.ref, ResourceRef) else plan.ref
            sent = exc.sent if isinstance(exc.sent, dict) else dict(plan.values)
            after = None if plan.kind == "delete" else {**(before or {}), **sent}
            await self._safe_record(plan, ref, before=before, after=after, note=f"unconfirmed: {exc.message}")
            raise
        plan.sent = True
        outcome = WriteOutcome(plan)
        if isinstance(result, Record) and plan.kind != "action":
            outcome.record = result
            outcome.not_stored = _not_stored(plan.values, result)
            after: Any = dict(result.fields)
            ref = result.ref if plan.kind == "create" else plan.ref
        elif plan.kind == "action":
            outcome.answer = result
            stored = dict(result.fields) if isinstance(result, Record) else result
            action = plan.request.action
            after = {"action": action.name if action else "", "params": plan.values, "result": stored}
            ref = plan.ref
        else:
            after, ref = None, plan.ref
        note = action_name(plan)
        if outcome.not_stored:
            note = (note + "; " if note else "") + "not stored: " + ", ".join(sorted(outcome.not_stored))
        outcome.entry, outcome.journal_error = await self._safe_record(plan, ref, before=before, after=after,
                                                                       note=note)
        return outcome

    async def _safe_record(self, plan: WritePlan, ref: ResourceRef, *, before: Any, after: Any,
                           note: str = "") -> tuple[JournalEntry | None, str]:
        # In a thread: masking and writing out the record's before and after, and SQLite's commit, take tens
        # of milliseconds for a big record (or a slow disk) and would stall the UI's loop.
        try:
            entry = await asyncio.to_thread(partial(self._record, plan, ref, before=before, after=after, note=note))
            return entry, ""
        except (OSError, sqlite3.Error) as exc:
            return None, str(exc) or type(exc).__name__

    def _record(self, plan: WritePlan, ref: ResourceRef, *, before: Any, after: Any, note: str = "") -> JournalEntry:
        request = plan.request
        return self.journal.append(
            profile=self.profile, backend=self.backend.name, origin=self.origin, kind=plan.kind,
            method=request.method, url=request.url, collection=ref.collection, record_id=ref.id,
            before=before, after=after, sent=plan.values if request.method != "DELETE" else None,
            undo_of=plan.undo_of, note=note)

    # -- undo ------------------------------------------------------------------------------------
    def last_write(self) -> JournalEntry | None:
        return self.journal.last_undoable(self.profile, since=self.session_started)

    async def plan_undo(self, entry: JournalEntry, schema: Schema | None = None) -> WritePlan:
        """The write that reverses ``entry``, after re-reading the record; ``conflicts`` says what moved since.

        Raises NotSupported (saying why) for another backend or server, an action, or a record gone.
        """
        if entry.backend != self.backend.name:
            raise NotSupported(f"journal entry {entry.id} belongs to {entry.backend}, not {self.backend.name}")
        if entry.origin and entry.origin != self.origin:
            raise NotSupported(f"journal entry {entry.id} was written to {entry.origin}; this connection is "
                               f"{self.origin or 'another server'}, so undo is refused")
        if entry.kind == "action":
            raise NotSupported(f"journal entry {entry.id} is the action {entry.note or entry.method}; "
                               "isptui cannot reverse actions")
        ref = _ref_of(entry)
        collection = ResourceRef(collection=entry.collection) if entry.collection else ref
        if schema is None and entry.kind in ("update", "delete"):
            schema = await self.backend.schema(collection)
        writable = {s.name for s in schema.fields if not s.read_only} if schema and schema.fields else None
        if entry.kind == "update":
            before, after = entry.before or {}, entry.after or {}
            current = await self.backend.get(ref)
            names = [k for k in changed_fields(before, after) if k in before and before[k] != "***"
                     and (writable is None or k in writable)]
            restore = {k: before[k] for k in names}
            conflicts = {k: (before[k], after.get(k), current.fields.get(k)) for k in names
                         if k in current.fields and not same_value(current.fields.get(k), after.get(k))}
            request = self.backend.prepare("update", ref, restore, partial=True)
            changes = {k: (current.fields.get(k), v) for k, v in restore.items()}
            return WritePlan("update", ref, restore, changes, request, before=current, undo_of=entry.id,
                             conflicts=conflicts)
        if entry.kind == "create":
            current = await self.backend.get(ref)
            after = entry.after or {}
            conflicts = {k: (None, v, current.fields.get(k)) for k, v in after.items()
                         if k in current.fields and v != "***" and not same_value(current.fields.get(k), v)}
            return WritePlan("delete", ref, {}, {k: (v, None) for k, v in current.fields.items()},
                             self.backend.prepare("delete", ref), before=current, undo_of=entry.id,
                             conflicts=conflicts)
        if entry.kind == "delete":
            # Re-created from writable fields only: ids, timestamps and other server-kept fields are refused.
            image = {k: v for k, v in (entry.before or {}).items() if v != "***"
                     and (writable is None or k in writable)}
            request = self.backend.prepare("create", collection, image)
            return WritePlan("create", collection, image, {k: (None, v) for k, v in image.items()}, request,
                             undo_of=entry.id)
        raise NotSupported(f"journal entry {entry.id} ({entry.kind}) cannot be undone")

    async def undo(self, entry: JournalEntry, schema: Schema | None = None, *, force: bool = False) -> str:
        """Plan and apply an undo; refuses (Conflict) when the record moved since, unless ``force``."""
        plan = await self.plan_undo(entry, schema)
        if plan.conflicts and not force:
            raise Conflict(f"{plan.ref.label()} changed since journal entry {entry.id}: "
                           + ", ".join(plan.conflicts), fields={k: (a, n) for k, (_, a, n) in plan.conflicts.items()})
        outcome = await self.apply(plan)
        return describe_undo(entry, outcome)


def describe_undo(entry: JournalEntry, outcome: WriteOutcome) -> str:
    plan = outcome.plan
    if plan.kind == "update":
        text = f"restored {len(plan.values)} field(s) of {plan.ref.label()}"
    elif plan.kind == "delete":
        text = f"deleted {plan.ref.label()}, which the undone write had created"
    else:
        new = outcome.record.ref if outcome.record is not None else plan.ref
        text = f"re-created {new.label()}" + ("" if new.id == entry.record_id else
                                              f" (the API gave a new id; it was {entry.record_id})")
    if outcome.journal_error:
        text += f"; written to the server, not journalled ({outcome.journal_error})"
    return text


def action_name(plan: WritePlan) -> str:
    return plan.request.action.name if plan.request.action is not None else ""


def _not_stored(sent: Mapping[str, Any], stored: Record) -> dict[str, tuple[Any, Any]]:
    """Fields the read-back holds differently from what was sent (fields it does not show are not judged)."""
    return {k: (v, stored.fields.get(k)) for k, v in sent.items()
            if k in stored.fields and not same_value(v, stored.fields.get(k))}


def _unchanged(old: Any, new: Any) -> bool:
    """Whether a form value is the stored one: strings compare exactly (a TAB is not a space), numbers and
    booleans in the API's own style (``5`` and ``5.0``), and empty is empty (None or "")."""
    if old == new or (old in (None, "") and new in (None, "")):
        return True
    if isinstance(old, str) and isinstance(new, str):
        return False
    return same_value(old, new)


def _ref_of(entry: JournalEntry) -> ResourceRef:
    if entry.collection:
        return ResourceRef(collection=entry.collection, id=entry.record_id)
    return ResourceRef(href=entry.url)
