"""The chain over a real socket: the recorder served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvicorn

from isptui.backends.base import BackendSettings
from isptui.errors import ReadOnlyViolation, RequestTimeout
from isptui.http import make_client, send
from tests.http.recorder import Recorder, Reply, Sleeps

APP = Recorder()


@pytest.fixture
async def served() -> AsyncIterator[str]:
    APP.received.clear()
    server = uvicorn.Server(uvicorn.Config(APP, host="127.0.0.1", port=0, log_level="error", lifespan="off",
                                          timeout_graceful_shutdown=1))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/api/"
    # The hung request is still open: do not wait for it to finish gracefully.
    server.should_exit = server.force_exit = True
    await asyncio.wait_for(task, 5)


async def test_over_tcp_reads_retry_writes_are_refused_and_hangs_time_out(served: str) -> None:
    APP.replies = [Reply(status=503, body=b""), Reply(body={"ok": 1}), Reply(hang=True)]
    sleeps = Sleeps()
    settings = BackendSettings(url=served, read_only=True, timeout=0.3, retries=1)
    async with make_client(settings, base_url=served, sleep=sleeps) as client:
        assert (await send(client, "GET", "customers")).json() == {"ok": 1}
        with pytest.raises(ReadOnlyViolation):
            await send(client, "DELETE", "customers/1")
        with pytest.raises(RequestTimeout):
            await send(client, "GET", "slow")
    assert [(r.method, r.path) for r in APP.received] == [
        ("GET", "/api/customers"), ("GET", "/api/customers"), ("GET", "/api/slow"), ("GET", "/api/slow"),
    ]
    assert len(sleeps) == 2
