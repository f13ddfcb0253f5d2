"""Wire format of the Splynx API v2.0 emulator, checked with plain httpx as a client would see it."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from isptui.sandbox.dataset import Dataset
from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.splynx import create_app, sign

BASE = "http://sandbox.local/api/2.0/"
KEY, SECRET = "sandbox-key", "sandbox-secret"
CUSTOMERS = "admin/customers/customer"


class Clock:
    """A clock the test moves, so token expiry needs no sleeping."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def client(app: object, **kw: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, **kw)  # type: ignore[arg-type]


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    async with client(create_app(SandboxOptions()), auth=(KEY, SECRET)) as c:
        yield c


def ea(**params: object) -> dict[str, str]:
    inner = "&".join(f"{k}={v}" for k, v in params.items())
    return {"Authorization": f"Splynx-EA ({inner})"}


def assert_error(r: httpx.Response, status: int, internal_code: str) -> None:
    assert r.status_code == status, r.text
    assert r.json() == {"error": {"message": r.json()["error"]["message"], "code": status, "internal_code": internal_code}}
    assert r.json()["error"]["message"]


# -- authentication ---------------------------------------------------------------------------------
async def test_basic_auth_good_bad_and_missing() -> None:
    app = create_app(SandboxOptions())
    async with client(app, auth=(KEY, SECRET)) as good, client(app, auth=(KEY, "wrong")) as bad, client(app) as anon:
        assert (await good.get(f"{CUSTOMERS}/1")).json()["login"] == "isp00001"
        assert_error(await bad.get(f"{CUSTOMERS}/1"), 401, "UNAUTHORIZED")
        assert_error(await anon.get(f"{CUSTOMERS}/1"), 401, "MISSED_AUTHORIZATION_HEADER")


async def test_signature_any_parameter_order_and_nonce_must_increase_under_strict_nonce() -> None:
    async with client(create_app(SandboxOptions(quirks=frozenset({"splynx-strict-nonce"})))) as c:
        r = await c.get("admin/tariffs/internet", headers=ea(key=KEY, signature=sign(100, KEY, SECRET), nonce=100))
        assert r.status_code == 200 and r.json()[0]["title"] == "Fibra 100"
        r = await c.get("admin/tariffs/internet", headers=ea(key=KEY, nonce=101, signature=sign(101, KEY, SECRET)))
        assert r.status_code == 200
        assert_error(await c.get("admin/tariffs/internet", headers=ea(key=KEY, nonce=101, signature=sign(101, KEY, SECRET))),
                     401, "UNAUTHORIZED")  # replayed
        assert_error(await c.get("admin/tariffs/internet", headers=ea(key=KEY, nonce=50, signature=sign(50, KEY, SECRET))),
                     401, "UNAUTHORIZED")  # decreasing
        assert_error(await c.get("admin/tariffs/internet", headers=ea(key=KEY, nonce=200, signature=sign(200, KEY, "x"))),
                     401, "UNAUTHORIZED")  # wrong signature
        assert (await c.get("admin/tariffs/internet", headers=ea(key=KEY, nonce=201, signature=sign(201, KEY, SECRET)))
                ).status_code == 200  # a failed signature did not burn the counter forward


