"""The request log: bounded, counted, and safe for the UI to subscribe to."""

from __future__ import annotations

from isptui.http import Exchange, RequestLog, send
from tests.http.recorder import Recorder, Reply, client_for


async def test_the_ring_keeps_the_newest_exchanges() -> None:
    log = RequestLog(size=3)
    app = Recorder()
    async with client_for(app, request_log=log) as client:
        for n in range(5):
            await send(client, "GET", f"customers/{n}")
    assert len(log) == 3 and log.count == 5 and log.size == 3
    assert [e.url.rsplit("/", 1)[1] for e in log.entries()] == ["2", "3", "4"]
    assert [e.id for e in log.entries()] == [3, 4, 5]
    last = log.last()
    assert last is not None and last.id == 5 and log.get(1) is None and log.get(4) is not None


async def test_an_exchange_records_what_happened() -> None:
    app = Recorder(Reply(status=404, body={"detail": "Not found."}))
    async with client_for(app) as client:
        await send(client, "PATCH", "cpes/9/", json={"name": "router"})
    entry = client.request_log.last()
    assert entry is not None
    assert (entry.method, entry.status, entry.attempt, entry.refused) == ("PATCH", 404, 1, False)
    assert entry.request_size == len(b'{"name":"router"}') and entry.response_size == len(b'{"detail": "Not found."}')
    assert entry.request_body == '{"name": "router"}' and entry.response_body == '{"detail": "Not found."}'
    assert entry.duration_ms >= 0 and client.request_log.last_latency_ms == entry.duration_ms
    assert entry.summary().startswith("PATCH https://isp.example.test/api/v2/cpes/9/ -> 404 (")
    assert entry.content_type == "application/json"


async def test_subscribers_hear_every_exchange_and_a_failing_one_breaks_nothing() -> None:
    heard: list[Exchange] = []
    log = RequestLog()

    def broken(_: Exchange) -> None:
        raise RuntimeError("widget gone")

    log.subscribe(broken)
    unsubscribe = log.subscribe(heard.append)
    async with client_for(Recorder(), request_log=log) as client:
        response = await send(client, "GET", "a")
        unsubscribe()
        await send(client, "GET", "b")
    assert response.status_code == 200
    assert [e.url for e in heard] == ["https://isp.example.test/api/v2/a"]
    assert log.count == 2
