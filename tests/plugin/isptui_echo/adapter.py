"""The Echo adapter: built on isptui's shared HttpBackend like the built-in ones."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from isptui.backends.http_backend import HttpBackend
from isptui.errors import AuthFailed
from isptui.model import EntryPoint, FieldSpec, Page, PageRequest, Record, ResourceRef, Schema
from isptui_echo import DESCRIPTOR


class EchoAuth(httpx.Auth):
    requires_response_body = True  # httpx reads the login answer for us, sync or async

    def __init__(self, key: str, base: str) -> None:
        self.key, self.base, self.token = key, base, ""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self.token:
            response = yield httpx.Request("POST", self.base + "login", json={"key": self.key})
            if response.status_code != 200:
                raise AuthFailed("Echo refused the key; check --echo-key")
            self.token = response.json()["token"]
        request.headers["Authorization"] = f"Echo {self.token}"
        yield request


class EchoBackend(HttpBackend):
    descriptor = DESCRIPTOR
    vendor = "Echo"
    api_path = "/echo/"

    def _make_auth(self) -> httpx.Auth:
        key = self.settings.credentials.get("echo_key", "")
        if not key:
            raise AuthFailed("Echo needs --echo-key")
        return EchoAuth(key, self.base_url)

    async def _probe(self) -> None:
        await self._send("GET", "parrots")

    async def discover(self) -> list[EntryPoint]:
        return [EntryPoint(key="parrots", title="Parrots", ref=ResourceRef(collection="parrots"))]

    def _record(self, row: dict) -> Record:
        return Record(ref=ResourceRef(collection="parrots", id=str(row["id"])), title=row["name"], fields=row)

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        rows = self._json(await self._send("GET", "parrots"))
        window = rows[request.offset:request.offset + request.limit]
        return Page(items=tuple(self._record(r) for r in window), offset=request.offset, total=len(rows))

    async def get(self, ref: ResourceRef) -> Record:
        return self._record(self._json(await self._send("GET", f"parrots/{ref.id}")))

    async def schema(self, ref: ResourceRef) -> Schema:
        return Schema(fields=(FieldSpec(name="id"), FieldSpec(name="name")))
