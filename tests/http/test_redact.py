"""Redaction of every header, field and format that can carry a secret."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from isptui.http import Redactor, is_secret_name, send
from tests.http.recorder import Recorder, Reply, client_for

SECRET = "s3cr3t-Value/+="


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("Authorization", "Basic c2FuZGJveC1rZXk6c2FuZGJveC1zZWNyZXQ=", "Basic ***"),
        ("Authorization", "Bearer eyJhbGciOi.x.y", "Bearer ***"),
        ("authorization", "Splynx-EA (key=sandbox-key&signature=9F0A1B&nonce=1700000000)",
         "Splynx-EA (key=***&signature=***&nonce=1700000000)"),
        ("Authorization", "Splynx-EA (access_token=abc.def)", "Splynx-EA (access_token=***)"),
        ("Authorization", "opaque", "***"),
        ("Proxy-Authorization", "Basic dXNlcjpwdw==", "Basic ***"),
        ("X-Auth-Token", "sandbox-token", "***"),
        ("X-Api-Key", "k", "***"),
        ("Cookie", "sessionid=abc; csrftoken=def", "sessionid=***; csrftoken=***"),
        ("Set-Cookie", "PHPSESSID=abc; path=/; HttpOnly", "PHPSESSID=***; path=/; HttpOnly"),
        ("Content-Type", "application/json", "application/json"),
    ],
)
def test_headers(name: str, value: str, expected: str) -> None:
    assert Redactor().header(name, value) == expected


@pytest.mark.parametrize(
    "name",
    ["api_token", "TOKEN", "access_token", "refresh_token", "Password", "passwd", "psw", "secret",
     "api_secret", "key", "API_KEY", "signature", "new_password", "main_attributes[password]", "api-key", "access", "refresh"],
)
def test_secret_field_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["login", "name", "monkey", "keyboard", "access_token_expiration", "id"])
def test_ordinary_field_names(name: str) -> None:
    assert not is_secret_name(name)


def test_nested_json_fields() -> None:
    body = {"username": "operator", "auth": {"Password": "pw1", "tokens": [{"refresh_token": "r1"}]},
            "items": [{"api_key": "k1", "id": 3}], "password": ""}
    text, cut = Redactor().body(json.dumps(body).encode(), "application/json")
    assert json.loads(text) == {"username": "operator", "auth": "***", "items": [{"api_key": "***", "id": 3}],
                                "password": ""}
    assert not cut


def test_json_too_broken_to_parse_is_still_redacted() -> None:
    text, _ = Redactor().body(b'{"login": "a", "password": "pw\\"1", "more": [', "application/json")
    assert text == '{"login": "a", "password": "***", "more": ['


def test_form_bodies_and_json_inside_form_values() -> None:
    form = b'login=admin&password=pw%21&method1=objects.filter&arg1={"psw":"x1","id":2}'
    text, _ = Redactor().body(form, "application/x-www-form-urlencoded")
    assert text == 'login=admin&password=***&method1=objects.filter&arg1={"psw":"***","id":2}'


def test_multipart_content_is_not_shown() -> None:
    body = b"--b\r\nContent-Disposition: form-data; name=password\r\n\r\npw\r\n--b--"
    text, _ = Redactor().body(body, "multipart/form-data; boundary=b")
    assert text == f"<multipart/form-data body, {len(body)} bytes, not shown>"


def test_query_strings_and_userinfo() -> None:
    url = "https://admin:hunter2@h.test/api/x?api_token=abc&username=u&contextname=default&signature=ff"
    assert Redactor().url(url) == (
        "https://admin:***@h.test/api/x?api_token=***&username=u&contextname=default&signature=***"
    )


def test_literal_secret_in_every_encoding() -> None:
    red = Redactor([SECRET])
    forms = [SECRET, quote(SECRET, safe=""), base64.b64encode(SECRET.encode()).decode(), json.dumps(SECRET)]
    text = red.text(" | ".join(f"<p>{f}</p>" for f in forms))
    assert SECRET not in text and "czNjcjN0" not in text and "%2F" not in text
    assert text.count("***") == 4


def test_short_secrets_are_not_replaced_as_free_text() -> None:
    assert Redactor(["ab"]).text("about tab") == "about tab"


def test_tokens_learned_later_are_redacted_from_paths() -> None:
    red = Redactor()
    red.add("refresh-123456")
    assert red.url("https://h/api/2.0/admin/auth/tokens/refresh-123456") == "https://h/api/2.0/admin/auth/tokens/***"


def test_long_bodies_are_cut_after_redaction() -> None:
    body = b'{"password": "pw", "pad": "' + b"x" * 100_000 + b'"}'
    text, cut = Redactor().body(body, "application/json", limit=1000)
    assert cut and len(text) == 1000 and text.startswith('{"password": "***", "pad": "xxx')


def test_a_long_token_cut_by_the_limit_is_still_masked() -> None:
    body = b'{"refresh": "' + b"J" * 70_000 + b'", "n": 1}'
    text, cut = Redactor().body(body, "application/json", limit=64 * 1024)
    assert cut and text == '{"refresh": "***"'


async def test_what_the_server_receives_is_intact_while_the_log_is_redacted() -> None:
    app = Recorder(Reply(body={"access_token": "at-777777", "refresh_token": "rt-888888", "permissions": []}))
    async with client_for(app, credentials={"api_key": "ak-1111", "api_secret": "as-2222"}) as client:
        await send(client, "POST", "admin/auth/tokens", json={"auth_type": "api_key", "key": "ak-1111",
                                                               "signature": "F00D", "nonce": 17},
                   headers={"Authorization": "Basic YWstMTExMTphcy0yMjIy"})
    sent = app.received[0]
    assert json.loads(sent.body)["key"] == "ak-1111"
    assert sent.headers["authorization"] == "Basic YWstMTExMTphcy0yMjIy"
    entry = client.request_log.last()
    assert entry is not None
    assert json.loads(entry.request_body) == {"auth_type": "api_key", "key": "***", "signature": "***", "nonce": 17}
    assert json.loads(entry.response_body) == {"access_token": "***", "refresh_token": "***", "permissions": []}
    assert ("Authorization", "Basic ***") in entry.request_headers
    assert not any(s in repr(entry) for s in ("ak-1111", "as-2222", "at-777777", "F00D", "YWstMTEx"))


# -- host names (the sandbox's Krill password is "sandbox", its URL http://sandbox.local) --------------
def test_a_secret_equal_to_a_host_label_leaves_the_host_readable_but_not_the_rest_of_the_url() -> None:
    red = Redactor(["sandbox"])
    url = "http://operator:sandbox@sandbox.local:8765/api/v2/sandbox/?password=sandbox&q=sandbox"
    assert red.url(url) == "http://operator:***@sandbox.local:8765/api/v2/***/?password=***&q=***"


def test_a_known_host_stays_readable_in_free_text_and_the_secret_does_not() -> None:
    red = Redactor(["sandbox"])
    red.url("http://sandbox.local/api/v2/")
    line = "cannot connect to sandbox.local (refused); next: http://sandbox.local/api/v2/x?p=sandbox"
    assert red.text(line) == "cannot connect to sandbox.local (refused); next: http://sandbox.local/api/v2/x?p=***"


@pytest.mark.parametrize(("url", "expected"), [
    ("http://sandbox:8000/x", "http://***:8000/x"),            # the whole host IS the secret
    ("http://mysandbox.local/x", "http://my***.local/x"),      # part of a label only
    ("http://sandboxes.local/x", "http://***es.local/x"),
])
def test_a_secret_that_is_the_whole_host_or_part_of_a_label_is_masked(url: str, expected: str) -> None:
    assert Redactor(["sandbox"]).url(url) == expected


def test_an_unknown_host_lookalike_in_a_body_does_not_protect_a_secret() -> None:
    red = Redactor(["sandbox"])
    red.url("http://api.example.net/")
    assert red.text("echo x://sandbox.example.org and sandbox.local") == "echo x://***.example.org and ***.local"


def test_a_huge_secret_is_redacted_without_compiling_it_into_a_pattern() -> None:
    token = "t0k" * 400_000
    red = Redactor([token])
    assert red.text(f"a{token}b") == "a***b"
    assert token not in red.url(f"http://h.test/{token}")
