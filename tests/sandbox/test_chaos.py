"""Chaos: spec parsing, determinism with the seed, and each fault as a client meets it (in-process)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import pytest

from isptui.sandbox import create_sandbox
from isptui.sandbox.chaos import ChaosMiddleware, ChaosSpec
from isptui.sandbox.ispcrm import create_app as ispcrm_app
from isptui.sandbox.options import SandboxOptions

from .conftest import ISPCRM_AUTH, ClientFactory


def test_the_documented_spec_parses() -> None:
    spec = ChaosSpec.parse("latency=200ms,error_rate=0.1,timeout_rate=0.05,malformed_rate=0.05,"
                           "drop_rate=0.02,token_ttl=20,rate_limit=10/s")
    assert spec == ChaosSpec(latency=0.2, error_rate=0.1, timeout_rate=0.05, malformed_rate=0.05,
                             drop_rate=0.02, token_ttl=20.0, rate_limit=10.0)
    assert ChaosSpec.parse(spec.describe()) == spec
    assert ChaosSpec.parse(" latency = 2s , rate_limit=120/min ") == ChaosSpec(latency=2.0, rate_limit=2.0)
    assert ChaosSpec.parse("token_ttl=500ms").token_ttl == 0.5
    assert not ChaosSpec.parse("") and ChaosSpec.parse("drop_rate=0.1")


@pytest.mark.parametrize(("spec", "words"), [
    ("latency=200", "latency='200' is not a duration"),
    ("latncy=2s", "unknown key 'latncy'"),
    ("error_rate=1.5", "between 0 and 1"),
    ("error_rate=lots", "not a number"),
    ("error_rate=0.6,drop_rate=0.6", "add up to 1.2"),
    ("rate_limit=0/s", "not a positive rate"),
    ("rate_limit=10/h", "not a positive rate"),
    ("token_ttl=0", "must be positive"),
    ("drop_rate", "not key=value"),
    ("drop_rate=0.1,drop_rate=0.2", "given twice"),
])
def test_bad_specs_raise_a_clear_value_error(spec: str, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(")) as info:
        ChaosSpec.parse(spec)
    assert str(info.value).startswith("chaos: ")


def test_token_ttl_reaches_the_vendor_options() -> None:
    assert create_sandbox("ispcrm", chaos="token_ttl=20").options.token_ttl == 20.0


async def outcomes(seed: int, asgi_client: ClientFactory, n: int = 40) -> list[str]:
    """What a client saw for ``n`` requests: status and whether the body was JSON."""
    sandbox = create_sandbox("ispcrm", seed=seed, chaos="error_rate=0.25,malformed_rate=0.25")
    seen = []
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        for i in range(n):
            r = await c.get(f"/api/v1/users/{i % 5 + 1}")
            try:
                r.json()
                kind = "json"
            except ValueError:
                kind = "garbled"
            seen.append(f"{r.status_code}:{kind}")
    return seen


async def test_the_same_seed_injects_the_same_faults(asgi_client: ClientFactory) -> None:
    first, again, other = (await outcomes(7, asgi_client), await outcomes(7, asgi_client),
                           await outcomes(8, asgi_client))
    assert first == again
    assert first != other
    assert {"200:json", "200:garbled"} <= set(first) and ({"500:json", "503:json"} & set(first))


@pytest.mark.parametrize(("prefix", "shape"), [
    ("/api/2.0/admin/customers/customer", lambda b: b["error"]["code"] in (500, 503)
     and b["error"]["internal_code"] == "SERVER_ERROR"),
    ("/api/v2/isp/cpes/", lambda b: set(b) == {"detail"}),
    ("/api/v1/users", lambda b: b["status"] == "error"),
    ("/api/ipdrcustomers", lambda b: b["status"] == "ERROR"),
    ("/rest_api/v2/Abonents/", lambda b: b["call"] == "/rest_api/v2/Abonents/" and b["error"]),
])
async def test_injected_errors_use_each_vendors_error_shape(asgi_client: ClientFactory, prefix: str,
                                                            shape: object) -> None:
    sandbox = create_sandbox(chaos="error_rate=1")
    async with asgi_client(sandbox.app) as c:
        r = await c.get(prefix)
    assert r.status_code in (500, 503)
    assert shape(r.json())  # type: ignore[operator]
    assert sandbox.chaos is not None and sandbox.chaos.injected["error"] == 1


async def test_malformed_bodies_are_not_json(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox("ispcrm", chaos="malformed_rate=1")
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        responses = [await c.get("/api/v1/users") for _ in range(12)]
    assert {r.status_code for r in responses} == {200, 502}
    for r in responses:
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.content)
    assert any(r.text.startswith('{"success":"true"') for r in responses)  # a truncated real body
    assert any("<title>502 Bad Gateway</title>" in r.text for r in responses)


async def test_a_dropped_connection_raises_in_process(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox("ispcrm", chaos="drop_rate=1")
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        with pytest.raises(ConnectionResetError, match="sandbox chaos: connection dropped"):
            await c.get("/api/v1")
    assert sandbox.chaos is not None and sandbox.chaos.injected["drop"] == 1


async def test_a_timeout_hangs_longer_than_the_client_waits(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox("ispcrm", chaos="timeout_rate=1")
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(c.get("/api/v1"), timeout=0.2)
    assert sandbox.chaos is not None and sandbox.chaos.injected["timeout"] == 1


async def test_latency_delays_every_request(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox("ispcrm", chaos="latency=60ms")
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        started = time.perf_counter()
        r = await c.get("/api/v1")
    assert r.status_code == 200 and time.perf_counter() - started >= 0.06


async def test_rate_limit_answers_429_with_retry_after(asgi_client: ClientFactory) -> None:
    now = [100.0]
    app = ChaosMiddleware(ispcrm_app(SandboxOptions()), ChaosSpec.parse("rate_limit=2/s"), clock=lambda: now[0])
    async with asgi_client(app, headers=ISPCRM_AUTH) as c:
        statuses = [(await c.get("/api/v1")).status_code for _ in range(3)]
        limited = await c.get("/api/v1")
        now[0] += 0.5  # one token back at 2/s
        after = await c.get("/api/v1")
    assert statuses == [200, 200, 429]
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert limited.json()["status"] == "error"
    assert after.status_code == 200 and app.injected["rate_limited"] == 2


async def test_login_endpoints_are_exempt_so_a_session_can_start(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox(chaos="error_rate=0.5,drop_rate=0.5")
    async with asgi_client(sandbox.app) as c:
        for path in ("/api/v2/auth/login/", "/api/2.0/admin/auth/tokens"):
            for _ in range(5):
                r = await c.post(path, json={})
                assert "sandbox chaos" not in r.text
    assert sandbox.chaos is not None
    assert sandbox.chaos.injected["error"] == sandbox.chaos.injected["drop"] == 0
    async with asgi_client(sandbox.app) as c:
        for _ in range(10):  # the rest of the API is not exempt
            with contextlib.suppress(ConnectionResetError):
                await c.get("/api/v1")
    assert sandbox.chaos.injected["error"] + sandbox.chaos.injected["drop"] == 10


async def test_a_slow_answer_still_arrives_with_the_body_intact(asgi_client: ClientFactory) -> None:
    sandbox = create_sandbox("ispcrm", chaos="timeout_rate=1")
    assert sandbox.chaos is not None
    sandbox.chaos.timeout_delay = 0.05  # a patient client waits the hang out
    async with asgi_client(sandbox.app, headers=ISPCRM_AUTH) as c:
        r = await c.post("/api/v1/users", json={"username": "slowpoke", "fullname": "Slow Poke", "profile_id": 2})
    assert r.status_code == 201 and r.json()["data"]["username"] == "slowpoke"
