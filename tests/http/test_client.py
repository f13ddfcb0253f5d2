"""The client factory and transport failures, as the user sees them (typed errors naming the URL)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from pathlib import Path

import httpx
import pytest

from isptui.backends.base import BackendSettings
from isptui.errors import ConnectionFailed, RequestTimeout
from isptui.http import InsecureConnectionWarning, make_client, send, tls_context
from tests.http.recorder import Recorder, Reply, Sleeps, client_for


async def test_a_hanging_in_process_app_times_out_per_request() -> None:
    app, sleeps = Recorder(Reply(hang=True)), Sleeps()
    started = time.perf_counter()
    async with client_for(app, sleep=sleeps, timeout=0.2, retries=1) as client:
        with pytest.raises(RequestTimeout) as caught:
            await send(client, "GET", "customers/")
    assert time.perf_counter() - started < 3
    assert len(app.received) == 2  # a GET is retried once after a timeout
    assert caught.value.method == "GET" and caught.value.url == "https://isp.example.test/api/v2/customers/"
    assert "raise --timeout" in caught.value.message
    assert [e.error for e in client.request_log.entries()] == ["no complete response within 0.2 s"] * 2


async def test_a_timed_out_post_is_not_sent_again() -> None:
    app = Recorder(Reply(hang=True))
    async with client_for(app, timeout=0.1, retries=3) as client:
        with pytest.raises(RequestTimeout):
            await send(client, "POST", "customers/", json={})
    assert len(app.received) == 1


async def test_a_per_request_timeout_overrides_the_default() -> None:
    app = Recorder(Reply(hang=True))
    async with client_for(app, timeout=30, retries=0) as client:
        with pytest.raises(RequestTimeout):
            await asyncio.wait_for(send(client, "GET", "slow/", timeout=0.1), 5)


async def test_refused_connection_on_loopback_is_connection_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}/api/"
    client = make_client(BackendSettings(url=base, retries=1), base_url=base, sleep=Sleeps())
    async with client:
        with pytest.raises(ConnectionFailed) as caught:
            await send(client, "GET", "customers")
    assert caught.value.url == f"{base}customers"
    assert caught.value.message.startswith("cannot connect to 127.0.0.1 (")
    assert [e.attempt for e in client.request_log.entries()] == [1, 2]


def _failing(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(str(exc), request=request) from exc

    return httpx.MockTransport(handler)


async def test_unresolvable_name_says_so() -> None:
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    async with client_for(None, transport=_failing(gai), retries=0) as client:
        with pytest.raises(ConnectionFailed) as caught:
            await send(client, "GET", "customers/")
    assert caught.value.message == "name not resolved: isp.example.test; check the URL"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_failed_tls_verification_suggests_the_flags() -> None:
    bad = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    async with client_for(None, transport=_failing(bad), retries=0) as client:
        with pytest.raises(ConnectionFailed) as caught:
            await send(client, "GET", "customers/")
    assert caught.value.title == "TLS verification failed"
    assert caught.value.message.startswith("TLS verification failed for isp.example.test")
    assert caught.value.message.endswith("use --ca-bundle or --insecure")


async def test_a_bare_oserror_from_a_transport_is_connection_failed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise OSError("network is unreachable")

    async with client_for(None, transport=httpx.MockTransport(handler), retries=0) as client:
        with pytest.raises(ConnectionFailed) as caught:
            await send(client, "GET", "customers/?page=2")
    assert str(caught.value).endswith("(GET https://isp.example.test/api/v2/customers/?page=2)")
    assert "network is unreachable" in caught.value.message


async def test_a_secret_in_the_url_does_not_reach_the_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"reset while reading {request.url}", request=request)

    async with client_for(None, transport=httpx.MockTransport(handler), retries=0,
                          credentials={"api_token": "tk-0123456789"}) as client:
        with pytest.raises(ConnectionFailed) as caught:
            await send(client, "GET", "tokens/tk-0123456789", params={"api_token": "tk-0123456789"})
    assert "tk-0123456789" not in str(caught.value)
    assert caught.value.url == "https://isp.example.test/api/v2/tokens/***?api_token=***"


async def test_client_sends_identity_and_caller_headers() -> None:
    app = Recorder()
    config = BackendSettings(url="x", transport=httpx.ASGITransport(app=app), timeout=7)
    client = make_client(config, base_url="https://h.test/", headers={"X-Trace": "1"})
    async with client:
        await client.get("a")
    seen = app.received[0].headers
    assert seen["user-agent"].startswith("isptui/") and seen["x-trace"] == "1"
    assert client.timeout == httpx.Timeout(7)


def test_insecure_warns_and_a_missing_ca_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.warns(InsecureConnectionWarning, match="verification is off for splynx.test"):
        assert tls_context(False, "splynx.test") is False
    assert tls_context(True) is True
    with pytest.raises(ConnectionFailed) as caught:
        tls_context(str(tmp_path / "missing.pem"))
    assert "check the --ca-bundle path" in caught.value.message
