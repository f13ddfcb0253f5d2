"""ISPCRM emulator wire format: auth headers, HATEOAS root, links that answer, paging, CRUD, validation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from isptui.sandbox import create_sandbox
from isptui.sandbox.dataset import MARKUP_NAME, TARIFFS, subscriber

from .conftest import ISPCRM_AUTH, ClientFactory

CUSTOMERS = 40


@pytest.fixture
async def client(asgi_client: ClientFactory) -> Any:
    sandbox = create_sandbox("ispcrm", customers=CUSTOMERS)
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        yield c


async def links(client: httpx.AsyncClient) -> dict[str, str]:
    r = await client.get("/api/v1")
    assert r.status_code == 200
    return r.json()  # the flat map the vendor page shows


async def test_both_token_headers_are_accepted(asgi_client: ClientFactory) -> None:
    app = create_sandbox("ispcrm").app
    async with asgi_client(app) as c:
        for headers in ({"Authorization": "Bearer sandbox-token"}, {"authorization": "bearer sandbox-token"},
                        {"X-Auth-Token": "sandbox-token"}):
            r = await c.get("/api/v1", headers=headers)
            assert r.status_code == 200, headers
            assert "list_users" in r.json()


@pytest.mark.parametrize(("headers", "message"), [
    ({}, "Unauthenticated."),
    ({"Authorization": "Bearer wrong"}, "Invalid API token."),
    ({"X-Auth-Token": "wrong"}, "Invalid API token."),
    ({"Authorization": "Basic c2FuZGJveC10b2tlbjo="}, "Unauthenticated."),
])
async def test_missing_or_bad_token_is_401_in_the_error_envelope(
        asgi_client: ClientFactory, headers: dict[str, str], message: str) -> None:
    async with asgi_client(create_sandbox("ispcrm").app) as c:
        for path in ("/api/v1", "/api/v1/users/1", "/api/v1/does-not-exist"):
            r = await c.get(path, headers=headers)
            assert r.status_code == 401
            assert r.json() == {"status": "error", "message": message}
            assert r.headers["www-authenticate"] == "Bearer"


async def test_root_lists_absolute_links_built_from_the_request(asgi_client: ClientFactory) -> None:
    async with asgi_client(create_sandbox("ispcrm").app, base_url="http://crm.test:8081",
                           headers=ISPCRM_AUTH) as c:
        for path in ("/api/v1", "/api/v1/"):
            data = (await c.get(path)).json()
            assert {"list_users", "list_profiles", "list_online_sessions"} <= set(data)
            assert all(url.startswith("http://crm.test:8081/api/v1/") for url in data.values())


async def test_following_links_reaches_users_and_every_record_link_answers(client: httpx.AsyncClient) -> None:
    root = await links(client)
    page = (await client.get(root["list_users"])).json()
    user = page["data"][2]
    sub = subscriber(1, 3)
    assert user["id"] == 3 and user["username"] == sub.login and user["fullname"] == sub.name
    assert user["fullname"].endswith(MARKUP_NAME)  # untrusted text is served verbatim
    assert set(user["links"]) == {"self", "profile", "invoices"}
    assert (await client.get(user["links"]["self"])).json()["data"]["email"] == sub.email
    profile = (await client.get(user["links"]["profile"])).json()["data"]
    assert profile["id"] == sub.tariff_id and profile["name"] == TARIFFS[sub.tariff_id - 1]["title"]
    invoices = (await client.get(user["links"]["invoices"])).json()
    assert [i["number"] for i in invoices["data"]] == [i["number"] for i in sub.invoices]
    invoice = (await client.get(invoices["data"][0]["links"]["self"])).json()["data"]
    assert invoice["user_id"] == 3 and (await client.get(invoice["links"]["user"])).status_code == 200


async def test_profiles_and_sessions_are_listed_and_linked(client: httpx.AsyncClient) -> None:
    root = await links(client)
    profiles = (await client.get(root["list_profiles"])).json()
    assert [p["name"] for p in profiles["data"]] == [t["title"] for t in TARIFFS]
    users_of = (await client.get(profiles["data"][1]["links"]["users"])).json()
    assert users_of["data"] and {u["profile_id"] for u in users_of["data"]} == {2}
    sessions = (await client.get(root["list_online_sessions"])).json()
    assert sessions["meta"]["total"] == CUSTOMERS // 4
    session = sessions["data"][1]
    assert session["username"] == subscriber(1, session["id"]).login
    assert (await client.get(session["links"]["user"])).json()["data"]["id"] == session["id"]


async def test_paging_with_limit_offset_total_and_next_prev_links(client: httpx.AsyncClient) -> None:
    url = (await links(client))["list_users"]
    first = (await client.get(url, params={"limit": 15})).json()
    assert first["meta"] == {"total": CUSTOMERS, "limit": 15, "offset": 0, "count": 15}
    assert first["links"]["prev"] is None
    seen = [u["id"] for u in first["data"]]
    page = first
    while page["links"]["next"]:
        page = (await client.get(page["links"]["next"])).json()
        seen += [u["id"] for u in page["data"]]
    assert seen == list(range(1, CUSTOMERS + 1))
    assert page["meta"]["offset"] == 30 and page["meta"]["count"] == 10
    back = (await client.get(page["links"]["prev"])).json()
    assert [u["id"] for u in back["data"]] == list(range(16, 31))
    assert (await client.get(url, params={"limit": 1000})).json()["meta"]["limit"] == 100
    bad = await client.get(url, params={"limit": "ten"})
    assert bad.status_code == 400 and bad.json()["status"] == "error"


async def test_filters_scan_the_collection(client: httpx.AsyncClient) -> None:
    url = (await links(client))["list_users"]
    found = (await client.get(url, params={"search": "ISP00017"})).json()
    assert [u["id"] for u in found["data"]] == [17] and found["meta"]["total"] == 1
    blocked = (await client.get(url, params={"status": "blocked", "limit": 100})).json()
    expected = [n for n in range(1, CUSTOMERS + 1) if subscriber(1, n).status == "blocked"]
    assert [u["id"] for u in blocked["data"]] == expected
    assert "status=blocked" in blocked["links"]["self"]


async def test_create_read_update_delete_a_user(client: httpx.AsyncClient) -> None:
    url = (await links(client))["list_users"]
    created = await client.post(url, json={"username": "new.user", "fullname": "Ana Nova",
                                           "email": "ana@example.net", "profile_id": "4", "balance": 12})
    assert created.status_code == 201
    user = created.json()["data"]
    assert user["id"] == CUSTOMERS + 1 and user["profile_id"] == 4 and user["balance"] == "12.00"
    assert created.headers["location"] == user["links"]["self"]
    assert (await client.get(url)).json()["meta"]["total"] == CUSTOMERS + 1

    put = await client.put(user["links"]["self"], json={"username": "new.user", "fullname": "Ana Nova Silva",
                                                        "profile_id": 5})
    assert put.status_code == 200 and put.json()["data"]["fullname"] == "Ana Nova Silva"
    assert put.json()["data"]["email"] == "ana@example.net"  # fields not sent keep their value
    patch = await client.patch(user["links"]["self"], json={"status": "active"})
    assert patch.status_code == 200
    again = (await client.get(user["links"]["self"])).json()["data"]
    assert (again["status"], again["profile_id"], again["fullname"]) == ("active", 5, "Ana Nova Silva")

    deleted = await client.delete(user["links"]["self"])
    assert deleted.status_code == 200 and deleted.json()["data"] == {"id": user["id"]}
    gone = await client.get(user["links"]["self"])
    assert gone.status_code == 404
    assert gone.json() == {"status": "error", "message": f"User {user['id']} not found"}


async def test_base_users_can_be_edited_and_deleted(client: httpx.AsyncClient) -> None:
    r = await client.patch("/api/v1/users/2/", json={"fullname": "Renamed", "username": "renamed2"})
    assert r.status_code == 200
    assert (await client.get("/api/v1/users/2")).json()["data"]["fullname"] == "Renamed"
    # The old username is free now, the new one is taken.
    free = await client.post("/api/v1/users", json={"username": "isp00002", "fullname": "X", "profile_id": 1})
    assert free.status_code == 201
    taken = await client.patch("/api/v1/users/5", json={"username": "renamed2"})
    assert taken.json()["errors"] == {"username": ["The username has already been taken."]}
    assert (await client.delete("/api/v1/users/9")).status_code == 200
    ids = [u["id"] for u in (await client.get("/api/v1/users", params={"limit": 10})).json()["data"]]
    assert 9 not in ids and ids[-1] == 11


async def test_validation_errors_name_each_field(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/users", json={"username": "isp00001", "email": "not-an-email",
                                               "profile_id": 99, "status": "gone", "balance": "lots"})
    assert r.status_code == 422
    body = r.json()
    assert body["status"] == "error" and body["message"] == "Validation failed"
    assert set(body["errors"]) == {"username", "fullname", "email", "profile_id", "status", "balance"}
    assert body["errors"]["fullname"] == ["The fullname field is required."]
    assert body["errors"]["username"] == ["The username has already been taken."]
    put = await client.put("/api/v1/users/1", json={"fullname": "Only name"})
    assert put.status_code == 422 and set(put.json()["errors"]) == {"username", "profile_id"}
    patch = await client.patch("/api/v1/users/1", json={"fullname": 42})
    assert patch.json()["errors"] == {"fullname": ["The fullname must be a string."]}
    assert (await client.get("/api/v1/users/1")).json()["data"]["fullname"] == subscriber(1, 1).name


async def test_bad_bodies_methods_and_paths(client: httpx.AsyncClient) -> None:
    bad_json = await client.post("/api/v1/users", content=b"{not json", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["status"] == "error"
    not_allowed = await client.post("/api/v1/profiles", json={})
    assert not_allowed.status_code == 405 and not_allowed.json()["status"] == "error"
    assert "POST" not in not_allowed.headers["allow"] and "GET" in not_allowed.headers["allow"]
    options = await client.options("/api/v1/users/1")
    assert options.status_code == 204
    assert {"GET", "PUT", "PATCH", "DELETE"} <= {m.strip() for m in options.headers["allow"].split(",")}
    for path in ("/api/v1/x/u", "/api/v1/users/999", "/api/v1/profiles/77", "/api/v1/invoices/13", "/api/v1/online_sessions/2"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.json()["status"] == "error" and r.json()["message"]


async def test_form_encoded_writes_are_accepted(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/users", data={"username": "formuser", "fullname": "Form User", "profile_id": "2"})
    assert r.status_code == 201 and r.json()["data"]["profile_id"] == 2
