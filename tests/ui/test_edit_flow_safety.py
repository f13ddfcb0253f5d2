"""Safety of the explorer's writes: read-only profiles, production elevation, dangerous actions, action forms."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input

from isptui.errors import NotFound
from isptui.model import ResourceRef
from isptui.sandbox import create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.edit import (
    ActionResultScreen,
    ConfirmActionScreen,
    DiffPreviewScreen,
    ElevateScreen,
    ParameterFormScreen,
)
from isptui.ui.launch import demo_profiles
from isptui.ui.screens.dialogs import ChooseScreen
from isptui.ui.screens.explorer import ExplorerScreen
from tests.ui.conftest import SIZE, adapter_or_skip, settle
from tests.ui.edit.conftest import wait_for
from tests.ui.screen_text import screen_text
from tests.ui.test_edit_flow import READS, journal_dir, notices, open_ref  # noqa: F401  (fixture)

CPE = ResourceRef(collection="isp/cpes", id="1")


async def choose(pilot: Any, label: str) -> None:
    """Pick the chooser line that starts with ``label`` using the arrow keys and enter."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChooseScreen), "the action chooser")
    lines = [str(line) for line in app.screen.lines]
    index = next(i for i, line in enumerate(lines) if line.startswith(label))
    await pilot.press(*(["down"] * index), "enter")


async def test_read_only_profile_sends_nothing_but_reads_whatever_the_user_tries(demo_app) -> None:
    app, sandbox = demo_app("krill", customers=20, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ref(pilot, CPE)
        footer = screen_text(app).splitlines()[-1]
        assert "Edit" not in footer and "Delete" not in footer and "New" not in footer
        assert "READ-ONLY" in screen_text(app)
        sandbox.clear_received()
        for key in ("e", "n", "d", "u"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ExplorerScreen), f"{key} opened {app.screen!r}"
        assert notices(app).count("read-only profile") >= 3
        await pilot.press("a")  # every CPE action writes (POST): none is offered, and the notice says why
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert "those that write are hidden" in notices(app)
        reboot = next(a for a in screen.record.actions if a.name == "reboot")  # type: ignore[union-attr]
        screen.run_action(reboot)  # as if enter reached a ⚡ line: refused before any request
        await settle(pilot)
        assert "reboot writes to the server" in notices(app)
        await pilot.press("r")  # reads still work
        await settle(pilot)
        assert sandbox.received, "the refresh should have read the record again"
        assert {r.method for r in sandbox.received} <= set(READS)


def production_app(backend: str) -> tuple[IspApp, Any]:
    adapter_or_skip(backend)
    sandbox = create_sandbox("all", customers=20, seed=1)
    profiles = demo_profiles(sandbox, (backend,), read_only=True)
    profiles[0].production = True
    return IspApp(profiles, start=profiles[0].name, show_latency=False), sandbox


async def test_production_needs_elevation_then_the_typed_id_to_delete() -> None:
    app, sandbox = production_app("splynx")
    ref = ResourceRef(collection="customers", id="7")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ref(pilot, ref)
        assert "PRODUCTION" in screen_text(app) and "READ-ONLY" in screen_text(app)
        sandbox.clear_received()
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and "ctrl+e" in notices(app)
        assert app.backend is not None
        with pytest.raises(Exception, match="read-only"):  # the HTTP guard, not only the UI
            await app.backend.delete(ref)
        assert [r for r in sandbox.received if r.method not in READS] == []

        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ElevateScreen), "the elevation dialog")
        await pilot.press(*"demo-splynx", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer, elevated")
        await settle(pilot)
        assert "ELEVATED" in screen_text(app) and screen.has_class("-elevated")

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), "the delete confirmation")
        dialog = app.screen
        delete = dialog.query_one("#confirm", Button)
        assert delete.disabled and app.focused is dialog.query_one("#cancel", Button)
        dialog.query_one("#typed", Input).focus()
        await pilot.press("7")
        await pilot.pause()
        assert not delete.disabled
        await pilot.press("enter", "enter")  # enter in the box moves to Delete; enter presses it
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after deleting")
        await settle(pilot)
        assert [(r.method, r.path) for r in sandbox.received if r.method == "DELETE"] == [
            ("DELETE", "/api/2.0/admin/customers/customer/7")]
        with pytest.raises(NotFound):
            await app.backend.get(ref)


