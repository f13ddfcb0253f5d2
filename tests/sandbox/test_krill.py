"""Wire format of the Krill (Phicus) API v2 emulator, spoken to with plain httpx over ASGITransport."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from isptui.sandbox.dataset import Dataset
from isptui.sandbox.krill import create_app
from isptui.sandbox.options import SandboxOptions

BASE = "http://sandbox.local"


async def _login(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post("/api/v2/auth/login/", json={"username": "operator", "password": "sandbox"})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access']}"}


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)  # type: ignore[arg-type]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(create_app(SandboxOptions(dataset=Dataset(customers=60)))) as c:
        c.headers.update(await _login(c))
        yield c


# -- auth ----------------------------------------------------------------------------------------


async def test_login_with_form_returns_simplejwt_pair_with_claims() -> None:
    async with _client(create_app(SandboxOptions())) as c:
        response = await c.post("/api/v2/auth/login", data={"username": "operator", "password": "sandbox"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    header, payload, _ = body["access"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert json.loads(base64.urlsafe_b64decode(header + "==="))["alg"] == "HS256"
    assert claims["token_type"] == "access" and claims["exp"] - claims["iat"] == 86400
    assert {"jti", "user_id"} <= claims.keys()


async def test_bad_credentials_and_missing_fields() -> None:
    async with _client(create_app(SandboxOptions())) as c:
        wrong = await c.post("/api/v2/auth/login/", json={"username": "operator", "password": "nope"})
        missing = await c.post("/api/v2/auth/login/", json={})
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "No active account found with the given credentials"}
    assert missing.status_code == 400
    assert missing.json() == {"username": ["This field is required."], "password": ["This field is required."]}


async def test_requests_without_or_with_forged_token_get_401() -> None:
    async with _client(create_app(SandboxOptions())) as c:
        anonymous = await c.get("/api/v2/isp/cpes/")
        forged = await c.get("/api/v2/isp/cpes/", headers={"Authorization": "Bearer a.b.c"})
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="api"'
    assert forged.status_code == 401
    assert forged.json()["code"] == "token_not_valid"
    assert forged.json()["messages"][0]["message"] == "Token is invalid"


async def test_token_expires_after_ttl_and_refresh_issues_a_new_one() -> None:
    now = [1_800_000_000.0]
    app = create_app(SandboxOptions(token_ttl=20), clock=lambda: now[0])
    async with _client(app) as c:
        pair = (await c.post("/api/v2/auth/login/", json={"username": "operator", "password": "sandbox"})).json()
        bearer = {"Authorization": f"Bearer {pair['access']}"}
        assert (await c.get("/api/v2/isp/", headers=bearer)).status_code == 200
        now[0] += 21
        expired = await c.get("/api/v2/isp/", headers=bearer)
        wrong_kind = await c.post("/api/v2/auth/refresh/", json={"refresh": pair["access"]})
        refreshed = await c.post("/api/v2/auth/refresh/", json={"refresh": pair["refresh"]})
        again = await c.get("/api/v2/isp/", headers={"Authorization": f"Bearer {refreshed.json()['access']}"})
        user = await c.get("/api/v2/auth/user/", headers={"Authorization": f"Bearer {refreshed.json()['access']}"})
    assert expired.status_code == 401
    assert expired.json()["code"] == "token_not_valid"
    assert expired.json()["messages"][0]["message"] == "Token is expired"
    assert wrong_kind.status_code == 401 and wrong_kind.json()["code"] == "token_not_valid"
    assert refreshed.status_code == 200 and set(refreshed.json()) == {"access"}
    assert again.status_code == 200
    assert user.json()["username"] == "operator"


# -- roots, paging -------------------------------------------------------------------------------


async def test_api_root_and_app_roots_list_absolute_urls(client: httpx.AsyncClient) -> None:
    root = (await client.get("/api/v2/")).json()
    assert root["isp"] == f"{BASE}/api/v2/isp/"
    assert {"isp", "monitoring", "oratio", "rubik", "auth"} <= root.keys()
    isp = (await client.get(root["isp"])).json()
    assert isp == {name: f"{BASE}/api/v2/isp/{name}/" for name in ("customers", "cpes", "potses", "cpe-profiles")}
    for app in ("monitoring", "oratio", "rubik"):
        for url in (await client.get(root[app])).json().values():
            assert (await client.get(url)).status_code == 200, url


async def test_isp_paging_has_absolute_sorted_next_and_previous(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v2/isp/cpes/?attrs=id&offset=42&limit=3")).json()
    assert body["count"] == 60
    assert body["next"] == f"{BASE}/api/v2/isp/cpes/?attrs=id&limit=3&offset=45"
    assert body["previous"] == f"{BASE}/api/v2/isp/cpes/?attrs=id&limit=3&offset=39"
    assert body["results"] == [{"id": 43}, {"id": 44}, {"id": 45}]
    second = (await client.get("/api/v2/isp/cpes/?limit=3&offset=3")).json()
    assert second["previous"] == f"{BASE}/api/v2/isp/cpes/?limit=3"


async def test_following_next_visits_every_record_once(client: httpx.AsyncClient) -> None:
    url: str | None = "/api/v2/isp/customers/?limit=7"
    seen: list[int] = []
    while url:
        page = (await client.get(url)).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == list(range(1, 61))


async def test_rubik_paging_is_relative_with_default_of_ten(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/v2/rubik/services/")).json()
    assert len(first["results"]) == 10 and first["next"] == "/api/v2/rubik/services/?limit=10&offset=10"
    assert (await client.get("/api/v2/rubik/services/?limit=5&offset=5")).json()["previous"] == (
        "/api/v2/rubik/services/?limit=5"
    )
    url: str | None = "/api/v2/rubik/services/?limit=25"
    ids: list[int] = []
    while url:
        assert not urlsplit(url).netloc
        page = (await client.get(url)).json()
        ids += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(ids) == len(set(ids)) == 60


async def test_late_page_of_100000_customers_is_fast() -> None:
    app = create_app(SandboxOptions(dataset=Dataset(customers=100_000)))
    async with _client(app) as c:
        headers = await _login(c)
        started = time.perf_counter()
        page = (await c.get("/api/v2/isp/customers/?offset=99990&limit=10", headers=headers)).json()
        elapsed = time.perf_counter() - started
    assert page["count"] == 100_000 and [r["id"] for r in page["results"]] == list(range(99_991, 100_001))
    assert page["next"] is None
    assert elapsed < 0.5


# -- attrs, joins, _links, actions ---------------------------------------------------------------


async def test_attrs_and_joins_as_in_the_guide(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v2/isp/cpes/14/?attrs=id,cpename")).json() == {"cpename": "isp00014", "id": 14}
    body = (await client.get("/api/v2/isp/cpes/13/?attrs=id&joins=customer,potses")).json()
    assert list(body) == ["id", "customer", "potses"]
    assert body["customer"]["id"] == 13 and body["customer"]["surname"] == "Ωmega-東京"
    assert [p["lineid"] for p in body["potses"]] == ["isp00013-1", "isp00013-2"]
    listed = (await client.get("/api/v2/isp/cpes/?attrs=id&joins=customer&limit=2")).json()["results"]
    assert [(r["id"], r["customer"]["id"]) for r in listed] == [(1, 1), (2, 2)]


async def test_every_cpe_link_answers(client: httpx.AsyncClient) -> None:
    cpe = (await client.get("/api/v2/isp/cpes/9/")).json()
    assert cpe["_services"] == ["provision", "tr069", "dhcp", "txrx"]
    assert set(cpe["_links"]["actions"]) == {"diagnostic", "factory", "reboot", "reconfig", "reprovision", "unprovision"}
    for name, path in cpe["_links"]["links"].items():
        response = await client.get(path)
        assert response.status_code == 200, (name, response.text)
        assert response.headers["content-type"] == "application/json"
    assert (await client.get(cpe["_links"]["links"]["customer"])).json()["id"] == 9
    potses = (await client.get(cpe["_links"]["links"]["potses"])).json()
    assert potses["count"] == 2 and all(p["cpe"] == 9 for p in potses["results"])
    cdrs = (await client.get(cpe["_links"]["links"]["cdrs"])).json()["results"]
    assert cdrs and {e["type"] for e in cdrs} == {"cdr"}


async def test_actions_via_get_and_post_are_recorded_as_events(client: httpx.AsyncClient) -> None:
    links = (await client.get("/api/v2/isp/cpes/4/")).json()["_links"]
    by_get = await client.get(links["actions"]["reboot"])
    by_post = await client.post(links["actions"]["diagnostic"] + "/")
    assert by_get.json() == {"status": "queued", "action": "reboot", "cpe": 4}
    assert by_post.status_code == 200 and by_post.json()["action"] == "cwmp_diagnostic"
    events = (await client.get(links["links"]["events"])).json()["results"]
    assert [e["name"] for e in events[:2]] == ["cwmp_diagnostic", "reboot"]
    assert (await client.get("/api/v2/isp/cpes/999/reboot")).status_code == 404


# -- methods, OPTIONS, CRUD, validation ----------------------------------------------------------


async def test_potses_are_read_only(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/v2/isp/potses/", json={"lineid": "x"})
    deleted = await client.delete("/api/v2/isp/potses/1/")
    options = (await client.options("/api/v2/isp/potses/")).json()
    assert created.status_code == 405 and created.json() == {"detail": 'Method "POST" not allowed.'}
    assert created.headers["allow"] == "GET, HEAD, OPTIONS"
    assert deleted.status_code == 405
    assert "actions" not in options and options["name"] == "Pots List"


async def test_allow_and_common_headers(client: httpx.AsyncClient) -> None:
    listed = await client.get("/api/v2/isp/cpes/")
    detail = await client.head("/api/v2/isp/cpes/1/")
    assert listed.headers["allow"] == "GET, POST, HEAD, OPTIONS"
    assert listed.headers["vary"] == "Accept, Cookie"
    assert listed.headers["content-type"] == "application/json"
    assert detail.status_code == 200 and detail.content == b""
    assert detail.headers["allow"] == "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"


async def test_options_metadata_like_drf(client: httpx.AsyncClient) -> None:
    meta = (await client.options("/api/v2/isp/cpes/")).json()
    assert meta["renders"] == ["application/json", "text/html"]
    post = meta["actions"]["POST"]
    assert [c["value"] for c in post["tech"]["choices"]] == ["gpon", "adsl", "vdsl", "wimax", "docsis"]
    assert post["tech"]["required"] is True and post["cpename"]["max_length"] == 64
    for name in ("id", "created", "updated", "_links"):
        assert post[name]["read_only"] is True and post[name]["required"] is False
    assert "choices" not in post["customer"]  # related fields never list their choices
    detail = (await client.options("/api/v2/isp/customers/1/")).json()
    assert set(detail["actions"]) == {"PUT"}
    assert {c["value"] for c in detail["actions"]["PUT"]["realm"]["choices"]} >= {"isp", "business"}


async def test_cpe_crud_round_trip(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/v2/isp/cpes/", json={
        "cpename": "lab0001", "customer": 5, "tech": "vdsl", "sn": "LAB00000001", "voip_profile": 1,
    })
    assert created.status_code == 201
    cpe = created.json()
    assert cpe["id"] == 61 and cpe["customer"] == 5 and cpe["_links"]["links"]["customer"].endswith("/61/customer")
    assert (await client.get("/api/v2/isp/potses/?cpe=61")).json()["count"] == 1
    patched = await client.patch("/api/v2/isp/cpes/61/", json={"wifi_ssid": "Lab [x]"})
    assert patched.json()["wifi_ssid"] == "Lab [x]" and patched.json()["tech"] == "vdsl"
    put = await client.put("/api/v2/isp/cpes/61/", json={"cpename": "lab0002", "customer": 6, "tech": "gpon"})
    assert put.status_code == 200 and put.json()["wifi_ssid"] == "Lab [x]"
    customer6 = (await client.get("/api/v2/isp/customers/6/?joins=cpes")).json()
    assert [c["id"] for c in customer6["cpes"]] == [6, 61]
    assert (await client.get("/api/v2/isp/cpes/?sn=LAB00000001")).json()["results"][0]["cpename"] == "lab0002"
    assert (await client.delete("/api/v2/isp/cpes/61/")).status_code == 204
    assert (await client.get("/api/v2/isp/cpes/61/")).status_code == 404
    assert (await client.get("/api/v2/isp/cpes/")).json()["count"] == 60


async def test_validation_errors_are_drf_shaped(client: httpx.AsyncClient) -> None:
    missing = await client.post("/api/v2/isp/cpes/", json={"sn": "X"})
    assert missing.status_code == 400
    assert missing.json() == {k: ["This field is required."] for k in ("cpename", "customer", "tech")}
    bad = await client.post("/api/v2/isp/cpes/", json={
        "cpename": "x", "customer": 999, "tech": "fiber", "me_vlan": "ten", "active": "maybe",
    })
    assert bad.json() == {
        "active": ["Must be a valid boolean."],
        "customer": ['Invalid pk "999" - object does not exist.'],
        "me_vlan": ["A valid integer is required."],
        "tech": ['"fiber" is not a valid choice.'],
    }
    taken_sn = (await client.get("/api/v2/isp/cpes/2/")).json()["sn"]
    duplicate = await client.patch("/api/v2/isp/cpes/3/", json={"sn": taken_sn, "external_id": "isp00004"})
    assert duplicate.json() == {"external_id": ["cpe with this external id already exists."],
                                "sn": ["cpe with this sn already exists."]}
    not_a_dict = await client.post("/api/v2/isp/customers/", json=[1])
    assert not_a_dict.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
    assert (await client.patch("/api/v2/isp/cpes/3/", json={"sn": (await client.get("/api/v2/isp/cpes/3/")).json()["sn"]})).status_code == 200


async def test_not_found_shapes(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v2/isp/customers/9999/")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    assert (await client.get("/api/v2/isp/customers/abc/")).json() == {"detail": "Not found."}
    unrouted = await client.get("/api/v2/isp/nothing-here/x/y")
    assert unrouted.status_code == 404 and unrouted.headers["content-type"].startswith("text/html")


# -- filters -------------------------------------------------------------------------------------


async def test_cpe_and_customer_filters(client: httpx.AsyncClient) -> None:
    cpe = (await client.get("/api/v2/isp/cpes/17/")).json()
    by_key = (await client.get(f"/api/v2/isp/cpes/?external_id={cpe['external_id']}&realm={cpe['realm']}")).json()
    assert by_key["count"] == 1 and by_key["results"][0]["id"] == 17
    topology = (await client.get("/api/v2/isp/cpes/?topology=OLT02&limit=100")).json()
    assert topology["count"] == 15 and all(r["topology"] == "OLT02" for r in topology["results"])
    assert [r["id"] for r in (await client.get("/api/v2/isp/cpes/?customer=8")).json()["results"]] == [8]
    bad = await client.get("/api/v2/isp/cpes/?customer=abc")
    assert bad.status_code == 400 and "customer" in bad.json()
    surname = (await client.get("/api/v2/isp/customers/13/")).json()["surname"]
    assert [r["id"] for r in (await client.get(f"/api/v2/isp/customers/?surname={surname}")).json()["results"]] == [13]
    searched = (await client.get("/api/v2/isp/customers/?search=ωMEGA")).json()
    assert [r["id"] for r in searched["results"]] == [13]


async def test_rubik_filters_and_sort_and_oratio_online(client: httpx.AsyncClient) -> None:
    owners = [r["owner"] for r in (await client.get("/api/v2/rubik/services/?sort=-owner&limit=60")).json()["results"]]
    assert owners == sorted(owners, reverse=True) and len(set(owners)) > 1
    active = (await client.get("/api/v2/rubik/services/?state=active&limit=60")).json()
    assert active["count"] > 0 and {r["state"] for r in active["results"]} == {"active"}
    online = (await client.get("/api/v2/oratio/accounting?online=true&limit=100&sort=username")).json()
    everything = (await client.get("/api/v2/oratio/accounting?limit=100")).json()["results"]
    assert online["count"] == sum(r["acctstoptime"] is None for r in everything)
    names = [r["username"] for r in online["results"]]
    assert names == sorted(names) and all(r["acctstoptime"] is None for r in online["results"])
