"""The Splynx sandbox the way the vendors' own clients use it (issue 14, item 9).

The official PHP client looks headers up case-sensitively and defaults to /api/1.0; the official Python
client makes its nonce once per object, so a re-login repeats it; the docs say seconds where the PHP client
sends centiseconds. Header case is read from the raw bytes of a real socket: httpx would fold it.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx

from isptui.sandbox import create_sandbox
from isptui.sandbox.serve import serving
from isptui.sandbox.splynx import sign

KEY, SECRET = "sandbox-key", "sandbox-secret"


@contextlib.contextmanager
def _served(quirks: str = "", **kw: Any) -> Iterator[tuple[str, httpx.Client]]:
    """A Splynx sandbox on a real socket and a client for it (the vendors' clients talk HTTP, not ASGI)."""
    with serving(create_sandbox("splynx", customers=12, quirks=quirks).app) as url, \
            httpx.Client(base_url=url, timeout=5, **kw) as client:
        yield url, client


def test_the_count_header_has_the_vendor_spelling_on_the_wire() -> None:
    auth = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    with _served() as (url, _):
        host, port = url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall((f"HEAD /api/2.0/admin/customers/customer HTTP/1.1\r\nHost: {host}:{port}\r\n"
                          f"Authorization: {auth}\r\nConnection: close\r\n\r\n").encode())
            data = b""
            while b"\r\n\r\n" not in data and (chunk := sock.recv(4096)):
                data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    # What the PHP client does: $headers['X-total-count'], case-sensitive.
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert lines[0].endswith("204 No Content") and headers.get("X-total-count") == "12", lines


def _token_login(client: httpx.Client, nonce: int) -> httpx.Response:
    return client.post("/api/2.0/admin/auth/tokens", json={"auth_type": "api_key", "key": KEY, "nonce": nonce,
                                                           "signature": sign(nonce, KEY, SECRET)})


def test_a_repeated_or_smaller_nonce_logs_in_by_default() -> None:
    """The Python client re-logs in with its one nonce; a seconds client follows a centiseconds one."""
    with _served() as (_, client):
        centiseconds, seconds = int(time.time() * 100), int(time.time())
        assert [_token_login(client, n).status_code for n in (centiseconds, centiseconds, seconds)] == [201] * 3


def test_strict_nonce_is_the_quirk() -> None:
    with _served("splynx-strict-nonce") as (_, client):
        first, again = _token_login(client, 1000), _token_login(client, 1000)
    assert first.status_code == 201
    assert again.status_code == 401 and again.json()["error"]["internal_code"] == "UNAUTHORIZED"


def test_customer_options_require_only_name_as_a_real_server_does() -> None:
    with _served(auth=(KEY, SECRET)) as (_, client):
        body = client.options("/api/2.0/admin/customers/customer").json()
        created = client.post("/api/2.0/admin/customers/customer", json={"name": "Only A Name"})
        row = client.get(f"/api/2.0/admin/customers/customer/{created.json()['id']}").json()
    attrs = {a["name"]: a for a in body["attributes"]}
    assert [name for name, a in attrs.items() if a["required"]] == ["name"]
    assert attrs["gdpr_agreed"]["type"] == "string"
    assert created.status_code == 201 and (row["partner_id"], row["location_id"], row["category"]) == (
        "1", "1", "person")


def test_api_1_0_answers_in_the_splynx_error_envelope() -> None:
    with _served() as (_, client):
        refused = client.get("/api/1.0/admin/customers/customer/1")
        missing = client.get("/api/1.0/admin/customers/customer/99", auth=(KEY, SECRET))
        found = client.get("/api/1.0/admin/customers/customer/1", auth=(KEY, SECRET))
    assert refused.status_code == 401 and refused.json()["error"]["internal_code"] == "MISSED_AUTHORIZATION_HEADER"
    assert missing.status_code == 404 and set(missing.json()["error"]) == {"message", "code", "internal_code"}
    assert found.json()["login"] == "isp00001"
