"""Retries: how many requests the server received, and how long the client waited between them."""

from __future__ import annotations

import time
from email.utils import formatdate

import httpx
import pytest

from isptui.errors import ConnectionFailed, RateLimited, ServerError
from isptui.http import RetryTransport, parse_retry_after, raise_for_status, send
from tests.http.recorder import Recorder, Reply, Sleeps, client_for

UNAVAILABLE = Reply(status=503, body=b"busy", headers={"content-type": "text/plain"})


async def test_get_on_503_is_retried_until_it_succeeds() -> None:
    app, sleeps = Recorder(UNAVAILABLE, UNAVAILABLE, Reply(body={"n": 1})), Sleeps()
    async with client_for(app, sleep=sleeps, retries=2) as client:
        response = await send(client, "GET", "customers/")
    assert response.json() == {"n": 1}
    assert len(app.received) == 3
    assert len(sleeps) == 2 and all(0 < s <= 4.0 for s in sleeps)
    assert [e.attempt for e in client.request_log.entries()] == [1, 2, 3]
    assert [e.status for e in client.request_log.entries()] == [503, 503, 200]


async def test_retries_are_bounded_and_the_last_answer_is_reported() -> None:
    app, sleeps = Recorder(UNAVAILABLE), Sleeps()
    async with client_for(app, sleep=sleeps, retries=2) as client:
        response = await send(client, "GET", "customers/")
    assert len(app.received) == 3
    with pytest.raises(ServerError) as caught:
        raise_for_status(response)
    assert caught.value.status == 503 and "busy" in caught.value.message


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_sent_write_is_never_retried(method: str) -> None:
    app, sleeps = Recorder(UNAVAILABLE, Reply()), Sleeps()
    async with client_for(app, sleep=sleeps, retries=3) as client:
        response = await send(client, method, "customers/1", json={"x": 1})
    assert response.status_code == 503
    assert len(app.received) == 1 and sleeps == []


async def test_a_dropped_connection_is_retried_for_get_but_not_for_post() -> None:
    app, sleeps = Recorder(Reply(drop=True), Reply(body={"ok": 1})), Sleeps()
    async with client_for(app, sleep=sleeps, retries=2) as client:
        assert (await send(client, "GET", "customers/")).json() == {"ok": 1}
    assert len(app.received) == 2

    app = Recorder(Reply(drop=True), Reply(body={"ok": 1}))
    async with client_for(app, sleep=sleeps, retries=2) as client:
        with pytest.raises(ConnectionFailed) as caught:
            await send(client, "POST", "customers/", json={"name": "Ann"})
    assert len(app.received) == 1
    assert caught.value.url == "https://isp.example.test/api/v2/customers/"
    assert "connection dropped" in caught.value.message


async def test_a_write_is_retried_when_the_connection_never_opened() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(201, json={"id": 5})

    sleeps = Sleeps()
    async with client_for(None, sleep=sleeps, retries=2, transport=httpx.MockTransport(handler)) as client:
        response = await send(client, "POST", "customers/", json={"name": "Ann"})
    assert response.status_code == 201 and calls == ["POST", "POST"] and len(sleeps) == 1


async def test_retry_after_seconds_is_honoured() -> None:
    limited = Reply(status=429, body=b"", headers={"Retry-After": "3"})
    app, sleeps = Recorder(limited, Reply()), Sleeps()
    async with client_for(app, sleep=sleeps, retries=2) as client:
        response = await send(client, "GET", "customers/")
    assert response.status_code == 200 and sleeps == [3.0] and len(app.received) == 2


async def test_retry_after_http_date_is_honoured() -> None:
    limited = Reply(status=503, body=b"", headers={"Retry-After": formatdate(time.time() + 6, usegmt=True)})
    app, sleeps = Recorder(limited, Reply()), Sleeps()
    async with client_for(app, sleep=sleeps, retries=2) as client:
        await send(client, "GET", "customers/")
    assert len(sleeps) == 1 and 4.0 <= sleeps[0] <= 6.0


async def test_retry_after_above_the_cap_gives_up_with_rate_limited() -> None:
    limited = Reply(status=429, body={"detail": "slow down"}, headers={"Retry-After": "3600",
                                                                       "content-type": "application/json"})
    app, sleeps = Recorder(limited, Reply()), Sleeps()
    async with client_for(app, sleep=sleeps, retries=2) as client:
        response = await send(client, "GET", "customers/")
    assert len(app.received) == 1 and sleeps == []
    with pytest.raises(RateLimited) as caught:
        raise_for_status(response)
    assert caught.value.retry_after == 3600
    assert caught.value.message == "HTTP 429 Too Many Requests: slow down; retry after 3600 s"


async def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(502)

    sleeps = Sleeps()
    full = RetryTransport(httpx.MockTransport(handler), retries=4, sleep=sleeps, jitter=lambda: 1.0)
    async with httpx.AsyncClient(transport=full) as client:
        await client.get("http://127.0.0.1/x")
    assert sleeps == [0.25, 0.5, 1.0, 2.0] and calls == 5
    half = RetryTransport(httpx.MockTransport(handler), retries=2, sleep=sleeps, jitter=lambda: 0.0)
    sleeps.clear()
    async with httpx.AsyncClient(transport=half) as client:
        await client.get("http://127.0.0.1/x")
    assert sleeps == [0.125, 0.25]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), (" 0 ", 0.0), ("-5", 0.0), ("soon", None), ("", None), (None, None), ("nan", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_date_in_the_future() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == 30.0