async def test_krill_reboot_from_a_reaches_the_cpe_after_confirmation(demo_app) -> None:
    app, sandbox = demo_app("krill", customers=20)
    async with app.run_test(size=SIZE) as pilot:
        await open_ref(pilot, CPE)
        sandbox.clear_received()
        await pilot.press("a")
        await choose(pilot, "Reboot")
        # The preview is the request: POST to the action's URL, sent as shown once confirmed.
        await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the reboot preview")
        assert app.focused is app.screen.query_one("#back", Button)
        shown_request = app.screen.plan.request  # type: ignore[attr-defined]
        assert shown_request.method == "POST" and shown_request.url.endswith("/api/v2/isp/cpes/1/reboot/")  # the DRF slash, added before sending
        assert "POST http://" in screen_text(app)
        assert [r for r in sandbox.received if "reboot" in r.path] == []  # nothing before confirming
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: any("reboot" in r.path for r in sandbox.received), "the reboot request")
        assert [(r.method, r.path) for r in sandbox.received if "reboot" in r.path] == [
            ("POST", "/api/v2/isp/cpes/1/reboot/")]
        await settle(pilot)
        # The server's answer is shown as it came (a JSON body here), then escape returns to the record.
        assert isinstance(app.screen, ActionResultScreen), screen_text(app)
        assert "reboot on isp/cpes/1" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.backend is not None
        record = await app.backend.get(CPE)
        events = await app.backend.follow(next(link for link in record.links if link.rel == "events"))
        messages = [str(item.fields.get("message", "")) for item in events.items]  # type: ignore[union-attr]
        assert any("reboot" in m for m in messages)


async def test_carbon_add_payment_asks_for_the_amount_and_moves_the_balance(demo_app) -> None:
    app, sandbox = demo_app("carbon", customers=20)
    ref = ResourceRef(collection="Abonents", id="1")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ref(pilot, ref)
        before = float(screen.record.fields["balance"])  # type: ignore[union-attr]
        await pilot.press("a")
        await choose(pilot, "Add payment")
        await wait_for(pilot, lambda: isinstance(app.screen, ParameterFormScreen), "the payment form")
        await pilot.press("ctrl+s")  # the amount is required: the form stays
        await pilot.pause()
        assert isinstance(app.screen, ParameterFormScreen) and "is required" in screen_text(app)
        await pilot.press(*"25.50", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the payment preview")
        assert "add_payment" in screen_text(app)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after paying")
        await settle(pilot)
        assert app.backend is not None
        after = float((await app.backend.get(ref)).fields["balance"])
        assert after == pytest.approx(before + 25.50)
        assert float(screen.record.fields["balance"]) == pytest.approx(after)  # type: ignore[union-attr]
        assert "add_payment" in screen.editor.journal.stored_text()
        await pilot.press("u")
        await settle(pilot)
        assert "cannot reverse actions" in notices(app)


async def test_splynx_document_upload_from_a_file_path(demo_app, tmp_path: Path) -> None:
    """`a` on a customer → Upload document → a path → the sandbox stores the record and the file."""
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.4 signed contract for customer 2\n")
    app, sandbox = demo_app("splynx", customers=20)
    async with app.run_test(size=SIZE) as pilot:
        await open_ref(pilot, ResourceRef(collection="customers", id="2"))
        sandbox.clear_received()
        await pilot.press("a")
        await choose(pilot, "Upload a document")
        await wait_for(pilot, lambda: isinstance(app.screen, ParameterFormScreen), "the upload form")
        await pilot.press(*str(contract), "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the upload preview")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: any("--upload" in r.path for r in sandbox.received), "the upload request")
        await settle(pilot)
        upload = next(r for r in sandbox.received if "--upload" in r.path)
        assert upload.method == "POST" and b"%PDF-1.4 signed contract for customer 2" in upload.body
        doc_id = upload.path.rsplit("/", 1)[1].split("--")[0]
        assert app.backend is not None
        download = await app.backend.client.get(f"admin/config/download/customer_documents--{doc_id}")  # type: ignore[attr-defined]
    body = download.json()
    assert body["name"] == "contract.pdf"
    assert base64.b64decode(body["content"]) == contract.read_bytes()
