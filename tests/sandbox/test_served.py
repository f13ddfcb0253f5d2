"""The sandbox over real sockets on 127.0.0.1: ``serving()`` and ``isptui sandbox serve`` in a subprocess."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from isptui.sandbox import BACKEND_PREFIXES, create_sandbox
from isptui.sandbox.serve import serving

from .conftest import AVAILABLE, ISPCRM_AUTH, probe


@pytest.fixture(scope="module")
def served_url() -> str:  # type: ignore[misc]
    with serving(create_sandbox(customers=20).app) as url:
        yield url


@pytest.mark.parametrize("backend", list(BACKEND_PREFIXES))
async def test_each_backend_answers_over_a_real_socket(served_url: str, backend: str) -> None:
    if backend not in AVAILABLE:
        pytest.skip(f"the {backend} emulator (isptui/sandbox/{backend}) has no create_app yet")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", served_url)
    async with httpx.AsyncClient(base_url=served_url, timeout=5) as client:
        await probe(backend, client)


async def test_absolute_links_carry_the_served_port(served_url: str) -> None:
    async with httpx.AsyncClient(base_url=served_url, timeout=5, headers=ISPCRM_AUTH) as client:
        root = (await client.get("/api/v1/")).json()
        assert root["list_users"] == f"{served_url}/api/v1/users"
        assert (await client.get(root["list_users"])).status_code == 200


def test_answers_on_a_kept_alive_connection_do_not_wait_for_a_delayed_ack(served_url: str) -> None:
    """uvicorn writes an answer's headers and its body separately; with Nagle on (the listening socket made
    without naming TCP, so asyncio left TCP_NODELAY off) the body waited for the client's delayed ACK, 40 ms
    on Linux, on every request after a connection's first: ~42 ms each instead of ~1 ms."""
    import http.client
    import statistics

    host, port = served_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    took = []
    try:
        for _ in range(15):
            start = time.perf_counter()
            conn.request("GET", "/api/v1/users", headers=ISPCRM_AUTH)
            response = conn.getresponse()
            assert response.status == 200 and response.read()
            took.append(time.perf_counter() - start)
    finally:
        conn.close()
    assert statistics.median(took) < 0.02, [round(t * 1000, 1) for t in took]


async def test_a_served_drop_closes_the_connection_without_a_response() -> None:
    sandbox = create_sandbox("ispcrm", chaos="drop_rate=0.5", seed=3)
    with serving(sandbox.app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=5, headers=ISPCRM_AUTH) as client:
            outcomes = []
            for _ in range(12):
                try:
                    outcomes.append((await client.get("/api/v1")).status_code)
                except httpx.TransportError:
                    outcomes.append("dropped")
    assert sandbox.chaos is not None
    assert outcomes.count("dropped") == sandbox.chaos.injected["drop"] > 0
    assert set(outcomes) == {200, "dropped"}  # never a 500 from the server in place of the drop


async def test_a_served_timeout_times_the_client_out_and_shutdown_stays_quick() -> None:
    sandbox = create_sandbox("ispcrm", chaos="timeout_rate=1")
    with serving(sandbox.app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=0.3, headers=ISPCRM_AUTH) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get("/api/v1")
        stopping = time.perf_counter()
    assert time.perf_counter() - stopping < 3


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "isptui", "sandbox", "serve", *args]


def test_cli_serve_prints_urls_and_credentials_and_answers() -> None:
    proc = subprocess.Popen(_cli("--port", "0", "--customers", "30", "--backend", "all"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ctrl+C"):
                break
        text = "".join(lines)
        root = re.search(r"on (http://127\.0\.0\.1:\d+)", text)
        assert root, text
        url = root.group(1)
        assert f"ispcrm: {url}/api/v1" in text
        assert f"isptui open ispcrm --url {url} --token sandbox-token" in text
        assert f"isptui open krill --url {url} --username operator --password sandbox" in text
        assert "--api-key sandbox-key --api-secret sandbox-secret" in text
        assert "--api-token sandbox-token --context default" in text
        assert f"carbon: {url}/rest_api/v2/" in text and "30 customers" in text
        r = httpx.get(f"{url}/api/v1", headers={"X-Auth-Token": "sandbox-token"}, timeout=5)
        assert r.status_code == 200 and r.json()["list_users"] == f"{url}/api/v1/users"
        assert httpx.get(f"{url}/api/v1", timeout=5).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_serve_on_a_port_in_use_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(_cli("--port", str(port)), capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr.strip() == f"isptui sandbox serve: cannot listen on 127.0.0.1:{port}: the port is already in use"
    assert done.stdout == ""


def test_cli_serve_with_a_bad_chaos_spec_is_one_line_and_exit_2() -> None:
    done = subprocess.run(_cli("--chaos", "latency=200"), capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["isptui sandbox serve: chaos: latency='200' is not a duration (e.g. 200ms or 2s)"]