async def test_api_key_token_expires_renews_and_is_revoked() -> None:
    clock = Clock()
    async with client(create_app(SandboxOptions(token_ttl=20), clock=clock)) as c:
        r = await c.post("admin/auth/tokens", json={"auth_type": "api_key", "key": KEY, "nonce": 7,
                                                    "signature": sign(7, KEY, SECRET)})
        assert r.status_code == 201
        body = r.json()
        assert set(body) == {"access_token", "access_token_expiration", "refresh_token", "refresh_token_expiration",
                             "permissions"}
        assert body["access_token_expiration"] == int(clock.now) + 20
        auth = {"Authorization": f"Splynx-EA (access_token={body['access_token']})"}
        assert (await c.get(f"{CUSTOMERS}/2", headers=auth)).json()["id"] == 2
        clock.now += 21
        assert_error(await c.get(f"{CUSTOMERS}/2", headers=auth), 401, "EXPIRED_ACCESS_TOKEN")
        renewed = await c.get(f"admin/auth/tokens/{body['refresh_token']}")
        assert renewed.status_code == 200 and "permissions" not in renewed.json()
        fresh = {"Authorization": f"Splynx-EA (access_token={renewed.json()['access_token']})"}
        assert (await c.get(f"{CUSTOMERS}/2", headers=fresh)).status_code == 200
        gone = await c.delete(f"admin/auth/tokens/{body['refresh_token']}")
        assert gone.status_code == 204 and gone.content == b""
        assert_error(await c.get(f"{CUSTOMERS}/2", headers=fresh), 401, "UNAUTHORIZED")
        assert_error(await c.get(f"admin/auth/tokens/{body['refresh_token']}"), 404, "NOT_FOUND")


async def test_admin_login_token_and_bad_token_requests() -> None:
    async with client(create_app(SandboxOptions())) as c:
        r = await c.post("admin/auth/tokens", json={"auth_type": "admin", "login": "admin", "password": "sandbox"})
        assert r.status_code == 201
        assert r.json()["access_token_expiration"] - time.time() == pytest.approx(1800, abs=5)
        assert_error(await c.post("admin/auth/tokens", json={"auth_type": "admin", "login": "admin", "password": "no"}),
                     401, "INVALID_USER")
        assert_error(await c.post("admin/auth/tokens", json={"auth_type": "bogus"}), 400, "INVALID_AUTH_TYPE")
        assert_error(await c.post("admin/auth/tokens", json={}), 401, "UNAUTHORIZED")
        assert_error(await c.post("admin/auth/tokens", json={"auth_type": "api_key", "key": KEY, "nonce": 1,
                                                             "signature": "00"}), 401, "UNAUTHORIZED")
        assert_error(await c.get("admin/auth/tokens"), 405, "METHOD_NOT_ALLOWED")


async def test_token_is_bound_to_its_user_agent() -> None:
    async with client(create_app(SandboxOptions())) as c:
        r = await c.post("admin/auth/tokens", json={"auth_type": "admin", "login": "admin", "password": "sandbox"},
                         headers={"User-Agent": "isptui"})
        auth = f"Splynx-EA (access_token={r.json()['access_token']})"
        assert (await c.get(f"{CUSTOMERS}/1", headers={"Authorization": auth, "User-Agent": "isptui"})).status_code == 200
        assert_error(await c.get(f"{CUSTOMERS}/1", headers={"Authorization": auth, "User-Agent": "curl"}),
                     401, "USER_AGENT_CHANGED")


async def test_restricted_key_is_forbidden_tickets_only() -> None:
    async with client(create_app(SandboxOptions()), auth=("restricted-key", "restricted-secret")) as c:
        assert (await c.get(f"{CUSTOMERS}/1")).status_code == 200
        assert_error(await c.get("admin/support/tickets"), 403, "FORBIDDEN")
        assert_error(await c.get("admin/support/tickets/1"), 403, "FORBIDDEN")
        assert (await c.head("admin/support/tickets")).status_code == 403
        r = await c.post("admin/support/tickets", json={"subject": "x", "priority": "low", "type_id": 1})
        assert_error(r, 403, "FORBIDDEN")


# -- envelopes, HEAD, OPTIONS ----------------------------------------------------------------------
async def test_error_envelopes_for_unknown_id_path_and_method(api: httpx.AsyncClient) -> None:
    assert_error(await api.get(f"{CUSTOMERS}/999999"), 404, "NOT_FOUND")
    assert_error(await api.get(f"{CUSTOMERS}/abc"), 404, "NOT_FOUND")
    assert_error(await api.get("admin/customers/location"), 404, "NOT_FOUND")
    assert_error(await api.patch(f"{CUSTOMERS}/1", json={}), 405, "METHOD_NOT_ALLOWED")
    assert_error(await api.put(CUSTOMERS, json={}), 405, "METHOD_NOT_ALLOWED")
    assert_error(await api.get(CUSTOMERS, params={"main_attributes[nope]": "1"}), 400, "BAD_REQUEST")
    assert_error(await api.get(CUSTOMERS, params={"main_attributes[id][0]": "SOUNDS"}), 400, "BAD_REQUEST")


