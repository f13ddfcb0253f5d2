"""Status and body checks: the typed error and the message a user would read."""

from __future__ import annotations

import httpx
import pytest

from isptui.errors import (
    AuthFailed,
    BackendError,
    Conflict,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    ServerError,
    ValidationFailed,
)
from isptui.http import Redactor, fetch_json, json_body, raise_for_status
from tests.http.recorder import Recorder, Reply, client_for

URL = "https://isp.example.test/api/2.0/admin/customers/customer/7"


def response(status: int = 200, content: bytes = b"", ctype: str = "application/json",
             method: str = "GET") -> httpx.Response:
    return httpx.Response(status, content=content, headers={"content-type": ctype},
                          request=httpx.Request(method, URL))


@pytest.mark.parametrize(
    ("status", "body", "cls", "message"),
    [
        (401, b'{"error": {"message": "Invalid token", "code": 401, "internal_code": "UNAUTHORIZED"}}',
         AuthFailed, "HTTP 401 Unauthorized: Invalid token; check the credentials"),
        (403, b'{"detail": "You do not have permission."}', PermissionDenied,
         "HTTP 403 Forbidden: You do not have permission.; the account lacks permission for this"),
        (404, b"", NotFound, "HTTP 404 Not Found; it may have been deleted; refresh"),
        (409, b'{"message": "stale"}', Conflict,
         "HTTP 409 Conflict: stale; the record changed on the server; reload it and try again"),
        (500, b"<html><title>500 Internal\nError</title></html>", ServerError,
         "HTTP 500 Internal Server Error: 500 Internal Error; the server failed, try again later"),
        (418, b"", BackendError, "HTTP 418 I'm a teapot"),
    ],
)
def test_status_maps_to_a_typed_error(status: int, body: bytes, cls: type[BackendError], message: str) -> None:
    with pytest.raises(cls) as caught:
        raise_for_status(response(status, body))
    assert type(caught.value) is cls
    assert caught.value.message == message
    assert (caught.value.method, caught.value.url, caught.value.status) == ("GET", URL, status)


def test_success_statuses_do_not_raise() -> None:
    for status in (200, 201, 202, 204, 304):
        raise_for_status(response(status))


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b'{"email": ["Enter a valid email address."], "non_field_errors": ["x"]}',
         {"email": ["Enter a valid email address."]}),
        (b'[{"field": "login", "message": "Login is taken."}]', {"login": ["Login is taken."]}),
        (b'{"success": false, "errors": {"phone": "too short"}}', {"phone": ["too short"]}),
    ],
)
def test_validation_errors_keep_their_fields(body: bytes, fields: dict[str, list[str]]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        raise_for_status(response(422, body, method="POST"))
    assert caught.value.field_errors == fields


def test_server_text_is_redacted_and_stripped_of_control_characters() -> None:
    body = b'{"error": "token sandbox-token-1 is \x1b[31mbanned\\u0007"}'
    with pytest.raises(AuthFailed) as caught:
        raise_for_status(response(401, body), Redactor(["sandbox-token-1"]))
    assert caught.value.message == "HTTP 401 Unauthorized: token *** is \\x1b[31mbanned\\x07; check the credentials"


async def test_a_secret_echoed_in_an_error_body_is_redacted_through_the_client() -> None:
    app = Recorder(Reply(status=401, body=b"<h1>bad key sk-live-42abc</h1>", headers={"content-type": "text/plain"}))
    async with client_for(app, credentials={"api_secret": "sk-live-42abc"}) as client:
        with pytest.raises(AuthFailed) as caught:
            await fetch_json(client, "GET", "customers/")
        entry = client.request_log.last()
    assert "sk-live-42abc" not in str(caught.value)
    assert "bad key ***" in caught.value.message
    assert entry is not None and entry.response_body == "<h1>bad key ***</h1>"


@pytest.mark.parametrize(
    ("content", "ctype", "message"),
    [
        (b"", "application/json", "expected JSON, got an empty body"),
        (b"  \n", "application/json", "expected JSON, got an empty body"),
        (b"<!DOCTYPE html><html><head><title>Splynx | Login</title></head></html>", "text/html; charset=utf-8",
         "expected JSON, got an HTML page (text/html): Splynx | Login"),
        (b"<html>oops</html>", "", "expected JSON, got an HTML page (no content type): no title"),
        (b'{"results": [{"id": 1}, {"id"', "application/json", "truncated JSON: the body ends after 29 bytes"),
        (b'{"name": "unterminated', "application/json", "truncated JSON: the body ends after 22 bytes"),
        (b'{"a": 1,,}', "application/json", "invalid JSON at line 1 column 9: Expecting property name enclosed in double quotes"),
        (b"Service Unavailable", "text/plain", "expected JSON, got text/plain: 'Service Unavailable'"),
        (b"\xc3\x28\x80{", "application/json", "expected JSON, got text that is not valid Unicode"),
        (b"[" * 100_000, "application/json", "expected JSON, got a document nested too deeply to parse"),
    ],
)
def test_json_body_says_what_came_instead(content: bytes, ctype: str, message: str) -> None:
    with pytest.raises(MalformedResponse) as caught:
        json_body(response(200, content, ctype))
    assert caught.value.message == message
    assert caught.value.url == URL and caught.value.status == 200


def test_json_body_returns_parsed_json() -> None:
    assert json_body(response(200, b'{"count": 2, "results": [1, "2"]}')) == {"count": 2, "results": [1, "2"]}
    assert json_body(response(200, b"[]", "text/html")) == []


async def test_fetch_json_handles_no_content() -> None:
    app = Recorder(Reply(status=204, body=b"", headers={}))
    async with client_for(app) as client:
        assert await fetch_json(client, "DELETE", "customers/3") is None
