"""The Echo API, and the sandbox the contract battery runs the Echo adapter against.

``POST /echo/login`` with ``{"key"}`` gives ``{"token", "issued_at", "expires_at"}`` (epoch seconds); every other call needs
``Authorization: Echo <token>``. ``GET /echo/parrots?offset=&limit=&FIELD=VALUE`` answers
``{"total", "items"}``; ``GET|PUT|DELETE /echo/parrots/ID`` and ``POST /echo/parrots`` read and write one
parrot. A write with an empty ``name`` answers 422 ``{"errors": {"name": [...]}}``.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from isptui.sandbox import ChaosSpec, Sandbox, SandboxOptions
from isptui.sandbox.chaos import ChaosMiddleware
from isptui.sandbox.dataset import Dataset, subscriber
from isptui.sandbox.recorder import ReceivedRequest, RecorderMiddleware

KEY = "echo-key-123"
FIELDS = ("id", "name", "login", "colour")


def parrot(n: int) -> dict[str, Any]:
    """The default flock: ``Parrot N``."""
    return {"id": n, "name": f"Parrot {n}", "login": f"parrot{n}", "colour": "green"}


class EchoApp:
    """The Echo server over ``count`` parrots made by ``row``; tokens live ``token_ttl`` seconds (or forever)."""

    def __init__(self, count: int = 30, row: Callable[[int], dict[str, Any]] = parrot, *,
                 token_ttl: float | None = None, clock: Callable[[], float] = time.time) -> None:
        self.parrots = {str(n): row(n) for n in range(1, count + 1)}
        self.token_ttl, self.clock = token_ttl, clock
        self.tokens: dict[str, float] = {}
        self._serial = itertools.count(1)
        self._next_id = count + 1

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        query = dict(pair.split("=", 1) for pair in scope["query_string"].decode().split("&") if "=" in pair)
        status, answer = self.answer(scope["method"], scope["path"], query, headers, body)
        raw = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(raw)).encode())]})
        await send({"type": "http.response.body", "body": raw})

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               body: bytes) -> tuple[int, Any]:
        if path == "/echo/login" and method == "POST":
            if _json(body).get("key") != KEY:
                return 401, {"error": "bad key"}
            token = f"echo-token-{next(self._serial)}"
            now = self.clock()
            self.tokens[token] = now + (self.token_ttl if self.token_ttl is not None else 3600)
            return 200, {"token": token, "issued_at": now, "expires_at": self.tokens[token]}
        token = headers.get("authorization", "").removeprefix("Echo ")
        if self.tokens.get(token, 0.0) <= self.clock():
            return 401, {"error": "no token, or it expired"}
        if path == "/echo/parrots":
            return self._collection(method, query, body)
        if path.startswith("/echo/parrots/"):
            return self._one(method, path.rsplit("/", 1)[1], body)
        return 404, {"error": "not found"}

    def _collection(self, method: str, query: dict[str, str], body: bytes) -> tuple[int, Any]:
        if method == "POST":
            values = _json(body)
            if not values.get("name"):
                return 422, {"errors": {"name": ["must not be empty"]}}
            new = {"id": self._next_id, **{k: v for k, v in values.items() if k in FIELDS and k != "id"}}
            self._next_id += 1
            self.parrots[str(new["id"])] = new
            return 201, new
        if method != "GET":
            return 405, {"error": "method not allowed"}
        wanted = {k: _unquote(v) for k, v in query.items() if k in FIELDS}
        rows = [p for p in self.parrots.values() if all(str(p.get(k)) == v for k, v in wanted.items())]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        return 200, {"total": len(rows), "items": rows[offset:offset + limit]}

    def _one(self, method: str, key: str, body: bytes) -> tuple[int, Any]:
        found = self.parrots.get(key)
        if found is None:
            return 404, {"error": f"no parrot {key}"}
        if method == "GET":
            return 200, found
        if method == "DELETE":
            del self.parrots[key]
            return 204, {}
        if method == "PUT":
            values = _json(body)
            if "name" in values and not values["name"]:
                return 422, {"errors": {"name": ["must not be empty"]}}
            found.update({k: v for k, v in values.items() if k in FIELDS and k != "id"})
            return 200, found
        return 405, {"error": "method not allowed"}


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _unquote(text: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(text)


app = EchoApp()
"""The default server: 30 parrots, tokens that do not expire."""


def create_sandbox(*, customers: int = 200, chaos: str = "", quirks: str = "", seed: int = 1) -> Sandbox:
    """Echo as a sandbox the way isptui builds its own: one parrot per subscriber of the seeded dataset (named
    like them), behind isptui's chaos and recorder middleware, so the contract battery sees the same truth
    and the same faults it puts the built-in backends through. Echo has no quirk variants."""
    if quirks:
        raise ValueError(f"echo has no quirk variants ({quirks!r})")
    spec = ChaosSpec.parse(chaos)

    def row(n: int) -> dict[str, Any]:
        sub = subscriber(seed, n)
        return {"id": n, "name": sub.name, "login": sub.login, "colour": "green"}

    inner: Any = EchoApp(customers, row, token_ttl=spec.token_ttl)
    chaos_mw = ChaosMiddleware(inner, spec, seed=seed) if spec else None
    received: list[ReceivedRequest] = []
    return Sandbox(app=RecorderMiddleware(chaos_mw or inner, received),
                   options=SandboxOptions(dataset=Dataset(customers=customers, seed=seed), token_ttl=spec.token_ttl),
                   backends=("echo",), received=received, chaos=chaos_mw)
