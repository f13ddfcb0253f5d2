"""A tiny in-memory Backend for export edge cases the sandbox has no data for (formulas, late columns)."""

from __future__ import annotations

from typing import Any

from isptui.backends.base import Backend, BackendSettings
from isptui.errors import ConnectionFailed
from isptui.model import EntryPoint, Page, PageRequest, Record, ResourceRef, Schema


class OneCollection(Backend):
    name = "fake"
    title = "Fake"

    def __init__(self, rows: list[dict[str, Any]], *, fail_at: int | None = None) -> None:
        super().__init__(BackendSettings(url="http://fake.invalid"))
        self.rows = rows
        self.fail_at = fail_at

    async def connect(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def discover(self) -> list[EntryPoint]:
        return [EntryPoint(key="things", title="Things", ref=ResourceRef(collection="things"))]

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        if self.fail_at is not None and request.offset >= self.fail_at:
            raise ConnectionFailed("the connection dropped")
        chunk = self.rows[request.offset:request.offset + request.limit]
        items = tuple(Record(ref=ResourceRef(collection="things", id=str(r["id"])), title=str(r["id"]), fields=r)
                      for r in chunk)
        return Page(items=items, offset=request.offset, total=len(self.rows))

    async def get(self, ref: ResourceRef) -> Record:
        raise ConnectionFailed("not here")

    async def schema(self, ref: ResourceRef) -> Schema:
        return Schema()
