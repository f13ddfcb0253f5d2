"""The record form on Splynx, end to end against the sandbox: edit, create, validation, conflict, journal."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from textual.widgets import Input

from isptui.model import Record, ResourceRef
from isptui.ui.edit import ConflictScreen, DiffPreviewScreen, RecordFormScreen
from tests.ui.edit.conftest import (
    SIZE,
    Connected,
    Host,
    field_input,
    focused_button,
    screen_text,
    type_into,
    wait_for,
)

CUSTOMERS = ResourceRef(collection="customers")
Make = Callable[[str], Awaitable[Connected]]


async def open_form(conn: Connected, record_id: str | None = "1") -> tuple[Host, Record | None]:
    schema = await conn.backend.schema(CUSTOMERS)
    record = await conn.backend.get(CUSTOMERS.model_copy(update={"id": record_id})) if record_id else None
    title = f"Edit {record.title}" if record else "New customer"
    host = Host(lambda: RecordFormScreen(schema, record, title=title, editor=conn.editor,
                                         collection_ref=CUSTOMERS, production=False))
    return host, record


async def test_edit_customer_name_sends_only_that_field_and_stores_it(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    host, record = await open_form(conn)
    assert record is not None
    async with host.run_test(size=SIZE) as pilot:
        assert isinstance(host.screen, RecordFormScreen)
        await type_into(pilot, field_input(host, "name"), "Amelia Smith")
        conn.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
        shown = screen_text(host)
        assert record.fields["name"] in shown and "Amelia Smith" in shown
        assert "PUT http://sandbox.local/api/2.0/admin/customers/customer/1" in shown
        assert "sandbox-secret" not in shown
        assert focused_button(host) == "Back"
        assert conn.writes() == []  # the preview itself sends nothing
        await pilot.press("tab", "enter")  # Back -> Confirm
        await wait_for(pilot, lambda: host.results, "the form to close")
    stored = host.results[0]
    assert isinstance(stored, Record) and stored.fields["name"] == "Amelia Smith"
    puts = conn.writes()
    assert [(m, p) for m, p, _ in puts] == [("PUT", "/api/2.0/admin/customers/customer/1")]
    assert json.loads(puts[0][2]) == {"name": "Amelia Smith"}
    again = await conn.backend.get(ResourceRef(collection="customers", id="1"))
    assert again.fields["name"] == "Amelia Smith"
    entries = conn.journal.entries()
    assert len(entries) == 1 and entries[0].before["name"] == record.fields["name"]
    assert entries[0].after["name"] == "Amelia Smith"
    assert "sandbox-secret" not in conn.journal.stored_text()


async def test_back_from_the_preview_keeps_the_form_and_sends_nothing(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    host, _ = await open_form(conn)
    async with host.run_test(size=SIZE) as pilot:
        await type_into(pilot, field_input(host, "city"), "Galway")
        conn.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
        await pilot.press("enter")  # Back has focus
        await wait_for(pilot, lambda: isinstance(host.screen, RecordFormScreen), "the form again")
        assert field_input(host, "city").value == "Galway"
        assert host.results == []
    assert conn.writes() == []


async def test_client_side_errors_stay_on_their_fields_and_keep_the_input(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    host, _ = await open_form(conn)
    async with host.run_test(size=SIZE) as pilot:
        await type_into(pilot, field_input(host, "city"), "Typedtown")
        await type_into(pilot, field_input(host, "name"), "")
        await type_into(pilot, field_input(host, "date_add"), "23/11/2026")
        conn.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: host.screen.query(".-invalid"), "field errors")
        assert isinstance(host.screen, RecordFormScreen)
        invalid = {e.spec.name for e in host.screen.editors if e.has_class("-invalid")}
        assert invalid == {"name", "date_add"}
        text = screen_text(host)
        assert "is required" in text and "Fix 2 fields" in text
        assert field_input(host, "city").value == "Typedtown"
        assert field_input(host, "date_add").value == "23/11/2026"
        assert host.focused is field_input(host, "name")
    assert conn.sandbox.received == []  # nothing at all left the process


async def test_server_422_lands_on_its_field_and_keeps_the_input(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    other = await conn.backend.get(ResourceRef(collection="customers", id="2"))
    host, _ = await open_form(conn)
    async with host.run_test(size=SIZE) as pilot:
        await type_into(pilot, field_input(host, "login"), other.fields["login"])
        await type_into(pilot, field_input(host, "city"), "Kept")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: host.screen.query(".-invalid"), "the server's field error")
        login = next(e for e in host.screen.editors if e.spec.name == "login")
        assert login.has_class("-invalid")
        assert "already been taken" in screen_text(host)
        assert field_input(host, "login").value == other.fields["login"]
        assert field_input(host, "city").value == "Kept"
        assert host.results == []
    assert conn.journal.entries() == []


async def test_a_concurrent_change_shows_the_conflict_and_reload_refills(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    second = await backend_for("splynx")
    host, record = await open_form(conn)
    assert record is not None
    async with host.run_test(size=SIZE) as pilot:
        await second.backend.update(record.ref, {"city": "Changed Elsewhere"})
        await type_into(pilot, field_input(host, "name"), "Mine")
        conn.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, ConflictScreen), "the conflict dialog")
        text = screen_text(host)
        assert "city" in text and record.fields["city"] in text and "Changed Elsewhere" in text
        assert focused_button(host) == "Cancel"
        await pilot.press("tab", "enter")  # Cancel -> Reload
        await wait_for(pilot, lambda: isinstance(host.screen, RecordFormScreen), "the form again")
        assert field_input(host, "city").value == "Changed Elsewhere"
        assert field_input(host, "name").value == record.fields["name"]
        assert "Your edits were" in screen_text(host) and "Mine" in screen_text(host)
    assert conn.writes() == []


async def test_overwrite_after_a_conflict_writes_my_field_over_the_new_state(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    second = await backend_for("splynx")
    host, record = await open_form(conn)
    assert record is not None
    async with host.run_test(size=SIZE) as pilot:
        await second.backend.update(record.ref, {"city": "Changed Elsewhere"})
        await type_into(pilot, field_input(host, "name"), "Mine")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, ConflictScreen), "the conflict dialog")
        conn.sandbox.clear_received()
        await pilot.click("#overwrite")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: host.results, "the form to close")
    assert [json.loads(body) for m, _, body in conn.writes()] == [{"name": "Mine"}]
    stored = await conn.backend.get(record.ref)
    assert (stored.fields["name"], stored.fields["city"]) == ("Mine", "Changed Elsewhere")
    assert conn.journal.entries()[0].before["city"] == "Changed Elsewhere"


async def test_create_a_customer_posts_what_was_typed(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    host, _ = await open_form(conn, record_id=None)
    async with host.run_test(size=SIZE) as pilot:
        assert all(not e.spec.read_only for e in host.screen.editors)
        for name, value in {"name": "Newly Made", "partner_id": "1", "location_id": "1", "category": "person",
                            "login": "newly-made"}.items():
            await type_into(pilot, field_input(host, name), value)
        conn.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
        assert "POST" in screen_text(host) and "Newly Made" in screen_text(host)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: host.results, "the form to close")
    created = host.results[0]
    assert isinstance(created, Record) and created.id is not None
    posts = conn.writes()
    assert [m for m, _, _ in posts] == ["POST"]
    assert json.loads(posts[0][2]) == {"name": "Newly Made", "partner_id": "1", "location_id": "1",
                                       "category": "person", "login": "newly-made"}
    fetched = await conn.backend.get(created.ref)
    assert fetched.fields["login"] == "newly-made"


async def test_escape_closes_at_once_when_nothing_changed_and_asks_otherwise(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    host, _ = await open_form(conn)
    async with host.run_test(size=SIZE) as pilot:
        name: Input = field_input(host, "name")
        await type_into(pilot, name, "Half typed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Discard your changes?" in screen_text(host), "the discard question")
        await pilot.press("enter")  # "Keep editing" has focus
        await wait_for(pilot, lambda: isinstance(host.screen, RecordFormScreen), "the form again")
        assert field_input(host, "name").value == "Half typed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Discard your changes?" in screen_text(host), "the discard question")
        await pilot.click("#discard")
        await wait_for(pilot, lambda: host.results, "the form to close")
    assert host.results == [None]

    host2, _ = await open_form(conn)
    async with host2.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await wait_for(pilot, lambda: host2.results, "the form to close")
    assert host2.results == [None]


async def test_a_read_only_profile_shows_the_refusal_keeps_the_input_and_sends_only_reads(backend_for: Make
                                                                                          ) -> None:
    conn = await backend_for("splynx", read_only=True)
    host, _ = await open_form(conn)
    async with host.run_test(size=SIZE) as pilot:
        await type_into(pilot, field_input(host, "city"), "Nowhere")
        conn.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: "Read-only" in screen_text(host), "the refusal")
        assert isinstance(host.screen, RecordFormScreen) and host.results == []
        assert field_input(host, "city").value == "Nowhere"
    assert {r.method for r in conn.sandbox.received} <= {"GET", "HEAD", "OPTIONS"}
    assert conn.journal.entries() == []
