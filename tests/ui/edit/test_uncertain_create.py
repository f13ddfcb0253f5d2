"""A create whose answer was lost may have happened: saving again asks first, with Cancel focused."""

from __future__ import annotations

from pathlib import Path

import httpx

from isptui.backends.base import BackendSettings, load_backend
from isptui.edit.editor import Editor
from isptui.edit.journal import Journal
from isptui.model import ResourceRef
from isptui.sandbox import create_sandbox
from isptui.ui.edit import ConfirmActionScreen, DiffPreviewScreen, RecordFormScreen
from tests.ui.edit.conftest import (
    CREDENTIALS,
    SIZE,
    URL,
    Host,
    field_input,
    focused_button,
    type_into,
    wait_for,
)
from tests.ui.screen_text import screen_text

CUSTOMERS = ResourceRef(collection="customers")


class LoseFirstCreateAnswer(httpx.AsyncBaseTransport):
    """The server applies the first POST, but its answer arrives cut in half (like a proxy dropping it)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/customers/customer"):
            self.posts += 1
            body = await response.aread()
            if self.posts == 1:
                return httpx.Response(response.status_code, headers={"content-type": "application/json"},
                                      content=body[: len(body) // 2], request=request)
            return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)
        return response


async def test_saving_a_create_again_after_a_lost_answer_asks_first(tmp_path: Path) -> None:
    sandbox = create_sandbox("splynx", customers=10)
    transport = LoseFirstCreateAnswer(sandbox.transport())
    backend = load_backend("splynx")(BackendSettings(url=URL, credentials=CREDENTIALS["splynx"],
                                                     transport=transport, retries=0))
    await backend.connect()
    try:
        schema = await backend.schema(CUSTOMERS)
        editor = Editor(backend, Journal(path=tmp_path / "journal.jsonl"), "demo-splynx")
        host = Host(lambda: RecordFormScreen(schema, None, title="New customer", editor=editor,
                                             collection_ref=CUSTOMERS))
        async with host.run_test(size=SIZE) as pilot:
            for name, value in {"name": "Only Once", "partner_id": "1", "location_id": "1",
                                "category": "person", "login": "only-once"}.items():
                await type_into(pilot, field_input(host, name), value)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the diff preview")
            await pilot.press("tab", "enter")
            await wait_for(pilot, lambda: "Malformed" in screen_text(host), "the failure on the form")
            assert isinstance(host.screen, RecordFormScreen)
            assert field_input(host, "name").value == "Only Once"  # the input survives
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(host.screen, ConfirmActionScreen), "the may-have-worked question")
            assert "may already exist" in screen_text(host)
            assert focused_button(host) == "Cancel"
            await pilot.press("enter")  # Cancel
            await wait_for(pilot, lambda: isinstance(host.screen, RecordFormScreen), "the form again")
    finally:
        await backend.close()
    assert transport.posts == 1  # the record was created once, and not sent again
