"""A write the server accepted but could not be read back is journalled once and reported, not retried."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from isptui.backends.base import BackendSettings, load_backend
from isptui.edit.editor import Editor
from isptui.edit.journal import Journal
from isptui.errors import WriteUnconfirmed
from isptui.model import ResourceRef
from isptui.sandbox import create_sandbox


class FailReadAfterWrite(httpx.AsyncBaseTransport):
    """Passes everything to the sandbox, but answers the first GET after a PUT with a 500."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.armed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.armed and request.method == "GET":
            self.armed = False
            return httpx.Response(500, json={"error": {"message": "boom", "code": 500,
                                                       "internal_code": "SERVER_ERROR"}}, request=request)
        response = await self.inner.handle_async_request(request)
        if request.method == "PUT":
            self.armed = True
        return response


async def test_update_accepted_but_unread_is_journalled_once(tmp_path: Path) -> None:
    sandbox = create_sandbox("splynx", customers=10)
    transport = FailReadAfterWrite(sandbox.transport())
    settings = BackendSettings(url="http://sandbox.local", transport=transport, retries=0,
                               credentials={"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"})
    backend = load_backend("splynx")(settings)
    await backend.connect()
    try:
        ref = ResourceRef(collection="customers", id="2")
        record = await backend.get(ref)
        schema = await backend.schema(ref)
        editor = Editor(backend, Journal(path=tmp_path / "journal.jsonl"), "demo-splynx")
        plan = editor.plan_update(record, {"name": "Unconfirmed Name"}, schema)
        with pytest.raises(WriteUnconfirmed) as info:
            await editor.apply(plan)
        stored = await backend.get(ref)
    finally:
        await backend.close()
    assert "accepted the write" in info.value.message
    assert stored.fields["name"] == "Unconfirmed Name"
    puts = [r for r in sandbox.received if r.method == "PUT"]
    assert len(puts) == 1  # never sent twice
    entries = editor.journal.entries()
    assert len(entries) == 1 and entries[0].kind == "update"
    assert entries[0].after["name"] == "Unconfirmed Name"
    assert entries[0].note.startswith("unconfirmed:")
