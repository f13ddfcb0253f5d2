"""Garbage in: the redactor and json_body give a clean result or a typed error, never another exception."""

from __future__ import annotations

import json
import string

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isptui.errors import BackendError, MalformedResponse
from isptui.http import Redactor, json_body, raise_for_status, to_curl

# Derandomized: the same examples every run (no flaky CI).
FAST = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
secrets = st.text(alphabet=string.ascii_letters + string.digits + "-_.~/+", min_size=4, max_size=24)
content_types = st.sampled_from(["application/json", "text/html", "text/plain", "", "multipart/form-data",
                                 "application/x-www-form-urlencoded", "image/png", "application/json; charset=x"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@FAST
@given(before=st.text(max_size=60), secret=secrets, after=st.text(max_size=60))
def test_a_known_secret_never_survives_free_text(before: str, secret: str, after: str) -> None:
    red = Redactor([secret])
    for text in (red.text(before + secret + after), red.url(f"https://h/{before}{secret}?q={after}")):
        assert secret not in text


@FAST
@given(secret=secrets, data=json_values, ctype=content_types)
def test_a_known_secret_never_survives_a_body(secret: str, data: object, ctype: str) -> None:
    body = json.dumps({"payload": data, "echo": secret, "password": secret}).encode()
    text, _ = Redactor([secret]).body(body, ctype)
    assert secret not in text


@FAST
@given(data=json_values)
def test_secret_named_fields_are_masked_at_any_depth(data: object) -> None:
    body = json.dumps([{"wrapper": {"api_token": "VALUE-XYZ", "inner": data}}]).encode()
    text, _ = Redactor().body(body, "application/json")
    assert "VALUE-XYZ" not in text


@FAST
@given(raw=st.binary(max_size=400), ctype=content_types, limit=st.integers(min_value=1, max_value=500))
def test_redacting_garbage_bodies_is_clean(raw: bytes, ctype: str, limit: int) -> None:
    text, cut = Redactor(["garbage-secret"]).body(raw, ctype, limit=limit)
    assert isinstance(text, str) and len(text) <= max(limit, 80) and isinstance(cut, bool)


@FAST
@given(name=st.text(max_size=30), value=st.text(max_size=80), url=st.text(max_size=120))
def test_redacting_garbage_headers_and_urls_is_clean(name: str, value: str, url: str) -> None:
    red = Redactor(["fixed-secret"])
    assert isinstance(red.header(name, value), str)
    assert isinstance(red.url(url), str)
    assert isinstance(red.query(url), str)
    assert "\n" not in red.message(value + "\n" + url)


@FAST
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode), ctype=content_types)
def test_json_body_on_garbage_is_a_value_or_malformed(raw: bytes, ctype: str) -> None:
    response = httpx.Response(200, content=raw, headers={"content-type": ctype},
                              request=httpx.Request("GET", "https://h.test/x"))
    try:
        json_body(response)
    except MalformedResponse as exc:
        assert exc.message.startswith(("expected JSON", "truncated JSON", "invalid JSON"))


@FAST
@given(raw=st.binary(max_size=300), status=st.integers(min_value=400, max_value=599), ctype=content_types,
       retry_after=st.text(max_size=30))
def test_raise_for_status_on_garbage_is_typed(raw: bytes, status: int, ctype: str, retry_after: str) -> None:
    headers = {"content-type": ctype}
    if retry_after.isprintable() and retry_after.isascii():
        headers["retry-after"] = retry_after
    response = httpx.Response(status, content=raw, headers=headers, request=httpx.Request("GET", "https://h/x"))
    try:
        raise_for_status(response)
    except BackendError as exc:
        assert exc.status == status and "\n" not in exc.message


@FAST
@given(body=st.binary(max_size=200), path=st.text(string.ascii_letters + string.digits + "/?&=._-%", max_size=30))
def test_curl_on_odd_requests_is_redacted(body: bytes, path: str) -> None:
    request = httpx.Request("POST", "https://h.test/" + path + "odd-secret", content=body + b"odd-secret")
    command = to_curl(request, Redactor(["odd-secret"]))
    assert command.startswith("curl -X POST ") and "odd-secret" not in command
