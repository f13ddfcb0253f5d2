"""create_sandbox: size and speed, the request recorder, and the "all" app that routes by real prefixes."""

from __future__ import annotations

import sys
import time

import pytest

from isptui.sandbox import BACKEND_PREFIXES, backend_for_path, create_sandbox
from isptui.sandbox.options import SandboxCredentials

from .conftest import AVAILABLE, ISPCRM_AUTH, ClientFactory, probe


async def test_a_100000_customer_sandbox_starts_and_serves_its_last_page_fast(asgi_client: ClientFactory) -> None:
    started = time.perf_counter()
    sandbox = create_sandbox(customers=100_000)
    assert time.perf_counter() - started < 0.5
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        started = time.perf_counter()
        page = (await c.get("/api/v1/users", params={"offset": 99_975, "limit": 25})).json()
        elapsed = time.perf_counter() - started
    assert [u["id"] for u in page["data"]] == list(range(99_976, 100_001))
    assert page["meta"]["total"] == 100_000 and page["links"]["next"] is None
    assert elapsed < 0.5


def test_sizes_seed_and_credentials_reach_the_options() -> None:
    creds = SandboxCredentials(ispcrm_token="other")
    sandbox = create_sandbox("ispcrm", customers=7, seed=3, credentials=creds)
    assert (sandbox.options.dataset.customers, sandbox.options.dataset.seed) == (7, 3)
    assert sandbox.options.credentials.ispcrm_token == "other" and sandbox.backends == ("ispcrm",)
    assert sandbox.chaos is None and sandbox.options.token_ttl is None


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"backend": "nope"}, "unknown sandbox backend"),
    ({"customers": 0}, "at least 1 customer"),
    ({"chaos": "latency=fast"}, "latency"),
])
def test_bad_arguments_raise_value_error(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        create_sandbox(**kwargs)  # type: ignore[arg-type]


async def test_the_recorder_keeps_each_request_and_the_app_still_gets_the_body(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox("ispcrm", customers=5)
    async with asgi_client(sandbox.app, headers={**ISPCRM_AUTH, "X-Trace": "abc"}) as c:
        await c.get("/api/v1/users", params={"limit": 2})
        r = await c.post("/api/v1/users", json={"username": "rec1", "fullname": "Rec Orded", "profile_id": 1})
    assert r.status_code == 201 and r.json()["data"]["fullname"] == "Rec Orded"
    get, post = sandbox.received
    assert (get.method, get.path, get.query, get.body) == ("GET", "/api/v1/users", "limit=2", b"")
    assert post.method == "POST" and post.json() == {"username": "rec1", "fullname": "Rec Orded", "profile_id": 1}
    assert post.headers["x-trace"] == "abc" and post.headers["authorization"] == "Bearer sandbox-token"
    assert post.headers["content-type"] == "application/json"
    sandbox.clear_received()
    assert sandbox.received == []


async def test_the_recorder_sees_requests_that_chaos_answers(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox("ispcrm", chaos="error_rate=1")
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        r = await c.put("/api/v1/users/1", json={"fullname": "Never applied"})
    assert r.status_code in (500, 503)
    assert [(q.method, q.json()) for q in sandbox.received] == [("PUT", {"fullname": "Never applied"})]


def test_prefixes_map_paths_to_backends() -> None:
    assert backend_for_path("/api/v1") == backend_for_path("/api/v1/users") == "ispcrm"
    assert backend_for_path("/api/v10") is None and backend_for_path("/") is None
    assert backend_for_path("/api/2.0/admin/customers/customer") == "splynx"
    assert backend_for_path("/api/ipdrcustomers/isp00001") == "trisul"
    assert [backend_for_path(p) for p in BACKEND_PREFIXES.values()] == list(BACKEND_PREFIXES)


@pytest.mark.parametrize("backend", list(BACKEND_PREFIXES))
async def test_the_all_app_serves_each_backend_at_its_real_prefix(asgi_client: ClientFactory, backend: str) -> None:
    if backend not in AVAILABLE:
        pytest.skip(f"the {backend} emulator (isptui/sandbox/{backend}) has no create_app yet")
    async with asgi_client(create_sandbox(customers=20).app) as c:
        await probe(backend, c)


async def test_the_all_app_index_and_unknown_paths(asgi_client: ClientFactory) -> None:
    async with asgi_client(create_sandbox().app) as c:
        index = (await c.get("/")).json()
        assert index["backends"] == {b: f"http://sandbox.local{p}" for b, p in BACKEND_PREFIXES.items()}
        missing = await c.get("/api/v3/anything")
        assert missing.status_code == 404 and "/api/v3/anything" in missing.json()["error"]


async def test_a_single_backend_sandbox_serves_only_its_prefix(asgi_client: ClientFactory) -> None:
    async with asgi_client(create_sandbox("ispcrm").app, headers=ISPCRM_AUTH) as c:
        assert (await c.get("/api/v1")).status_code == 200
        assert (await c.get("/rest_api/v2/Abonents/")).status_code == 404
        assert list((await c.get("/")).json()["backends"]) == ["ispcrm"]


async def test_a_missing_emulator_answers_501_not_a_traceback(
        asgi_client: ClientFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "isptui.sandbox.carbon", None)  # as if the module did not exist
    async with asgi_client(create_sandbox().app) as c:
        r = await c.post("/rest_api/v2/Abonents/")
    assert r.status_code == 501 and "carbon" in r.json()["error"]
