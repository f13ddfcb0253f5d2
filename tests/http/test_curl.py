"""Copy as curl: a runnable, shell-quoted command with no secret in it."""

from __future__ import annotations

import json
import shlex

import httpx

from isptui.http import Redactor, send, to_curl
from tests.http.recorder import Recorder, client_for


async def test_curl_for_a_logged_get() -> None:
    app = Recorder()
    async with client_for(app, credentials={"token": "tok-abcdef"}) as client:
        await send(client, "GET", "customers/", params={"search": "O'Brien", "api_token": "tok-abcdef"},
                   headers={"Authorization": "Bearer tok-abcdef"})
    command = to_curl(client.request_log.entries()[-1])
    argv = shlex.split(command)
    assert argv[:2] == ["curl", "https://isp.example.test/api/v2/customers/?search=O%27Brien&api_token=***"]
    assert "Authorization: Bearer ***" in argv and "-X" not in argv
    assert "tok-abcdef" not in command
    assert not any(a.lower().startswith(("host:", "content-length:", "accept-encoding:")) for a in argv)


async def test_curl_for_a_json_post_has_the_body_without_secrets() -> None:
    app = Recorder()
    async with client_for(app, credentials={"password": "pw-secret"}) as client:
        await send(client, "POST", "auth/login/", json={"username": "operator", "password": "pw-secret",
                                                        "note": "it's"})
    argv = shlex.split(to_curl(client.request_log.last()))  # type: ignore[arg-type]
    assert argv[:4] == ["curl", "-X", "POST", "https://isp.example.test/api/v2/auth/login/"]
    assert "Content-Type: application/json" in argv
    body = argv[argv.index("--data-raw") + 1]
    assert json.loads(body) == {"username": "operator", "password": "***", "note": "it's"}
    assert "pw-secret" not in " ".join(argv)


def test_curl_for_an_unsent_request_redacts_it() -> None:
    request = httpx.Request("PUT", "https://h.test/api/ipdrcustomers", json={"api_token": "t0k3n-x", "UserID": "u1"},
                            headers={"X-Auth-Token": "t0k3n-x"})
    command = to_curl(request, Redactor(["t0k3n-x"]))
    argv = shlex.split(command)
    assert argv[:4] == ["curl", "-X", "PUT", "https://h.test/api/ipdrcustomers"]
    assert "X-Auth-Token: ***" in argv
    assert json.loads(argv[argv.index("--data-raw") + 1]) == {"api_token": "***", "UserID": "u1"}
    assert "t0k3n-x" not in command


def test_curl_for_head_and_for_a_body_the_log_cut() -> None:
    assert shlex.split(to_curl(httpx.Request("HEAD", "https://h.test/c")))[:3] == ["curl", "--head", "https://h.test/c"]
    big = httpx.Request("POST", "https://h.test/c", content=b"x" * 70_000, headers={"content-type": "text/plain"})
    command = to_curl(big)
    assert "--data-raw" not in command and command.endswith("# request body (70000 bytes) not included")