async def test_head_counts_with_and_without_filters(api: httpx.AsyncClient) -> None:
    r = await api.head(CUSTOMERS)
    assert r.status_code == 204 and r.content == b""
    assert r.headers["X-total-count"] == "200"
    assert r.headers["Access-Control-Expose-Headers"] == "X-total-count"
    everyone = (await api.get(CUSTOMERS)).json()
    active = sum(1 for c in everyone if c["status"] == "active")
    r = await api.head(CUSTOMERS, params={"main_attributes[status]": "active"})
    assert int(r.headers["X-total-count"]) == active and 0 < active < 200


async def test_options_in_observed_form(api: httpx.AsyncClient) -> None:
    body = (await api.options(CUSTOMERS)).json()
    assert set(body) == {"attributes", "additional_attributes"}
    by_name = {a["name"]: a for a in body["attributes"]}
    assert by_name["name"] == {"name": "name", "title": "Full name", "type": "string", "required": True}
    assert by_name["date_add"]["type"] == "date" and by_name["login"]["title"] == "Portal login"
    extra = {a["name"]: a for a in body["additional_attributes"]}
    assert extra["contract_type"]["type"] == "select"
    assert extra["contract_type"]["select_values"] == {"residential": "Residential", "business": "Business"}
    assert extra["notes"]["type"] == "string" and extra["notes"]["module"] == "customers"
    tariff = {a["name"]: a for a in (await api.options("admin/tariffs/internet")).json()["attributes"]}
    assert tariff["speed_download"]["required"] and tariff["billing_types"]["type"] == "array"


# -- lists, paging, search --------------------------------------------------------------------------
async def test_paging_middle_and_last_page(api: httpx.AsyncClient) -> None:
    middle = (await api.get(CUSTOMERS, params={"limit": 10, "offset": 100})).json()
    assert [c["id"] for c in middle] == list(range(101, 111))
    last = (await api.get(CUSTOMERS, params={"limit": 10, "offset": 195})).json()
    assert [c["id"] for c in last] == [196, 197, 198, 199, 200]
    assert (await api.get(CUSTOMERS, params={"limit": 10, "offset": 200})).json() == []
    assert len((await api.get(CUSTOMERS)).json()) == 200  # no limit: the whole list
    first = last[0]
    assert isinstance(first["id"], int) and isinstance(first["partner_id"], str)
    assert first["additional_attributes"]["contract_type"] in {"residential", "business"}


