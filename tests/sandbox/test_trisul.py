"""Wire format of the Trisul IPDR customers emulator: body auth, errors with HTTP 200, CRUD."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from isptui.sandbox.dataset import Dataset
from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.trisul import create_app

AUTH = {"api_token": "sandbox-token", "username": "sandbox", "contextname": "default"}
URL = "/api/ipdrcustomers"


def _client(customers: int = 30, quirks: frozenset[str] = frozenset()) -> httpx.AsyncClient:
    app = create_app(SandboxOptions(dataset=Dataset(customers=customers), quirks=quirks))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.local")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with _client() as c:
        yield c


async def call(client: httpx.AsyncClient, method: str, path: str = URL, **body: Any) -> httpx.Response:
    return await client.request(method, path, json={**AUTH, **body})


async def test_list_is_one_array_of_all_customers_with_string_phones(client: httpx.AsyncClient) -> None:
    resp = await call(client, "GET")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    rows = resp.json()
    assert len(rows) == 30
    first = rows[0]
    assert set(first) == {"id", "Name", "Address", "Email", "PhoneNumber", "AltPhoneNumber", "UserID"}
    assert first["id"] == 1 and first["UserID"] == "isp00001"
    assert [r["UserID"] for r in rows][-1] == "isp00030"
    assert all(isinstance(r["PhoneNumber"], str) and isinstance(r["AltPhoneNumber"], str) for r in rows)


async def test_list_ignores_paging_params(client: httpx.AsyncClient) -> None:
    resp = await client.request("GET", URL + "?limit=5&offset=10", json=AUTH)
    assert len(resp.json()) == 30


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "PUT", "DELETE"])
async def test_bad_token_is_an_error_body_with_http_200(client: httpx.AsyncClient, method: str) -> None:
    path = URL if method in ("GET", "POST") else URL + "/isp00002"
    resp = await client.request(method, path, json={**AUTH, "api_token": "wrong", "Name": "x", "UserID": "x"})
    assert resp.status_code == 200
    assert resp.json() == {"status": "ERROR", "message": "Invalid API token"}
    # Nothing was deleted or changed behind the error.
    rows = (await call(client, "GET")).json()
    assert len(rows) == 30 and rows[1]["UserID"] == "isp00002" and rows[1]["Name"] != "x"


async def test_credentials_only_in_the_body_are_required_on_get_and_delete(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).json()["message"] == "Invalid API token"
    assert (await client.request("DELETE", URL + "/isp00001")).json()["message"] == "Invalid API token"
    deleted = await call(client, "DELETE", URL + "/isp00001")
    assert deleted.json()["UserID"] == "isp00001"


async def test_wrong_username_with_right_token_is_rejected(client: httpx.AsyncClient) -> None:
    resp = await client.request("GET", URL, json={**AUTH, "username": "someone"})
    assert resp.json() == {"status": "ERROR", "message": "Invalid API token"}


async def test_context_errors(client: httpx.AsyncClient) -> None:
    unknown = await client.request("GET", URL, json={**AUTH, "contextname": "ipdrr"})
    assert unknown.status_code == 200
    assert unknown.json() == {"status": "Error", "message": "Invalid Context name - ipdrr"}
    forbidden = await client.request("GET", URL, json={**AUTH, "contextname": "ipdr"})
    assert forbidden.status_code == 200
    assert forbidden.json() == {
        "status": "Error",
        "message": "The user (sandbox) is not allowed to access the context ipdr",
    }
    missing = await client.request("GET", URL, json={"api_token": "sandbox-token", "username": "sandbox"})
    assert missing.json()["status"] == "Error"
    assert missing.json()["message"].startswith("Invalid Context name")


async def test_query_string_auth_is_accepted(client: httpx.AsyncClient) -> None:
    resp = await client.get(URL, params=AUTH)
    assert len(resp.json()) == 30


async def test_unparsable_body_is_a_400_with_the_error_shape(client: httpx.AsyncClient) -> None:
    resp = await client.request("GET", URL, content=b"{not json", headers={"content-type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["status"] == "ERROR"


async def test_create_returns_200_and_the_object_then_it_is_listed(client: httpx.AsyncClient) -> None:
    resp = await call(client, "POST", UserID="B68t19", Name="Trisul", Address="Chennai", PhoneNumber=1234567890)
    assert resp.status_code == 200
    created = resp.json()
    assert created == {
        "id": 31, "Name": "Trisul", "Address": "Chennai", "Email": None,
        "PhoneNumber": "1234567890", "AltPhoneNumber": None, "UserID": "B68t19",
    }
    rows = (await call(client, "GET")).json()
    assert len(rows) == 31 and rows[-1] == created


@pytest.mark.parametrize(
    ("body", "needle"),
    [({"Name": "No key"}, "UserID can't be blank"), ({"UserID": "X1"}, "Name can't be blank"),
     ({"UserID": "X1", "Name": "  "}, "Name can't be blank"), ({"UserID": "X1", "Name": ["a"]}, "Name")],
)
async def test_create_validation_errors_come_with_http_200(
    client: httpx.AsyncClient, body: dict[str, Any], needle: str
) -> None:
    resp = await call(client, "POST", **body)
    assert resp.status_code == 200
    assert resp.json()["status"] == "Error" and needle in resp.json()["message"]
    assert len((await call(client, "GET")).json()) == 30


async def test_duplicate_user_id_is_refused(client: httpx.AsyncClient) -> None:
    resp = await call(client, "POST", UserID="isp00004", Name="Clone")
    assert resp.json()["status"] == "Error" and "already been taken" in resp.json()["message"]
    rename = await call(client, "PATCH", URL + "/isp00005", UserID="isp00004")
    assert rename.json()["status"] == "Error"


async def test_put_requires_all_six_fields(client: httpx.AsyncClient) -> None:
    partial = await call(client, "PUT", URL + "/isp00002", Name="Only name")
    assert partial.status_code == 200
    assert partial.json()["status"] == "Error"
    assert "Address" in partial.json()["message"] and "Email" in partial.json()["message"]
    full = {"Name": "N", "Address": "A", "Email": "e@x.net", "PhoneNumber": "1", "AltPhoneNumber": "2",
            "UserID": "isp00002"}
    resp = await call(client, "PUT", URL + "/isp00002", **full)
    assert resp.json() == {"id": 2, **full}
    assert (await call(client, "GET")).json()[1] == {"id": 2, **full}


async def test_patch_changes_only_the_given_fields(client: httpx.AsyncClient) -> None:
    before = (await call(client, "GET")).json()[2]
    resp = await call(client, "PATCH", URL + "/isp00003", Address="Partially Updated")
    assert resp.json() == {**before, "Address": "Partially Updated"}
    assert (await call(client, "GET")).json()[2]["Address"] == "Partially Updated"


async def test_patch_can_rename_the_user_id(client: httpx.AsyncClient) -> None:
    await call(client, "PATCH", URL + "/isp00006", UserID="renamed-6")
    assert (await call(client, "PATCH", URL + "/isp00006", Name="x")).json()["status"] == "Error"
    resp = await call(client, "PATCH", URL + "/renamed-6", Name="Six")
    assert resp.json()["id"] == 6 and resp.json()["Name"] == "Six"


async def test_delete_returns_the_deleted_object_and_it_is_gone(client: httpx.AsyncClient) -> None:
    before = (await call(client, "GET")).json()[9]
    resp = await call(client, "DELETE", URL + "/isp00010")
    assert resp.status_code == 200 and resp.json() == before
    rows = (await call(client, "GET")).json()
    assert len(rows) == 29 and "isp00010" not in {r["UserID"] for r in rows}
    again = await call(client, "DELETE", URL + "/isp00010")
    assert again.status_code == 200 and again.json()["status"] == "Error"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_unknown_user_id_is_an_error_body(client: httpx.AsyncClient, method: str) -> None:
    resp = await call(client, method, URL + "/NOPE", Name="x")
    assert resp.status_code == 200
    assert resp.json() == {"status": "Error", "message": "IPDR customer with UserID NOPE not found"}


async def test_get_one_is_not_a_route(client: httpx.AsyncClient) -> None:
    resp = await call(client, "GET", URL + "/isp00001")
    assert resp.status_code == 404
    assert resp.json()["status"] == "Error"


async def test_customer_fields_follow_the_shared_subscriber() -> None:
    async with _client(20) as c:
        row = (await call(c, "GET")).json()[12]
    sub = Dataset(customers=20).subscriber(13)
    assert row["Name"] == sub.name and row["Email"] == sub.email and row["PhoneNumber"] == sub.phone


async def test_the_list_is_one_array_whatever_its_size_and_shows_a_patched_row_in_place() -> None:
    async with _client(3_000) as c:
        rows = (await call(c, "GET")).json()
        assert len(rows) == 3_000 and rows[-1]["UserID"] == "isp03000"
        await call(c, "PATCH", URL + "/isp01500", Name="Changed")
        again = (await call(c, "GET")).json()
    assert again[1_499]["Name"] == "Changed" and len(again) == 3_000 and again[1_500] == rows[1_500]


async def test_user_ids_past_99999_grow_a_digit_and_are_still_found() -> None:
    """The benchmarks' 100,000 customers: the last UserID is isp100000 (six digits, not five). Found without
    building the list (serialising 100,000 rows took 5 s of this test's CPU; the list's shape is the test above)."""
    async with _client(100_000) as c:
        patched = (await call(c, "PATCH", URL + "/isp100000", Name="Last")).json()
        earlier = (await call(c, "PATCH", URL + "/isp99999", Name="Before")).json()
        missing = (await call(c, "PATCH", URL + "/isp100001", Name="x")).json()
    assert (patched["id"], patched["UserID"], patched["Name"]) == (100_000, "isp100000", "Last")
    assert (earlier["id"], earlier["UserID"]) == (99_999, "isp99999")
    assert missing["status"] == "Error"


async def test_the_null_sort_values_quirk_reaches_the_listed_rows() -> None:
    """The quirk made every third row's sortable fields null when one row was read, but the list (Trisul's only
    way to read customers) was built from the plain rows: an adapter never saw a null there."""
    async with _client(9, frozenset({"null-sort-values"})) as c:
        rows = (await call(c, "GET")).json()
    nulls = [row["id"] for row in rows if row["Email"] is None and row["PhoneNumber"] is None]
    assert nulls == [3, 6, 9]
