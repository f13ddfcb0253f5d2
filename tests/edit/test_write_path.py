"""The one write path on every backend: the preview is the request, writes are exact, undo never clobbers.

Each test is one numbered case of issue 13 and fails on the code before it: there the preview was built
apart from the request (Splynx PUT journalled as PATCH, Krill actions previewed POST and sent GET), the
journal kept no origin, undo sent the before-image blind, and a journal failure let the same write be sent
again.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from isptui.edit.editor import Editor
from isptui.edit.journal import Journal
from isptui.errors import Conflict, NotSupported
from isptui.model import FieldSpec, ResourceRef, Schema
from isptui.sandbox import create_sandbox
from tests.edit.conftest import TARGETS, URL, connect, ref_of

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _writes(sandbox):  # type: ignore[no-untyped-def]
    return [r for r in sandbox.received if r.method in WRITES and "login" not in r.path and "token" not in r.path
            and "auth" not in r.path]


@pytest.mark.parametrize("name", list(TARGETS))
async def test_preview_is_the_request_the_server_received_and_the_journal_entry(name: str, tmp_path: Path) -> None:
    sandbox = create_sandbox("all", customers=5)
    backend = await connect(name, sandbox=sandbox)
    try:
        editor = Editor(backend, Journal(path=tmp_path / "journal.sqlite3"), f"test-{name}")
        ref = ref_of(name)
        record = await backend.get(ref)
        schema = await backend.schema(ResourceRef(collection=ref.collection))
        plan = editor.plan_update(record, {TARGETS[name].other: "Exactville"}, schema)
        sandbox.clear_received()
        outcome = await editor.apply(plan)
    finally:
        await backend.close()
    request = plan.request
    (received,) = _writes(sandbox)
    # preview == request
    assert plan.request_lines[0].split()[:2] == [request.method, request.url]
    # request == what the server received
    assert received.method == request.method
    assert received.path == urlsplit(request.url).path
    if name != "carbon":  # Carbon posts a form-encoded chain; its body is checked in tests/backends/test_carbon.py
        body = received.json()
        assert {k: body[k] for k in request.body} == request.body
    # request == journal entry
    entry = outcome.entry
    assert entry is not None and (entry.method, entry.url) == (request.method, request.url)
    assert entry.origin == URL and entry.backend == name and entry.profile == f"test-{name}"
    assert editor.journal.entries() == [entry]


async def test_a_splynx_put_is_journalled_as_put() -> None:
    sandbox = create_sandbox("splynx", customers=5)
    backend = await connect("splynx", sandbox=sandbox)
    try:
        record = await backend.get(ref_of("splynx"))
        editor = Editor(backend, Journal(path=Path("/nonexistent-not-used")), "p")
        plan = editor.plan_update(record, {"city": "X"}, await backend.schema(ResourceRef(collection="customers")))
    finally:
        await backend.close()
    assert plan.method == "PUT" and plan.request_lines[0].startswith("PUT ")


async def test_untouched_fields_stay_out_of_a_patch_and_go_byte_identical_in_a_put(tmp_path: Path) -> None:
    sandbox = create_sandbox("krill", customers=5)
    backend = await connect("krill", sandbox=sandbox)
    tricky = "line one\r\n\tline two \x1b[31m [b]x[/b] 𝄞"
    try:
        editor = Editor(backend, Journal(path=tmp_path / "journal.sqlite3"), "p")
        ref = ref_of("krill")
        schema = await backend.schema(ResourceRef(collection=ref.collection))
        await editor.apply(editor.plan_update(await backend.get(ref), {"comment": tricky}, schema))
        record = await backend.get(ref)
        sandbox.clear_received()
        await editor.apply(editor.plan_update(record, {"city": "Patchville"}, schema))
        patch = _writes(sandbox)[-1]
        assert patch.method == "PATCH" and patch.json() == {"city": "Patchville"}
        record = await backend.get(ref)
        put = editor.plan_update(record, {"city": "Putville"}, schema, partial=False)
        sandbox.clear_received()
        await editor.apply(put)
        sent = _writes(sandbox)[-1]
        assert sent.method == "PUT" and sent.json()["comment"] == tricky
        assert (await backend.get(ref)).fields["comment"] == tricky
    finally:
        await backend.close()


async def test_a_field_the_server_silently_drops_is_reported_not_saved(tmp_path: Path) -> None:
    """DRF ignores a write to a read-only field and answers 200; the read-back shows it was not stored."""
    sandbox = create_sandbox("krill", customers=5)
    backend = await connect("krill", sandbox=sandbox)
    try:
        editor = Editor(backend, Journal(path=tmp_path / "journal.sqlite3"), "p")
        record = await backend.get(ref_of("krill"))
        believed = Schema(fields=(FieldSpec(name="created"), FieldSpec(name="city")))  # a schema that is wrong
        outcome = await editor.apply(editor.plan_update(record, {"created": "1999-01-01T00:00:00Z",
                                                                  "city": "Storedville"}, believed))
    finally:
        await backend.close()
    assert set(outcome.not_stored) == {"created"}
    assert outcome.not_stored["created"][0] == "1999-01-01T00:00:00Z"
    assert "did not store" in outcome.summary() and "created" in outcome.summary()
    assert not outcome.summary().startswith("Saved")
    assert outcome.entry is not None and "not stored: created" in outcome.entry.note


async def test_undo_shows_before_after_now_and_does_not_clobber_a_later_change(tmp_path: Path) -> None:
    sandbox = create_sandbox("krill", customers=5)
    backend = await connect("krill", sandbox=sandbox)
    try:
        editor = Editor(backend, Journal(path=tmp_path / "journal.sqlite3"), "p")
        ref = ref_of("krill")
        schema = await backend.schema(ResourceRef(collection=ref.collection))
        original = (await backend.get(ref)).fields["city"]
        await editor.apply(editor.plan_update(await backend.get(ref), {"city": "Mine"}, schema))
        entry = editor.last_write()
        assert entry is not None
        await backend.update(ref, {"city": "Colleague"})  # someone else, after my edit
        plan = await editor.plan_undo(entry)
        assert plan.conflicts == {"city": (original, "Mine", "Colleague")}
        sandbox.clear_received()
        with pytest.raises(Conflict):
            await editor.undo(entry)
        assert _writes(sandbox) == []  # asked, not sent
        assert (await backend.get(ref)).fields["city"] == "Colleague"
        await editor.undo(entry, force=True)  # the user confirmed the overwrite
        assert (await backend.get(ref)).fields["city"] == original
    finally:
        await backend.close()


async def test_undo_of_a_delete_recreates_from_writable_fields_only(tmp_path: Path) -> None:
    sandbox = create_sandbox("krill", customers=5)
    backend = await connect("krill", sandbox=sandbox)
    try:
        editor = Editor(backend, Journal(path=tmp_path / "journal.sqlite3"), "p")
        collection = ResourceRef(collection="isp/customers")
        schema = await backend.schema(collection)
        created = (await editor.apply(editor.plan_create(collection, {"name": "Del", "surname": "Me",
                                                                       "external_id": "del-me"}))).record
        assert created is not None
        await editor.apply(editor.plan_delete(await backend.get(created.ref)))
        entry = editor.last_write()
        assert entry is not None and entry.kind == "delete"
        plan = await editor.plan_undo(entry)
        writable = {s.name for s in schema.fields if not s.read_only}
        assert set(plan.values) <= writable and "id" not in plan.values and "created" not in plan.values
        outcome = await editor.apply(plan)
        assert outcome.record is not None and outcome.record.fields["external_id"] == "del-me"
    finally:
        await backend.close()


async def test_undo_is_refused_against_another_server(tmp_path: Path) -> None:
    sandbox = create_sandbox("krill", customers=5)
    journal = Journal(path=tmp_path / "journal.sqlite3")
    first = await connect("krill", sandbox=sandbox)
    try:
        ref = ref_of("krill")
        schema = await first.schema(ResourceRef(collection=ref.collection))
        editor = Editor(first, journal, "p")
        await editor.apply(editor.plan_update(await first.get(ref), {"city": "Here"}, schema))
        entry = editor.last_write()
    finally:
        await first.close()
    assert entry is not None and entry.origin == "http://sandbox.local"
    other = await connect("krill", sandbox=sandbox, url="http://other-billing.local")
    try:
        sandbox.clear_received()
        with pytest.raises(NotSupported, match="written to http://sandbox.local"):
            await Editor(other, journal, "p").plan_undo(entry)
        assert _writes(sandbox) == []
    finally:
        await other.close()


async def test_a_journal_failure_says_written_not_journalled_and_never_resends(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    sandbox = create_sandbox("krill", customers=5)
    backend = await connect("krill", sandbox=sandbox)
    try:
        editor = Editor(backend, Journal(path=blocker / "journal.sqlite3"), "p")
        ref = ref_of("krill")
        schema = await backend.schema(ResourceRef(collection=ref.collection))
        plan = editor.plan_update(await backend.get(ref), {"city": "Once"}, schema)
        sandbox.clear_received()
        outcome = await editor.apply(plan)
        assert outcome.journal_error and outcome.entry is None
        assert "written to the server, not journalled" in outcome.summary()
        with pytest.raises(NotSupported, match="already sent"):
            await editor.apply(plan)
        assert [r.method for r in _writes(sandbox)] == ["PATCH"]
    finally:
        await backend.close()


async def test_the_other_verb_is_a_fresh_preview_and_is_sent_as_previewed(tmp_path: Path) -> None:
    """After a 405 the write path offers the other verb (Krill's guide shows actions as GET): re-planned,
    so the new preview is again the request sent and journalled."""
    sandbox = create_sandbox("krill", customers=5)
    backend = await connect("krill", sandbox=sandbox)
    try:
        editor = Editor(backend, Journal(path=tmp_path / "journal.sqlite3"), "p")
        record = await backend.get(ResourceRef(collection="isp/cpes", id="1"))
        action = next(a for a in record.actions if a.name == "reboot")
        plan = editor.plan_action(record, action)
        assert plan.method == "POST" and plan.request.other_verb == "GET"
        other = editor.other_verb(plan)
        assert other is not None and other.method == "GET" and other.request_lines[0].startswith("GET ")
        sandbox.clear_received()
        outcome = await editor.apply(other)
        assert [r.method for r in sandbox.received if "reboot" in r.path] == ["GET"]
        assert outcome.entry is not None and (outcome.entry.method, outcome.entry.url) == ("GET", other.request.url)
    finally:
        await backend.close()


def test_journal_entry_json_keeps_the_exact_value(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "journal.sqlite3")
    value = "a\r\nb\tc\x1bd\x00e 𝄞"
    entry = journal.append(profile="p", backend="krill", kind="update", method="PATCH", url="u", collection="c",
                           record_id="1", before={"n": value}, after={"n": value + "!"})
    assert journal.get(entry.id).before["n"] == value  # type: ignore[union-attr]
    assert json.loads(json.dumps(entry.after))["n"] == value + "!"
