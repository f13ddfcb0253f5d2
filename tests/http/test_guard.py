"""The read-only guard: what a server receives (nothing, for a refused write) and what the user sees."""

from __future__ import annotations

import pytest

from isptui.errors import ReadOnlyViolation
from isptui.http import is_allowed, send, to_curl
from tests.http.recorder import Recorder, Reply, client_for

LOGIN = ("POST", "/api/v2/auth/login/")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_refused_write_never_reaches_the_server(method: str) -> None:
    app = Recorder()
    async with client_for(app, read_only=True, login_calls=(LOGIN,)) as client:
        with pytest.raises(ReadOnlyViolation) as caught:
            await send(client, method, "customers/7/", json={"name": "x"})
    assert app.received == []
    assert str(caught.value.message) == (
        f"read-only profile: refused {method} https://isp.example.test/api/v2/customers/7/; nothing was sent"
    )
    entry = client.request_log.last()
    assert entry is not None and entry.refused and entry.status is None and entry.method == method


async def test_reads_pass_and_the_declared_login_post_passes() -> None:
    app = Recorder(Reply(body={"access": "jwt-abcdef"}), Reply(body=[]))
    async with client_for(app, read_only=True, login_calls=(LOGIN,),
                          credentials={"password": "hunter22"}) as client:
        login = await send(client, "POST", "auth/login/", data={"username": "operator", "password": "hunter22"})
        await send(client, "GET", "customers/")
        await send(client, "OPTIONS", "customers/")
        await send(client, "HEAD", "customers/")
    assert login.status_code == 200
    assert [(r.method, r.path) for r in app.received] == [
        ("POST", "/api/v2/auth/login/"), ("GET", "/api/v2/customers/"),
        ("OPTIONS", "/api/v2/customers/"), ("HEAD", "/api/v2/customers/"),
    ]
    # The login body reached the server intact, but the log shows no password.
    assert b"password=hunter22" in app.received[0].body
    assert "hunter22" not in repr(client.request_log.entries())


async def test_a_refused_write_is_logged_without_its_secrets() -> None:
    app = Recorder()
    async with client_for(app, read_only=True, credentials={"token": "tok-secret-99"}) as client:
        with pytest.raises(ReadOnlyViolation):
            await send(client, "POST", "customers/", json={"password": "p4ssw0rd", "note": "tok-secret-99"},
                       headers={"Authorization": "Bearer tok-secret-99"})
    entry = client.request_log.last()
    assert entry is not None and entry.refused
    dumped = repr(entry) + to_curl(entry)
    assert "p4ssw0rd" not in dumped and "tok-secret-99" not in dumped
    assert '"password": "***"' in entry.request_body


async def test_writes_pass_when_not_read_only() -> None:
    app = Recorder(Reply(status=201, body={"id": 8}))
    async with client_for(app) as client:
        response = await send(client, "POST", "customers/", json={"name": "Ann"})
    assert response.status_code == 201
    assert [(r.method, r.body) for r in app.received] == [("POST", b'{"name":"Ann"}')]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/api/v2/auth/login/", True),
        ("post", "/api/v2/auth/login", True),  # case and trailing slash are not significant
        ("POST", "/api/v2/xauth/login/", False),  # a suffix match stops at a path segment
        ("PUT", "/api/v2/auth/login/", False),
        ("DELETE", "/api/2.0/admin/auth/tokens/abc123", True),
        ("DELETE", "/api/2.0/admin/customers/customer/1", False),
        ("OPTIONS", "/anything", True),
    ],
)
def test_login_call_matching(method: str, path: str, allowed: bool) -> None:
    calls = [LOGIN, ("DELETE", "/admin/auth/tokens/*")]
    assert is_allowed(method, path, calls) is allowed
