"""Delete, dangerous actions and elevation: harmless button first, typed confirmation on production."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.widgets import Button

from isptui.backends.base import WriteRequest
from isptui.edit.editor import WritePlan
from isptui.errors import NotFound
from isptui.model import Record, ResourceRef
from isptui.ui.edit import ConfirmActionScreen, DiffPreviewScreen, ElevateScreen, confirm_and_delete
from tests.ui.edit.conftest import SIZE, Connected, Host, focused_button, screen_text, wait_for

CUSTOMERS = ResourceRef(collection="customers")
Make = Callable[[str], Awaitable[Connected]]


def deletes(conn: Connected) -> list[str]:
    return [r.path for r in conn.sandbox.received if r.method == "DELETE"]


async def test_delete_starts_on_cancel_and_enter_does_not_delete(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    record = await conn.backend.get(CUSTOMERS.model_copy(update={"id": "3"}))
    host = Host(flow=lambda app: confirm_and_delete(app, conn.editor, record, production=False))
    async with host.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Delete customers/3?" in screen_text(host), "the delete dialog")
        assert focused_button(host) == "Cancel"
        assert "DELETE http://sandbox.local/api/2.0/admin/customers/customer/3" in screen_text(host)
        await pilot.press("enter")
        await wait_for(pilot, lambda: host.results, "the flow to end")
    assert host.results == [False]
    assert deletes(conn) == []
    assert (await conn.backend.get(record.ref)).fields["name"] == record.fields["name"]


async def test_delete_on_a_plain_profile_needs_only_the_button(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    record = await conn.backend.get(CUSTOMERS.model_copy(update={"id": "3"}))
    host = Host(flow=lambda app: confirm_and_delete(app, conn.editor, record, production=False))
    async with host.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Delete customers/3?" in screen_text(host), "the delete dialog")
        await pilot.press("tab", "enter")  # Cancel -> Delete
        await wait_for(pilot, lambda: host.results, "the flow to end")
    assert host.results == [True]
    assert deletes(conn) == ["/api/2.0/admin/customers/customer/3"]
    with pytest.raises(NotFound):
        await conn.backend.get(record.ref)
    assert [e.kind for e in conn.journal.entries()] == ["delete"]


async def test_delete_on_production_needs_the_typed_id(backend_for: Make) -> None:
    conn = await backend_for("splynx")
    record = await conn.backend.get(CUSTOMERS.model_copy(update={"id": "4"}))
    host = Host(flow=lambda app: confirm_and_delete(app, conn.editor, record, production=True))
    async with host.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Delete customers/4?" in screen_text(host), "the delete dialog")
        assert focused_button(host) == "Cancel"
        delete = host.screen.query_one("#confirm", Button)
        assert delete.disabled
        await pilot.click("#typed")
        await pilot.press("1", "enter")  # a wrong id, then enter: nothing happens
        assert delete.disabled and host.results == []
        await pilot.press("backspace", "4")
        assert not delete.disabled
        await pilot.press("enter")  # enter in the box only moves to the button
        assert host.focused is delete and host.results == []
        assert deletes(conn) == []
        await pilot.press("enter")
        await wait_for(pilot, lambda: host.results, "the flow to end")
    assert host.results == [True]
    assert deletes(conn) == ["/api/2.0/admin/customers/customer/4"]


async def test_dangerous_action_on_production_needs_the_typed_id_and_escape_cancels() -> None:
    host = Host(lambda: ConfirmActionScreen("Reboot isp00001?", "The CPE restarts; the line drops for a minute.",
                                            confirm_label="Reboot", typed="1", production=True))
    async with host.run_test(size=SIZE) as pilot:
        assert focused_button(host) == "Cancel"
        assert host.screen.query_one("#confirm", Button).disabled
        await pilot.press("escape")
        await wait_for(pilot, lambda: host.results, "the dialog to close")
    assert host.results == [False]


@pytest.mark.parametrize(("typed", "allowed"), [("prod-splyn", False), ("prod-splynx", True), ("elevate", True)])
async def test_elevate_needs_the_profile_name_or_the_word_elevate(typed: str, allowed: bool) -> None:
    host = Host(lambda: ElevateScreen("prod-splynx"))
    async with host.run_test(size=SIZE) as pilot:
        assert "prod-splynx is a production profile" in screen_text(host)
        await pilot.press(*typed, "enter")
        await pilot.pause()
        if not allowed:
            assert host.results == [] and host.screen.query_one("#confirm", Button).disabled
            await pilot.press("escape")
        await wait_for(pilot, lambda: host.results, "the dialog to close")
    assert host.results == [allowed]


async def test_preview_renders_api_text_literally_and_masks_secret_fields() -> None:
    before = Record(ref=ResourceRef(collection="customers", id="9"), title="x",
                    fields={"name": "[bold red]Mallory[/]", "password": "hunter22"})
    values = {"name": "Eve\x1b[2J", "password": "s3cret-new"}
    request = WriteRequest("update", "PUT", "http://h/customers/9", before.ref, values, values,
                           ("PUT http://h/customers/9", '{"name": "Eve\\u001b[2J", "password": "s3cret-new"}'))
    plan = WritePlan("update", before.ref, values,
                     {"name": ("[bold red]Mallory[/]", "Eve\x1b[2J"), "password": ("hunter22", "s3cret-new")},
                     request, before=before)
    host = Host(lambda: DiffPreviewScreen(plan))
    async with host.run_test(size=SIZE) as pilot:
        text = screen_text(host)
        # The diff shows control characters as escapes (what is sent, exactly), never raw.
        assert "[bold red]Mallory[/]" in text and "Eve\\x1b[2J" in text and "\x1b" not in text
        assert "hunter22" not in text and "s3cret-new" not in text
        assert focused_button(host) == "Back"
        await pilot.press("escape")
        await wait_for(pilot, lambda: host.results, "the preview to close")
    assert host.results == [False]
