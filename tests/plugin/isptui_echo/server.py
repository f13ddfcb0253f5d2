"""The Echo API: ``POST /echo/login`` gives a token for the key; ``GET /echo/parrots[/ID]`` reads."""

from __future__ import annotations

import json
from typing import Any

KEY = "echo-key-123"
TOKEN = "echo-token-456"
PARROTS = [{"id": i, "name": f"Parrot {i}"} for i in range(1, 31)]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    path, method = scope["path"], scope["method"]
    status, answer = 404, {"error": "not found"}
    if path == "/echo/login" and method == "POST":
        ok = json.loads(body or b"{}").get("key") == KEY
        status, answer = (200, {"token": TOKEN}) if ok else (401, {"error": "bad key"})
    elif headers.get("authorization") != f"Echo {TOKEN}":
        status, answer = 401, {"error": "no token"}
    elif path == "/echo/parrots" and method == "GET":
        status, answer = 200, PARROTS
    elif path.startswith("/echo/parrots/") and method == "GET":
        found = [p for p in PARROTS if str(p["id"]) == path.rsplit("/", 1)[1]]
        status, answer = (200, found[0]) if found else (404, {"error": "no such parrot"})
    raw = json.dumps(answer).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})