async def test_main_attributes_operators_and_order(api: httpx.AsyncClient) -> None:
    eq = (await api.get(CUSTOMERS, params={"main_attributes[login]": "isp00042"})).json()
    assert [c["id"] for c in eq] == [42]
    like = (await api.get(CUSTOMERS, params={"main_attributes[login][0]": "LIKE",
                                             "main_attributes[login][1]": "0001"})).json()
    assert [c["id"] for c in like] == [1, *range(10, 20)]  # no wildcard: a substring, as Yii2 wraps it
    prefix = (await api.get(CUSTOMERS, params={"main_attributes[login][0]": "LIKE",
                                               "main_attributes[login][1]": "ISP0001%"})).json()
    assert [c["id"] for c in prefix] == list(range(10, 20))
    in_ = (await api.get(CUSTOMERS, params={"main_attributes[id][0]": "IN", "main_attributes[id][1][0]": "3",
                                            "main_attributes[id][1][1]": "8", "main_attributes[id][1][2]": "999"})).json()
    assert [c["id"] for c in in_] == [3, 8]
    between = (await api.get(CUSTOMERS, params={"main_attributes[id][0]": "BETWEEN", "main_attributes[id][1]": "5",
                                                "main_attributes[id][2]": "7", "order[id]": "DESC"})).json()
    assert [c["id"] for c in between] == [7, 6, 5]
    newest = (await api.get(CUSTOMERS, params={"order[date_add]": "DESC", "limit": 3})).json()
    every = sorted((c["date_add"] for c in (await api.get(CUSTOMERS)).json()), reverse=True)
    assert [c["date_add"] for c in newest] == every[:3]
    null_notes = (await api.get(CUSTOMERS, params={"additional_attributes[notes][0]": "IS",
                                                   "additional_attributes[notes][1]": "__EXPRESSION_NULL__"})).json()
    assert 11 in [c["id"] for c in null_notes] and all(c["additional_attributes"]["notes"] is None for c in null_notes)
    desc = (await api.get(CUSTOMERS, params={"order[id]": "DESC", "limit": 2, "offset": 1})).json()
    assert [c["id"] for c in desc] == [199, 198]


async def test_finance_lists_filter_by_customer(api: httpx.AsyncClient) -> None:
    invoices = (await api.get("admin/finance/invoices", params={"main_attributes[customer_id]": 4})).json()
    assert [(i["id"], i["number"]) for i in invoices] == [(i["id"], i["number"]) for i in Dataset().subscriber(4).invoices]
    assert (await api.get("admin/finance/invoices/41")).json()["customer_id"] == 4
    assert_error(await api.get("admin/finance/invoices/43"), 404, "NOT_FOUND")
    payments = (await api.get("admin/finance/payments", params={"main_attributes[customer_id]": 4})).json()
    assert len(payments) == 3 and {p["customer_id"] for p in payments} == {4}
    tx = (await api.head("admin/finance/transactions", params={"main_attributes[customer_id]": 4}))
    assert tx.headers["X-total-count"] == "6"


# -- writes -----------------------------------------------------------------------------------------
async def test_customer_crud_status_codes_and_bodies(api: httpx.AsyncClient) -> None:
    r = await api.post(CUSTOMERS, json={"name": "Ana Ruiz", "partner_id": 1, "location_id": 1, "category": "person",
                                        "login": "ana", "additional_attributes": {"contract_type": "business"}})
    assert r.status_code == 201 and r.json() == {"id": 201}
    got = (await api.get(f"{CUSTOMERS}/201")).json()
    assert got["name"] == "Ana Ruiz" and got["partner_id"] == "1" and got["status"] == "new"
    assert got["additional_attributes"] == {"contract_type": "business", "notes": "", "vip": "0"}
    r = await api.put(f"{CUSTOMERS}/201", json={"email": "ana@example.net", "additional_attributes": {"vip": "1"}})
    assert r.status_code == 202 and r.content == b""
    got = (await api.get(f"{CUSTOMERS}/201")).json()
    assert got["email"] == "ana@example.net" and got["additional_attributes"]["vip"] == "1"
    assert (await api.head(CUSTOMERS)).headers["X-total-count"] == "201"
    r = await api.delete(f"{CUSTOMERS}/201")
    assert r.status_code == 204 and r.content == b""
    assert_error(await api.get(f"{CUSTOMERS}/201"), 404, "NOT_FOUND")
    assert_error(await api.put(f"{CUSTOMERS}/201", json={"name": "x"}), 404, "NOT_FOUND")


