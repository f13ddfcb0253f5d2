"""The record form on Krill: a CPE edit with a switch and a secret, PATCH of only what changed, journal masked."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.widgets import Input, Switch

from isptui.edit.editor import Editor
from isptui.edit.journal import Journal
from isptui.model import Record, ResourceRef
from isptui.sandbox import create_sandbox
from isptui.ui.edit import DiffPreviewScreen, RecordFormScreen
from tests.ui.edit.conftest import (
    SIZE,
    Connected,
    Host,
    connect,
    field_input,
    reach,
    screen_text,
    type_into,
    wait_for,
)

CPES = ResourceRef(collection="isp/cpes")
CUSTOMERS = ResourceRef(collection="isp/customers")
Make = Callable[[str], Awaitable[Connected]]


async def test_cpe_edit_patches_only_changed_fields_and_never_shows_or_journals_the_secret(backend_for: Make
                                                                                           ) -> None:
    conn = await backend_for("krill")
    schema = await conn.backend.schema(CPES)
    record = await conn.backend.get(CPES.model_copy(update={"id": "1"}))
    old_wifi = record.fields["wifi_password"]
    host = Host(lambda: RecordFormScreen(schema, record, title=f"Edit {record.title}", editor=conn.editor,
                                         collection_ref=CPES, production=True))
    async with host.run_test(size=SIZE) as pilot:
        assert old_wifi not in screen_text(host)
        secret: Input = field_input(host, "wifi_password")
        assert secret.password and secret.value == ""  # the stored secret never enters a widget
        await type_into(pilot, field_input(host, "wifi_ssid"), "KRILL-NEW")
        await type_into(pilot, secret, "brand-new-wifi-pw")
        bridge: Switch = field_input(host, "bridge")
        bridge.focus()
        await pilot.press("enter")  # toggles the switch
        assert bridge.value is (not record.fields["bridge"])
        assert field_input(host, "created").disabled  # read-only is shown but locked
        assert "PRODUCTION" in screen_text(host)
        conn.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
        preview = screen_text(host)
        assert "KRILL-NEW" in preview and "bridge" in preview
        assert "brand-new-wifi-pw" not in preview and old_wifi not in preview
        assert "wifi_password" in preview and "PATCH" in preview
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: host.results, "the form to close")
    stored = host.results[0]
    assert isinstance(stored, Record) and stored.fields["wifi_ssid"] == "KRILL-NEW"
    writes = conn.writes()
    assert [(m, p) for m, p, _ in writes] == [("PATCH", "/api/v2/isp/cpes/1/")]
    assert json.loads(writes[0][2]) == {"wifi_ssid": "KRILL-NEW", "wifi_password": "brand-new-wifi-pw",
                                        "bridge": not record.fields["bridge"]}
    fetched = await conn.backend.get(record.ref)
    assert fetched.fields["wifi_password"] == "brand-new-wifi-pw"
    assert fetched.fields["pppoe_password"] == record.fields["pppoe_password"]
    journal = conn.journal.stored_text().replace("sandbox.local", "")  # the origin written to is kept
    for secret_value in ("brand-new-wifi-pw", old_wifi, record.fields["pppoe_password"], "sandbox"):
        assert secret_value not in journal
    entry = conn.journal.entries()[0]
    assert entry.after["wifi_ssid"] == "KRILL-NEW" and entry.after["wifi_password"] == "***"


@pytest.mark.parametrize("quirks, verb", [("drf-detail-options-only", "PATCH"),
                                          ("drf-detail-options-only,patch-405", "PUT")])
async def test_a_field_drf_marks_read_only_is_shown_locked_and_never_sent(tmp_path: Path, quirks: str,
                                                                          verb: str) -> None:
    """The write schema comes only from the record's OPTIONS (actions.PUT); its read_only fields (id,
    created, updated) are on the form but locked, and neither a PATCH nor a full PUT carries them."""
    sandbox = create_sandbox("krill", customers=5, quirks=quirks)
    backend = await connect("krill", sandbox)
    try:
        schema = await backend.schema(CUSTOMERS)
        locked = {f.name for f in schema.fields if f.read_only}
        record = await backend.get(CUSTOMERS.model_copy(update={"id": "2"}))
        editor = Editor(backend, Journal(path=tmp_path / "journal.jsonl"), "demo-krill")
        host = Host(lambda: RecordFormScreen(schema, record, title=f"Edit {record.title}", editor=editor,
                                             collection_ref=CUSTOMERS))
        async with host.run_test(size=SIZE) as pilot:
            await reach(pilot)
            created = field_input(host, "created")
            assert created.disabled and created.value == str(record.fields["created"])  # shown, locked
            created.focus()
            await pilot.press("9")
            assert created.value == str(record.fields["created"]) and host.focused is not created
            await type_into(pilot, field_input(host, "city"), "Lockton")
            sandbox.clear_received()
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
            await pilot.press("tab", "enter")
            await wait_for(pilot, lambda: host.results, "the form to close")
    finally:
        await backend.close()
    writes = [(r.method, r.path, json.loads(r.body)) for r in sandbox.received if r.method in ("PATCH", "PUT")]
    assert [(m, p) for m, p, _ in writes] == [(verb, "/api/v2/isp/customers/2/")]
    body = writes[0][2]
    assert locked >= {"id", "created", "updated"} and body["city"] == "Lockton"
    assert not locked & set(body), f"read-only fields sent: {sorted(locked & set(body))}"
