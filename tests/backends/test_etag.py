"""Where a server sends ETags, writes are conditional (If-Match) and a 412 is a Conflict."""

from __future__ import annotations

import httpx
import pytest

from isptui.backends.base import BackendSettings, load_backend
from isptui.errors import Conflict
from isptui.model import ResourceRef
from isptui.sandbox import create_sandbox

CPE = ResourceRef(collection="isp/cpes", id="3")


class ETagServer(httpx.AsyncBaseTransport):
    """The Krill sandbox behind a proxy that versions CPE 3 like a server with ConditionalGetMiddleware."""

    def __init__(self) -> None:
        self.sandbox = create_sandbox("krill", customers=10)
        self.inner = self.sandbox.transport()
        self.version = 1
        self.if_match: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        is_cpe = request.url.path.rstrip("/").endswith("/isp/cpes/3")
        if is_cpe and request.method in ("PUT", "PATCH", "DELETE"):
            self.if_match.append(request.headers.get("if-match"))
            if request.headers.get("if-match") not in (None, f'"v{self.version}"'):
                return httpx.Response(412, json={"detail": "Precondition failed."}, request=request)
            self.version += 1
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        headers = dict(response.headers)
        if is_cpe and request.method == "GET":
            headers["etag"] = f'"v{self.version}"'
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)


async def test_writes_carry_if_match_and_a_stale_one_is_a_conflict() -> None:
    server = ETagServer()
    settings = BackendSettings(url="http://sandbox.local", transport=server, retries=0,
                               credentials={"username": "operator", "password": "sandbox"})
    backend = load_backend("krill")(settings)
    await backend.connect()
    try:
        await backend.get(CPE)
        updated = await backend.update(CPE, {"wifi_ssid": "FIRST"})
        assert updated.fields["wifi_ssid"] == "FIRST"
        server.version += 1  # someone else changes it after our read-back
        with pytest.raises(Conflict) as info:
            await backend.update(CPE, {"wifi_ssid": "SECOND"})
        stored = await backend.get(CPE)
    finally:
        await backend.close()
    assert server.if_match == ['"v1"', '"v2"']  # each write named the version it had read
    assert info.value.status == 412
    assert stored.fields["wifi_ssid"] == "FIRST"  # the stale write was refused, nothing overwritten
