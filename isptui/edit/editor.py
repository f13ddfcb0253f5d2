"""The write workflow below the UI: plan → preview → conflict check → write → read back → journal → undo.

The form screens call this; it never imports Textual, so every safety rule is tested without a terminal:
only changed fields are sent where the API takes partial updates, the record is re-read before an update,
every successful write lands in the journal, and undo reverses the last one where the API allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from isptui.backends.base import Backend
from isptui.edit.journal import Journal, JournalEntry, changed_fields
from isptui.errors import NotSupported, WriteUnconfirmed
from isptui.model import Record, ResourceRef, Schema

WriteKind = Literal["create", "update", "delete"]
HTTP_VERB = {"create": "POST", "update": "PATCH", "delete": "DELETE"}


@dataclass(frozen=True)
class WritePlan:
    """What a write will do, for the diff preview: the changes and the exact request lines."""

    kind: WriteKind
    ref: ResourceRef
    values: dict[str, Any]
    changes: dict[str, tuple[Any, Any]]
    request_lines: list[str]
    before: Record | None = None
    partial: bool = True


@dataclass(frozen=True)
class Conflict:
    """Fields that changed on the server since the form opened: name -> (when opened, now)."""

    fields: dict[str, tuple[Any, Any]]
    current: Record


@dataclass
class Editor:
    """Carries out writes for one connected backend and records them in the journal."""

    backend: Backend
    journal: Journal
    profile: str
    session_started: float = field(default=0.0)

    # -- planning --------------------------------------------------------------------------------
    def plan_update(self, record: Record, edited: Mapping[str, Any], schema: Schema) -> WritePlan:
        writable = [s.name for s in schema.fields if not s.read_only] or list(edited)
        changes = changed_fields(dict(record.fields), dict(edited), [n for n in writable if n in edited])
        partial = record.capabilities.partial_update
        values = {k: new for k, (_, new) in changes.items()} if partial else {
            k: edited[k] for k in writable if k in edited}
        lines = self.backend.describe_write("PATCH" if partial else "PUT", record.ref, values)
        return WritePlan("update", record.ref, values, changes, lines, before=record, partial=partial)

    def plan_create(self, collection: ResourceRef, values: Mapping[str, Any]) -> WritePlan:
        sent = {k: v for k, v in values.items() if v not in (None, "")}
        changes = {k: (None, v) for k, v in sent.items()}
        return WritePlan("create", collection, sent, changes, self.backend.describe_write("POST", collection, sent))

    def plan_delete(self, record: Record) -> WritePlan:
        changes = {k: (v, None) for k, v in record.fields.items()}
        lines = self.backend.describe_write("DELETE", record.ref, {})
        return WritePlan("delete", record.ref, {}, changes, lines, before=record)

    # -- checking --------------------------------------------------------------------------------
    async def find_conflict(self, plan: WritePlan) -> Conflict | None:
        """Re-read the record; report fields that changed on the server since the form opened."""
        if plan.before is None:
            return None
        current = await self.backend.get(plan.ref)
        moved = changed_fields(dict(plan.before.fields), dict(current.fields))
        return Conflict(moved, current) if moved else None

    # -- writing ---------------------------------------------------------------------------------
    async def apply(self, plan: WritePlan) -> Record | None:
        """Send the write; journal it with before- and after-images once the server accepted it.

        A write the server accepted but whose read-back failed is journalled all the same (with what was
        sent as the after-image) and the WriteUnconfirmed is re-raised, so the user is told and undo works.
        """
        before = dict(plan.before.fields) if plan.before else None
        try:
            if plan.kind == "update":
                after = await self.backend.update(plan.ref, plan.values, partial=plan.partial)
                self._record(plan, plan.ref, before=before, after=dict(after.fields))
                return after
            if plan.kind == "create":
                created = await self.backend.create(plan.ref, plan.values)
                self._record(plan, created.ref, before=None, after=dict(created.fields))
                return created
            await self.backend.delete(plan.ref)
        except WriteUnconfirmed as exc:
            ref = exc.ref if isinstance(exc.ref, ResourceRef) else plan.ref
            sent = exc.sent if isinstance(exc.sent, dict) else dict(plan.values)
            after = None if plan.kind == "delete" else {**(before or {}), **sent}
            self._record(plan, ref, before=before, after=after, note=f"unconfirmed: {exc.message}")
            raise
        self._record(plan, plan.ref, before=before, after=None)
        return None

    def _record(self, plan: WritePlan, ref: ResourceRef, *, before: Any, after: Any,
                undo_of: str | None = None, note: str = "") -> JournalEntry:
        return self.journal.append(
            profile=self.profile, backend=self.backend.name, kind=plan.kind, method=HTTP_VERB[plan.kind],
            url=ref.href or ref.label(), collection=ref.collection, record_id=ref.id,
            before=before, after=after, undo_of=undo_of, note=note)

    # -- undo ------------------------------------------------------------------------------------
    def last_write(self) -> JournalEntry | None:
        return self.journal.last_undoable(self.profile, since=self.session_started)

    async def undo(self, entry: JournalEntry, schema: Schema | None = None) -> str:
        """Reverse one journalled write; returns what was done, raises NotSupported saying why not."""
        if entry.backend != self.backend.name:
            raise NotSupported(f"journal entry {entry.id} belongs to {entry.backend}, not {self.backend.name}")
        ref = _ref_of(entry)
        if entry.kind == "update":
            before, after = entry.before or {}, entry.after or {}
            restore = {k: old for k, (old, _) in changed_fields(before, after).items() if k in before}
            restore = {k: v for k, v in restore.items() if v != "***"}
            if schema is not None and schema.fields:
                # Server-kept fields (``updated``, ids) moved by themselves; sending them back could be refused.
                writable = {s.name for s in schema.fields if not s.read_only}
                restore = {k: v for k, v in restore.items() if k in writable}
            plan = WritePlan("update", ref, restore, changed_fields(after, before), [], partial=True)
            await self.backend.update(ref, restore, partial=True)
            self._record(plan, ref, before=after, after=before, undo_of=entry.id)
            return f"restored {len(restore)} field(s) of {ref.label()}"
        if entry.kind == "create":
            plan = WritePlan("delete", ref, {}, {}, [])
            await self.backend.delete(ref)
            self._record(plan, ref, before=entry.after, after=None, undo_of=entry.id)
            return f"deleted {ref.label()}, which the undone write had created"
        if entry.kind == "delete":
            image = {k: v for k, v in (entry.before or {}).items() if v != "***"}
            if schema is not None and schema.fields:
                writable = {s.name for s in schema.fields if not s.read_only}
                image = {k: v for k, v in image.items() if k in writable}
            collection = ResourceRef(collection=entry.collection) if entry.collection else ref
            created = await self.backend.create(collection, image)
            plan = WritePlan("create", collection, image, {}, [])
            self._record(plan, created.ref, before=None, after=dict(created.fields), undo_of=entry.id)
            same = created.ref.id == entry.record_id
            return f"re-created {created.ref.label()}" + ("" if same else
                                                          f" (the API gave a new id; it was {entry.record_id})")
        raise NotSupported(f"journal entry {entry.id} ({entry.kind}) cannot be undone")


def _ref_of(entry: JournalEntry) -> ResourceRef:
    if entry.collection:
        return ResourceRef(collection=entry.collection, id=entry.record_id)
    return ResourceRef(href=entry.url)
