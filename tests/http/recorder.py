"""A tiny ASGI app that records what it received and answers from a script, for HTTP-layer tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from isptui.backends.base import BackendSettings
from isptui.http import ApiClient, RequestLog, make_client

BASE = "https://isp.example.test/api/v2/"


@dataclass
class Reply:
    """What the recorder answers; ``hang`` never answers, ``drop`` raises the sandbox's OSError."""

    status: int = 200
    body: bytes | str | Any = b'{"ok": true}'
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    hang: bool = False
    drop: bool = False

    def raw(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class Recorder:
    """ASGI app: records every request, answers with the scripted replies (the last one repeats)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [Reply()]
        self.received: list[Received] = []

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append(Received(scope["method"], scope["path"], scope["query_string"].decode(),
                                      headers, body))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply.hang:
            await asyncio.sleep(3600)
        if reply.drop:
            raise ConnectionResetError("connection dropped by peer")
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": [(k.encode(), v.encode()) for k, v in reply.headers.items()]})
        await send({"type": "http.response.body", "body": reply.raw()})


class Sleeps(list[float]):
    """An injectable sleep that records the waits instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(app: Any, *, sleep: Sleeps | None = None, login_calls: tuple[tuple[str, str], ...] = (),
               transport: httpx.AsyncBaseTransport | None = None, **settings: Any) -> ApiClient:
    """An ApiClient built by make_client over the recorder (or any transport)."""
    settings.setdefault("request_log", RequestLog())
    config = BackendSettings(url=BASE, transport=transport or httpx.ASGITransport(app=app), **settings)
    return make_client(config, base_url=BASE, login_calls=login_calls, sleep=sleep if sleep is not None else Sleeps())
