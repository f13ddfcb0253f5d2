"""Case 1 and 2 of the trust boundary, over TCP: credentials go only to the configured origin; redirects.

The witness is another origin (another port on 127.0.0.1). Whatever the hostile server plants — a
record's ``links.self``, a Krill ``url``, a ``Location`` — the witness must never see a credential, and
never see a request at all unless the user opened the link on purpose.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.errors import BackendError, NotApplied, OffOrigin
from isptui.http import make_client, send
from isptui.http.origin import EXTERNAL
from isptui.model import PageRequest, ResourceRef
from tests.trust.conftest import Servers
from tests.trust.hostile import Rule

CREDS = {"ispcrm": {"token": "sandbox-token"}, "krill": {"username": "operator", "password": "sandbox"},
         "splynx": {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "token"}}
SECRET_HEADERS = ("authorization", "x-auth-token", "cookie", "x-api-key")


@contextlib.asynccontextmanager
async def connected(name: str, url: str, **settings: Any) -> AsyncIterator[Backend]:
    backend = load_backend(name)(BackendSettings(url=url, credentials=CREDS[name], retries=0, **settings))
    await backend.connect()
    try:
        yield backend
    finally:
        await backend.close()


def no_credentials(servers: Servers) -> None:
    for seen in servers.witness.seen:
        leaked = [h for h in SECRET_HEADERS if h in seen.headers]
        assert not leaked, f"{seen.method} {seen.path} carried {leaked}"


def _elsewhere(rows: Any, other: str, key: str) -> Any:
    items = rows.get("data", rows.get("results", rows)) if isinstance(rows, dict) else rows
    for row in items if isinstance(items, list) else [items]:
        if key == "links.self":
            row.setdefault("links", {})["self"] = f"{other}/api/v1/x/u/{row['id']}"
            row["links"]["profile"] = f"{other}/api/v1/x/p/1"
        else:
            row[key] = f"{other}/api/v2/isp/customers/{row['id']}/"
    return rows


@pytest.mark.parametrize("read_only", [False, True])
async def test_ispcrm_self_link_on_another_host_is_never_fetched_with_the_token(
        servers: Servers, read_only: bool) -> None:
    servers.hostile.rules.append(Rule("GET", "/api/v1/users", rewrite=lambda d, o: _elsewhere(d, o, "links.self")))
    async with connected("ispcrm", servers.url, read_only=read_only) as backend:
        page = await backend.list(ResourceRef(collection="users"), PageRequest(limit=3))
        record = page.items[0]
        profile = next(link for link in record.links if link.rel == "profile")
        assert profile.external, "an off-origin link must be marked external"
        with pytest.raises(BackendError) as refused:
            await backend.get(record.ref)
        assert isinstance(refused.value, OffOrigin) or "another" in refused.value.message
        with pytest.raises(BackendError):
            await backend.follow(profile)
    assert servers.witness.seen == []


async def test_krill_record_url_on_another_host_is_never_fetched_with_the_jwt(servers: Servers) -> None:
    servers.hostile.rules.append(Rule("GET", "/api/v2/isp/customers", rewrite=lambda d, o: _elsewhere(d, o, "url")))
    async with connected("krill", servers.url, read_only=True) as backend:
        page = await backend.list(ResourceRef(collection="isp/customers"), PageRequest(limit=3))
        record = page.items[0]
        with contextlib.suppress(BackendError):
            await backend.get(record.ref)
        for link in record.links:
            with contextlib.suppress(BackendError):
                await backend.follow(link)
    assert servers.witness.seen == []


async def test_a_confirmed_external_fetch_goes_without_any_credential(servers: Servers) -> None:
    settings = BackendSettings(url=servers.url + "/api/", credentials={"token": "sandbox-token"})
    async with make_client(settings, base_url=servers.url + "/api/",
                           headers={"Authorization": "Bearer sandbox-token", "X-Auth-Token": "sandbox-token",
                                    "Cookie": "sid=sandbox-token"}) as client:
        with pytest.raises(OffOrigin):
            await send(client, "GET", servers.other + "/thing")
        assert servers.witness.seen == []
        response = await send(client, "GET", servers.other + "/thing", extensions={EXTERNAL: True})
    assert response.json()["name"] == "elsewhere"
    assert len(servers.witness.seen) == 1
    no_credentials(servers)


def _client(servers: Servers, **settings: Any) -> Any:
    base = servers.url + "/api/"
    return make_client(BackendSettings(url=base, retries=0, **settings), base_url=base,
                       headers={"Authorization": "Bearer sandbox-token"})


async def test_reads_follow_same_origin_redirects_with_credentials_at_most_five(servers: Servers) -> None:
    hostile = servers.hostile
    hostile.rules += [Rule("GET", "/api/slash", status=301, headers={"location": "/api/slash/"}, times=1),
                      Rule("GET", "/api/slash/", headers={"content-type": "application/json"}, body=b'{"ok": 1}'),
                      Rule("GET", "/api/loop", status=302, headers={"location": "/api/loop"})]
    async with _client(servers) as client:
        response = await send(client, "GET", "slash")
        assert response.json() == {"ok": 1}
        with pytest.raises(OffOrigin, match="more than 5 redirects"):
            await send(client, "GET", "loop")
    slash = [s for s in hostile.seen if s.path.startswith("/api/slash")]
    assert [s.path for s in slash] == ["/api/slash", "/api/slash/"]
    assert all(s.headers.get("authorization") == "Bearer sandbox-token" for s in slash)
    assert len([s for s in hostile.seen if s.path == "/api/loop"]) == 6


async def test_a_redirect_to_another_origin_is_not_followed(servers: Servers) -> None:
    servers.hostile.rules.append(Rule("GET", "/api/away", status=302,
                                      headers={"location": servers.other + "/steal"}))
    async with _client(servers) as client:
        with pytest.raises(OffOrigin) as caught:
            await send(client, "GET", "away")
    assert servers.other in caught.value.message and "not followed" in caught.value.message
    assert servers.witness.seen == []


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_write_answered_with_a_redirect_is_not_applied(servers: Servers, method: str) -> None:
    servers.hostile.rules.append(Rule(method, "/api/save", status=302,
                                      headers={"location": "https://sso.example.net/login"}))
    async with _client(servers) as client:
        with pytest.raises(NotApplied) as caught:
            await send(client, method, "save", json={"name": "x"})
    assert caught.value.message.startswith("not applied — redirected to https://sso.example.net/login")
    assert [s.method for s in servers.hostile.seen] == [method]  # sent once, never re-sent or followed


async def test_an_action_answered_303_with_an_empty_body_is_not_success(servers: Servers) -> None:
    async with connected("ispcrm", servers.url) as backend:
        record = await backend.get(ResourceRef(collection="users", id="1"))
        servers.hostile.rules.append(Rule("*", "/api/v1", status=303, headers={"location": "/elsewhere"}))
        actions = [a for a in record.actions if a.method not in ("GET", "HEAD")]
        if actions:
            with pytest.raises(NotApplied):
                await backend.invoke(record, actions[0], {})
        with pytest.raises(NotApplied, match="not applied"):
            await backend.update(record.ref, {"address": "Nowhere"})


async def test_an_ispcrm_create_whose_location_is_on_another_host_is_not_read_back_there(
        servers: Servers) -> None:
    async with connected("ispcrm", servers.url) as backend:
        servers.hostile.rules.append(Rule("POST", "/api/v1", status=201, body=b"{}",
                                          headers={"content-type": "application/json",
                                                   "location": servers.other + "/api/v1/x/u/999"}))
        with pytest.raises(BackendError) as caught:
            await backend.create(ResourceRef(collection="users"), {"username": "x", "fullname": "X",
                                                                   "profile_id": 1})
    assert servers.witness.seen == []
    assert "another origin" in caught.value.message