async def test_validation_answers_422_with_field_messages(api: httpx.AsyncClient) -> None:
    r = await api.post(CUSTOMERS, json={"partner_id": 1, "location_id": 1, "category": "person"})
    assert r.status_code == 422
    assert r.json() == [{"field": "name", "message": "Full name cannot be blank."}]
    r = await api.post(CUSTOMERS, json={"name": "Dup", "partner_id": 1, "location_id": 1, "category": "alien",
                                        "login": "isp00002", "subdivision_id": "abc",
                                        "additional_attributes": {"contract_type": "gold", "nope": 1}})
    fields = {p["field"] for p in r.json()}
    assert r.status_code == 422
    assert fields == {"category", "login", "subdivision_id", "additional_attributes.contract_type",
                      "additional_attributes.nope"}
    r = await api.put(f"{CUSTOMERS}/5", json={"name": ""})
    assert r.status_code == 422 and r.json()[0]["field"] == "name"
    assert_error(await api.post(CUSTOMERS, content=b"{not json", headers={"Content-Type": "application/json"}),
                 400, "BAD_REQUEST")


async def test_customer_services_and_search_across_customers(api: httpx.AsyncClient) -> None:
    sub = Dataset().subscriber(8)
    own = (await api.get(f"{CUSTOMERS}/8/internet-services")).json()
    assert [(s["id"], s["tariff_id"], s["login"]) for s in own] == [(8, sub.tariff_id, sub.login)]
    assert own[0]["type"] == "internet" and own[0]["end_date"] == "0000-00-00"
    assert (await api.get(f"{CUSTOMERS}/8/internet-services--8")).json()["ipv4"] == sub.ipv4
    assert_error(await api.get(f"{CUSTOMERS}/9/internet-services--8"), 404, "NOT_FOUND")
    assert_error(await api.get(f"{CUSTOMERS}/9999/internet-services"), 404, "NOT_FOUND")
    across = (await api.get(f"{CUSTOMERS}/0/internet-services", params={"main_attributes[tariff_id]": 2})).json()
    assert len(across) > 10 and {s["tariff_id"] for s in across} == {2}
    r = await api.post(f"{CUSTOMERS}/8/internet-services", json={"tariff_id": 1, "login": "isp00008-b"})
    assert r.status_code == 201
    new_id = r.json()["id"]
    assert [s["id"] for s in (await api.get(f"{CUSTOMERS}/8/internet-services")).json()] == [8, new_id]
    r = await api.put(f"{CUSTOMERS}/8/internet-services--8?action=stop", json={})
    assert r.status_code == 202 and (await api.get(f"{CUSTOMERS}/8/internet-services--8")).json()["status"] == "stopped"


async def test_service_write_rejects_unknown_tariff_and_taken_login(api: httpx.AsyncClient) -> None:
    r = await api.post(f"{CUSTOMERS}/8/internet-services", json={"tariff_id": 99, "login": "isp00009"})
    assert r.status_code == 422
    assert sorted((p["field"], p["message"]) for p in r.json()) == [
        ("login", 'Login "isp00009" has already been taken.'), ("tariff_id", "Tariff is invalid.")]


async def test_document_upload_download_round_trip(api: httpx.AsyncClient) -> None:
    r = await api.post("admin/customers/customer-documents",
                       json={"customer_id": 1, "type": "uploaded", "title": "contract", "description": "",
                             "visible_by_customer": "0"})
    assert r.status_code == 201
    doc = r.json()["id"]
    payload = b"%PDF-1.7 signed \x00\xff bytes"
    r = await api.post(f"admin/customers/customer-documents/{doc}--upload",
                       files={"file": ("signed.pdf", payload, "application/pdf")})
    assert r.status_code == 202
    got = (await api.get(f"admin/config/download/customer_documents--{doc}")).json()
    assert got["name"] == "signed.pdf" and got["content_type"] == "application/pdf"
    assert base64.b64decode(got["content"]) == payload
    listed = (await api.get("admin/customers/customer-documents/1")).json()  # by customer id
    assert [d["id"] for d in listed] == [1, doc] and listed[1]["filename_original"] == "signed.pdf"
    assert (await api.post(f"admin/customers/customer-documents/{doc}--upload", json={})).status_code == 422
    seeded = (await api.get("admin/config/download/customer_documents--2")).json()
    assert base64.b64decode(seeded["content"]).startswith(b"%PDF")


