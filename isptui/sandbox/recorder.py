"""ASGI middleware that records every request the sandbox receives, so tests can assert what a server got."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server saw it: header names lowercased, repeated headers joined by ', '."""

    method: str
    path: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError if it is not JSON)."""
        import json

        return json.loads(self.body)


class RecorderMiddleware:
    """Reads the whole body, appends a ``ReceivedRequest`` to ``received``, then replays the body to the app."""

    def __init__(self, app: ASGIApp, received: list[ReceivedRequest] | None = None) -> None:
        self.app = app
        self.received: list[ReceivedRequest] = received if received is not None else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        disconnected: Message | None = None
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnected = message
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope.get("headers", []):
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self.received.append(ReceivedRequest(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
        ))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                if disconnected is None:
                    return {"type": "http.request", "body": body, "more_body": False}
            return disconnected if disconnected is not None else await receive()

        await self.app(scope, replay, send)
