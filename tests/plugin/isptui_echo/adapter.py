"""The Echo adapter: built on isptui's shared HttpBackend and token plumbing like the built-in ones."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from isptui.backends.base import BackendSettings, WriteRequest
from isptui.backends.http_backend import HttpBackend
from isptui.errors import AuthFailed
from isptui.http.errors import raise_for_status
from isptui.http.redact import Redactor
from isptui.http.token_auth import RenewingTokenAuth, with_client_headers
from isptui.model import (
    Capabilities,
    EntryPoint,
    FieldSpec,
    FilterSpec,
    Link,
    Page,
    PageRequest,
    Record,
    ResourceRef,
    Schema,
)
from isptui_echo import DESCRIPTOR

PARROTS = ResourceRef(collection="parrots")
CAN_ALL = Capabilities(can_create=True, can_update=True, can_delete=True, partial_update=False)


class EchoAuth(RenewingTokenAuth):
    """``Authorization: Echo <token>`` from ``POST login``; logged in again when it expires or is refused."""

    requires_response_body = True

    def __init__(self, key: str, base: str, redactor: Redactor, clock: Callable[[], float]) -> None:
        super().__init__()
        self.key, self.base, self.redactor, self.clock = key, base, redactor, clock
        self.token: str | None = None
        self.expires = self.early = 0.0

    def _fresh(self) -> bool:
        return self.token is not None and self.clock() + self.early < self.expires

    def _current(self) -> str | None:
        return self.token

    def _renew(self, force: bool, like: httpx.Request) -> Any:
        if self._fresh() and not force:
            return
        login = httpx.Request("POST", self.base + "login", json={"key": self.key})
        response = yield with_client_headers(login, like)
        if response.status_code in (400, 401, 403):
            raise AuthFailed("Echo refused the key; check --echo-key", method="POST",
                             url=self.redactor.url(login.url), status=response.status_code)
        raise_for_status(response, self.redactor)  # a failing server is not a refused key
        body = response.json()
        self.token = body["token"]
        self.redactor.add(self.token)
        # The server's own times: renew a little before expiry (5 s, or a quarter of a short lifetime).
        self.expires = float(body["expires_at"])
        self.early = min(5.0, (self.expires - float(body["issued_at"])) / 4)

    def _authorize(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Echo {self.token}"

    def _resendable(self, request: httpx.Request, response: httpx.Response) -> bool:
        return response.status_code == 401 and not request.url.path.endswith("/login")


class EchoBackend(HttpBackend):
    descriptor = DESCRIPTOR
    vendor = "Echo"
    api_path = "/echo/"

    def __init__(self, settings: BackendSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings)
        self._clock = clock

    def _make_auth(self) -> httpx.Auth:
        key = self.settings.credentials.get("echo_key", "")
        if not key:
            raise AuthFailed("Echo needs --echo-key")
        return EchoAuth(key, self.base_url, self._redactor, self._clock)

    async def _probe(self) -> None:
        await self._send("GET", "parrots", params={"limit": 1})

    async def discover(self) -> list[EntryPoint]:
        return [EntryPoint(key="parrots", title="Parrots", group="Birds", ref=PARROTS, capabilities=CAN_ALL)]

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        return CAN_ALL

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        return FilterSpec(server_side=True, fields=("name", "login", "colour"), hint=DESCRIPTOR.filter_help)

    def _record(self, row: dict) -> Record:
        ref = ResourceRef(collection="parrots", id=str(row["id"]))
        # Each parrot's neighbour, so a record has a link to follow.
        neighbour = ResourceRef(collection="parrots", id=str(int(row["id"]) + 1))
        links = (Link(rel="next-parrot", href=f"{self.base_url}parrots/{neighbour.id}", target=neighbour),)
        return Record(ref=ref, title=row["name"], fields=row, raw=row, links=links, capabilities=CAN_ALL)

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        offset = int(request.cursor) if request.cursor else request.offset
        params = {"offset": offset, "limit": request.limit}
        if request.filter:
            field, _, value = request.filter.partition("=")
            params.update({field.strip(): value.strip()} if value else {"name": field.strip()})
        body = self._json(await self._send("GET", "parrots", params=params))
        items = tuple(self._record(r) for r in body["items"])
        more = offset + len(items) < body["total"]
        return Page(items=items, offset=offset, total=body["total"],
                    next_cursor=str(offset + len(items)) if more else None)

    async def get(self, ref: ResourceRef) -> Record:
        return self._record(self._json(await self._send("GET", f"parrots/{ref.id}")))

    async def follow(self, link: Link) -> Record | Page:
        return await self._follow_target(link)

    async def schema(self, ref: ResourceRef) -> Schema:
        return Schema(fields=(FieldSpec(name="id", read_only=True), FieldSpec(name="name", required=True),
                              FieldSpec(name="login"), FieldSpec(name="colour")))

    # -- writing: prepare builds the request the preview shows, execute sends that very request ------
    def prepare(self, kind: str, ref: ResourceRef, values: Mapping[str, Any] | None = None, *,
                partial: bool = True, action: Any = None, record: Record | None = None,
                method: str | None = None) -> WriteRequest:
        values = dict(values or {})
        if kind == "create":
            return self._request(kind, "POST", f"{self.base_url}parrots", ref, values, body=values)
        url = f"{self.base_url}parrots/{ref.id}"
        if kind == "delete":
            return self._request(kind, "DELETE", url, ref, values)
        return self._request(kind, method or "PUT", url, ref, values, body=values, partial=partial)

    async def execute(self, request: WriteRequest) -> Any:
        response = await self._send(request.method, request.url, **self._body_of(request))
        if request.kind == "delete":
            return None
        return await self.read_back(ResourceRef(collection="parrots", id=str(self._json(response)["id"])),
                                    request.values)

    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        return await self.execute(self.prepare("create", ref, values))

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        return await self.execute(self.prepare("update", ref, values, partial=partial))

    async def delete(self, ref: ResourceRef) -> None:
        await self.execute(self.prepare("delete", ref))