async def test_additional_field_appears_in_options_and_records(api: httpx.AsyncClient) -> None:
    r = await api.post("admin/config/additional-fields/customers",
                       json={"name": "vlan", "title": "VLAN", "type": "integer"})
    assert r.status_code == 201 and r.json() == {"name": "vlan"}
    assert (await api.get("admin/config/additional-fields/customers--vlan")).json()["title"] == "VLAN"
    names = [a["name"] for a in (await api.options(CUSTOMERS)).json()["additional_attributes"]]
    assert names[-1] == "vlan"
    assert (await api.get(f"{CUSTOMERS}/1")).json()["additional_attributes"]["vlan"] == ""
    assert (await api.put(f"{CUSTOMERS}/1", json={"additional_attributes": {"vlan": "x"}})).status_code == 422
    assert (await api.post("admin/config/additional-fields/customers", json={"name": "vlan", "title": "Again",
                                                                              "type": "integer"})).status_code == 422
    assert (await api.delete("admin/config/additional-fields/customers--vlan")).status_code == 204
    assert "vlan" not in (await api.get(f"{CUSTOMERS}/1")).json()["additional_attributes"]


async def test_other_collections_and_api_check(api: httpx.AsyncClient) -> None:
    assert (await api.get("admin/api/check")).json() == {"status": "ok", "message": "API is valid",
                                                         "same_server": False}
    for path, count in (("admin/tariffs/voice", 3), ("admin/tariffs/one-time", 4), ("admin/tariffs/recurring", 3),
                        ("admin/tariffs/bundle", 2), ("admin/networking/routers", 3),
                        ("admin/administration/administrators", 3), ("admin/support/tickets", 50)):
        r = await api.head(path)
        assert r.headers["X-total-count"] == str(count), path
        assert len((await api.get(path)).json()) == count
    r = await api.post("admin/networking/routers", json={"title": "New", "partners_ids": [1], "location_id": 1,
                                                          "ip": "192.0.2.1"})
    assert r.status_code == 422 and r.json()[0]["field"] == "ip"


async def test_hundred_thousand_customers_serve_the_last_page_fast() -> None:
    options = SandboxOptions(dataset=Dataset(customers=100_000))
    async with client(create_app(options), auth=(KEY, SECRET)) as c:
        started = time.perf_counter()
        last = (await c.get(CUSTOMERS, params={"limit": 100, "offset": 99_900})).json()
        count = (await c.head(CUSTOMERS)).headers["X-total-count"]
        newest = (await c.get(CUSTOMERS, params={"limit": 5, "order[id]": "DESC"})).json()
        services = (await c.get("admin/finance/invoices", params={"main_attributes[customer_id]": 99_999})).json()
        elapsed = time.perf_counter() - started
    assert [r["id"] for r in last] == list(range(99_901, 100_001))
    assert count == "100000" and [r["id"] for r in newest] == [100_000, 99_999, 99_998, 99_997, 99_996]
    assert [i["id"] for i in services] == [999_990, 999_991, 999_992]
    assert elapsed < 1.0


@pytest.mark.parametrize("path", [
    CUSTOMERS, f"{CUSTOMERS}/0/internet-services", "admin/finance/invoices", "admin/finance/payments",
    "admin/finance/transactions", "admin/support/tickets", "admin/networking/routers",
    "admin/administration/administrators", "admin/customers/customer-documents", "admin/tariffs/internet",
    "admin/tariffs/voice", "admin/tariffs/one-time", "admin/tariffs/recurring", "admin/tariffs/bundle",
])
async def test_options_lists_exactly_the_fields_records_carry(api: httpx.AsyncClient, path: str) -> None:
    attributes = [a["name"] for a in (await api.options(path)).json()["attributes"]]
    record = (await api.get(path, params={"limit": 1})).json()[0]
    assert len(attributes) == len(set(attributes))
    assert set(attributes) <= set(record)
    assert set(record) - set(attributes) <= {"additional_attributes", "customer_labels", "geo", "type"}
