"""Connecting over a real socket does not stop the UI's event loop (issue 15: no block over 50 ms)."""

from __future__ import annotations

import asyncio

import uvicorn

from isptui.backends.base import BackendSettings, load_backend
from isptui.sandbox import create_sandbox
from tests.stall import no_loop_stalls


async def test_connecting_builds_the_http_transport_off_the_loop() -> None:
    """httpx's transport loads the system's CA certificates into an SSL context when it is made (~90 ms here,
    C code holding the interpreter; plain-HTTP connections too) and imports httpcore the first time: made on
    the loop, that stopped the UI on every connect. The client is now made in a thread."""
    sandbox = create_sandbox("splynx", customers=5)
    server = uvicorn.Server(uvicorn.Config(sandbox.app, host="127.0.0.1", port=0, log_level="error",
                                          lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    settings = BackendSettings(url=f"http://127.0.0.1:{port}", retries=0,
                               credentials={"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"})
    backend = load_backend("splynx")(settings)
    try:
        async with no_loop_stalls() as watch:
            await backend.connect()
        assert [r.method for r in sandbox.received], "the probe never reached the server"
    finally:
        await backend.close()
        server.should_exit = True
        await asyncio.wait_for(task, 5)
    assert watch.worst <= watch.limit, watch.report()
