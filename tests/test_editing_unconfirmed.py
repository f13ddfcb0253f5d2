"""A write the server accepted but could not be read back is journalled once and reported, not retried."""

from __future__ import annotations

import asyncio
import time
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


class SlowDiskJournal(Journal):
    """A journal on a slow disk (a network home, a busy SD card): each append waits half a second."""

    def append(self, **values):  # type: ignore[no-untyped-def]
        time.sleep(0.5)
        return super().append(**values)


async def test_the_journal_is_written_off_the_event_loop(tmp_path: Path) -> None:
    """Masking a record's before and after, writing them out and SQLite's commit took ~15 ms on the loop for a
    1 MB note, and as long as the disk takes: the UI froze for a save's journal entry. Now in a thread.
    (Waiting on a disk costs no CPU, which the stall detector times, so a ticker measures the loop's gaps.)"""
    sandbox = create_sandbox("splynx", customers=10)
    settings = BackendSettings(url="http://sandbox.local", transport=sandbox.transport(), retries=0,
                               credentials={"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"})
    backend = load_backend("splynx")(settings)
    await backend.connect()
    try:
        ref = ResourceRef(collection="customers", id="2")
        record, schema = await backend.get(ref), await backend.schema(ref)
        editor = Editor(backend, SlowDiskJournal(path=tmp_path / "journal.sqlite"), "demo-splynx")
        plan = editor.plan_update(record, {"name": "Journalled Apart"}, schema)
        gaps: list[float] = []

        async def tick() -> None:
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        try:
            outcome = await editor.apply(plan)
        finally:
            ticker.cancel()
    finally:
        await backend.close()
    assert outcome.entry is not None and outcome.journal_error == ""
    assert [e.after["name"] for e in editor.journal.entries()] == ["Journalled Apart"]
    assert max(gaps) < 0.35, f"the loop stood still {max(gaps):.2f} s while the journal was written"
