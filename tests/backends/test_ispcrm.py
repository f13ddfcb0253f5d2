"""ISPCRM adapter: both token headers, discovery from the root's links only, envelopes, paging, errors.

The root, envelope and error shapes are those the product contract and docs/ispcrm.md §3 describe (all
unverified beyond the Bearer header); the mock server uses paths no client could guess.
"""

from __future__ import annotations

import json

import httpx
import pytest

from isptui.backends.base import BackendSettings
from isptui.backends.ispcrm import IspcrmBackend
from isptui.errors import AuthFailed, NotFound, ValidationFailed
from isptui.model import Page, PageRequest, Record, ResourceRef
from isptui.sandbox import create_sandbox
from tests.backends.conftest import Connect

URL = "https://crm.test"
API = URL + "/api/v1"
ROOT = {"success": "true", "data": {"list_users": f"{API}/q/1", "create_user": f"{API}/q/1",
                                    "list_invoices": "/api/v1/q/2", "version": "1.0"}}


def user(n: int) -> dict[str, object]:
    return {"id": n, "username": f"u{n}", "fullname": f"User {n}", "email": f"u{n}@example.net",
            "links": {"self": f"{API}/q/1/{n}", "invoices": f"{API}/q/1/{n}/inv"}}


def server(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path, params = request.url.path, dict(request.url.params)
        if path == "/api/v1":
            return httpx.Response(200, json=ROOT)
        if path == "/api/v1/q/1" and request.method == "GET":
            offset = int(params.get("offset", 0))
            nxt = f"{API}/q/1?page={offset // 2 + 2}" if offset < 2 else None
            if "page" in params:  # the server's own next link, followed as given
                offset, nxt = 2, None
            data = [user(n) for n in range(offset + 1, min(offset + 2, 3) + 1)]
            return httpx.Response(200, json={"success": "true", "data": data, "links": {"next": nxt},
                                             "meta": {"total": 3}})
        if path == "/api/v1/q/1" and request.method == "POST":
            return httpx.Response(422, json={"status": "error", "message": "Validation failed",
                                             "errors": {"email": ["The email must be a valid email address."]}})
        if path == "/api/v1/q/1/2":
            return httpx.Response(200, json={"success": True, "data": user(2)})
        if path == "/api/v1/q/1/3":
            # An error envelope that arrives with 200.
            return httpx.Response(200, json={"status": "error", "message": "User 3 not found"})
        return httpx.Response(404, json={"status": "error", "message": f"No resource at {path}"})

    return httpx.MockTransport(handler)


def connect(seen: list[httpx.Request], **creds: str) -> IspcrmBackend:
    return IspcrmBackend(BackendSettings(url=URL, credentials={"token": "tok-123456", **creds},
                                         transport=server(seen), retries=0))


@pytest.mark.parametrize("header, expected", [("", ("authorization", "Bearer tok-123456")),
                                              ("x-auth-token", ("x-auth-token", "tok-123456"))])
async def test_the_token_goes_in_the_chosen_header(header: str, expected: tuple[str, str]) -> None:
    seen: list[httpx.Request] = []
    async with connect(seen, token_header=header) as crm:
        await crm.list(ResourceRef(collection="users"))
    name, value = expected
    assert all(r.headers.get(name) == value for r in seen)
    assert all("x-auth-token" not in r.headers for r in seen) or name == "x-auth-token"


async def test_entry_points_come_from_the_root_rels() -> None:
    async with connect([]) as crm:
        entries = await crm.discover()
    assert [(e.key, e.title) for e in entries] == [("users", "Users"), ("invoices", "Invoices")]
    # No create_* link for invoices is no proof POST is refused (issue 14): create is offered, the server decides.
    assert entries[0].capabilities.can_create and entries[1].capabilities.can_create


async def test_pages_follow_the_servers_next_link_and_total() -> None:
    seen: list[httpx.Request] = []
    async with connect(seen) as crm:
        first = await crm.list(ResourceRef(collection="users"), PageRequest(limit=2))
        second = await crm.list(ResourceRef(collection="users"), PageRequest(limit=2, cursor=first.next_cursor))
    assert [r.title for r in first.items] == ["User 1", "User 2"] and first.total == 3
    assert first.next_cursor == f"{API}/q/1?page=2"
    assert [r.title for r in second.items] == ["User 3"] and not second.has_more
    assert str(seen[-1].url) == f"{API}/q/1?page=2"
    assert first.items[0].ref.href == f"{API}/q/1/1" and "links" not in first.items[0].fields


async def test_a_record_brings_its_links_and_its_raw_data() -> None:
    async with connect([]) as crm:
        record = await crm.get(ResourceRef(collection="users", id="2"))
    assert isinstance(record, Record) and record.title == "User 2" and record.raw == user(2)
    assert [(link.rel, link.href) for link in record.links] == [("invoices", f"{API}/q/1/2/inv")]


async def test_error_bodies_become_typed_errors() -> None:
    async with connect([]) as crm:
        with pytest.raises(ValidationFailed) as invalid:
            await crm.create(ResourceRef(collection="users"), {"email": "nope"})
        with pytest.raises(NotFound) as missing:
            await crm.get(ResourceRef(collection="users", id="9"))
        with pytest.raises(NotFound) as in_200:
            await crm.get(ResourceRef(collection="users", id="3"))
    assert invalid.value.field_errors == {"email": ["The email must be a valid email address."]}
    assert missing.value.status == 404 and in_200.value.status == 200 and "User 3" in in_200.value.message


async def test_a_refused_token_is_auth_failed(connected: Connect) -> None:
    with pytest.raises(AuthFailed) as info:
        async with connected("ispcrm", credentials={"token": "wrong-token-1"}):
            pass
    assert info.value.status == 401 and "wrong-token-1" not in str(info.value)


async def test_sandbox_links_lead_to_a_profile_and_an_invoice_page(connected: Connect) -> None:
    async with connected("ispcrm", credentials={"token": "sandbox-token", "token_header": "x-auth-token"}) as crm:
        record = await crm.get(ResourceRef(collection="users", id="1"))
        rels = {link.rel: link for link in record.links}
        profile = await crm.follow(rels["profile"])
        invoices = await crm.follow(rels["invoices"])
        lines = crm.describe_write("PATCH", record.ref, {"notes": "hi"})
    assert isinstance(profile, Record) and profile.fields["name"]
    assert isinstance(invoices, Page) and invoices.items and invoices.total == len(invoices.items)
    assert lines[0].startswith("PATCH http://sandbox.local/api/v1/") and json.loads(lines[-1]) == {"notes": "hi"}
    assert "sandbox-token" not in "\n".join(lines)


async def test_create_is_offered_without_a_create_link_and_the_server_decides() -> None:
    """Quirk no-create-link: the root names no create_user, yet POST to the collection works."""


    sandbox = create_sandbox("ispcrm", customers=5, quirks="no-create-link")
    settings = BackendSettings(url="http://crm.test", credentials={"token": "sandbox-token"},
                               transport=sandbox.transport(), retries=0)
    crm = IspcrmBackend(settings)
    await crm.connect()
    try:
        users = next(e for e in await crm.discover() if e.key == "users")
        created = await crm.create(users.ref, {"username": "nolink", "fullname": "No Link", "profile_id": 1})
    finally:
        await crm.close()
    assert users.capabilities.can_create and created.fields["username"] == "nolink"
    assert [r.method for r in sandbox.received if r.method == "POST"] == ["POST"]


async def test_a_refused_patch_becomes_a_put_of_the_whole_record_and_the_record_says_so() -> None:
    """Quirk patch-405: PATCH answers 405 (Allow: GET, PUT, DELETE); the edit is sent again as a full PUT."""


    sandbox = create_sandbox("ispcrm", customers=5, quirks="patch-405")
    settings = BackendSettings(url="http://crm.test", credentials={"token": "sandbox-token"},
                               transport=sandbox.transport(), retries=0)
    crm = IspcrmBackend(settings)
    await crm.connect()
    try:
        updated = await crm.update(ResourceRef(collection="users", id="2"), {"address": "New Street 1"})
        record = await crm.get(ResourceRef(collection="users", id="2"))
    finally:
        await crm.close()
    writes = [(r.method, json.loads(r.body)) for r in sandbox.received if r.method in ("PATCH", "PUT")]
    assert [m for m, _ in writes] == ["PATCH", "PUT"]
    assert writes[1][1]["address"] == "New Street 1" and writes[1][1]["username"] == "isp00002"
    assert updated.fields["address"] == "New Street 1"
    assert record.capabilities.can_update and not record.capabilities.partial_update
