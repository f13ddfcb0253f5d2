"""Case 5 over TCP: bodies are bounded while they stream, big pages are sliced, looping next chains end."""

from __future__ import annotations

import functools
import json
import time

import pytest

from isptui.backends.base import BackendSettings, load_backend
from isptui.errors import MalformedResponse, ResponseTooLarge
from isptui.http import make_client, send
from isptui.model import PageRequest, ResourceRef
from tests.stall import no_loop_stalls
from tests.trust.conftest import Servers
from tests.trust.hostile import Rule, gzip_bomb


@functools.cache
def bomb() -> bytes:
    return gzip_bomb(32 * 1024 * 1024)  # 32 KiB on the wire


def client(servers: Servers):  # type: ignore[no-untyped-def]
    base = servers.url + "/api/"
    return make_client(BackendSettings(url=base, retries=0), base_url=base)


async def test_a_gzip_bomb_stops_at_the_cap(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISPTUI_MAX_BODY", "1M")
    servers.hostile.rules.append(Rule("GET", "/api/bomb", body=bomb(),
                                      headers={"content-encoding": "gzip", "content-type": "application/json"}))
    async with client(servers) as c:
        with pytest.raises(ResponseTooLarge, match="ISPTUI_MAX_BODY"):
            await send(c, "GET", "bomb")
        assert len(c.request_log.entries()) == 1


async def test_a_body_that_never_ends_stops_at_the_cap(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISPTUI_MAX_BODY", "2M")
    servers.hostile.rules.append(Rule("GET", "/api/endless", endless=True))
    t0 = time.perf_counter()
    async with client(servers) as c:
        with pytest.raises(ResponseTooLarge, match="2,097,152 bytes"):
            await send(c, "GET", "endless")
    assert time.perf_counter() - t0 < 1.5


async def test_a_body_under_the_cap_is_decoded_once(servers: Servers) -> None:
    import gzip
    body = gzip.compress(b'{"ok": [' + b"1," * 1000 + b"1]}")
    servers.hostile.rules.append(Rule("GET", "/api/small", body=body,
                                      headers={"content-encoding": "gzip", "content-type": "application/json"}))
    async with client(servers) as c:
        response = await send(c, "GET", "small")
    assert len(response.json()["ok"]) == 1001


def _loop(data: object, other: str) -> object:
    if isinstance(data, dict) and "results" in data:
        data["next"] = other + "/api/v2/isp/customers/?page=2"
    return data


async def test_a_next_chain_that_loops_ends_in_a_clear_error(servers: Servers) -> None:
    servers.hostile.rules.append(Rule("GET", "/api/v2/isp/customers", rewrite=_loop))
    settings = BackendSettings(url=servers.url, retries=0, credentials={"username": "operator",
                                                                        "password": "sandbox"})
    backend = load_backend("krill")(settings)
    await backend.connect()
    ref = ResourceRef(collection="isp/customers")
    try:
        page = await backend.list(ref, PageRequest(limit=5))
        with pytest.raises(MalformedResponse, match="loop"):
            for _ in range(5):
                page = await backend.list(ref, PageRequest(limit=5, cursor=page.next_cursor))
    finally:
        await backend.close()


@functools.cache
def huge_page() -> bytes:
    """100,000 customers (about 13 MB) in one answer to a request for 50."""
    return json.dumps([{"id": n, "login": f"user{n}", "name": f"Customer {n}", "email": f"u{n}@example.net",
                        "status": "active", "phone": "555-0100"} for n in range(1, 100_001)]).encode()


async def test_a_page_far_larger_than_asked_is_sliced_kept_and_never_stalls_the_loop(servers: Servers) -> None:
    path = "/api/2.0/admin/customers/customer"
    servers.hostile.rules.append(Rule("GET", path, body=huge_page(), headers={"content-type": "application/json"}))
    settings = BackendSettings(url=servers.url, retries=0,
                               credentials={"api_key": "sandbox-key", "api_secret": "sandbox-secret"})
    backend = load_backend("splynx")(settings)
    await backend.connect()
    ref = ResourceRef(collection="customers")
    try:
        async with no_loop_stalls() as watch:
            first = await backend.list(ref, PageRequest(limit=50))
            asked = len([s for s in servers.hostile.seen if s.path == path])
            last = await backend.list(ref, PageRequest(offset=99_950, limit=50))
    finally:
        await backend.close()
    assert (len(first.items), first.total, first.whole, first.has_more) == (50, 100_000, True, True)
    assert [r.id for r in last.items][-1] == "100000" and not last.has_more
    assert len([s for s in servers.hostile.seen if s.path == path]) == asked  # the rest came from memory
    assert watch.worst <= watch.limit, watch.report()
