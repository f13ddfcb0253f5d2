"""The hostile-server fixture: the real sandbox behind a middleware that misbehaves on request, over TCP.

``Hostile`` wraps the all-vendor sandbox. A test sets ``rules``: each matches a method and a path prefix
and either answers by itself (any status, headers, body, gzip bomb, endless body) or rewrites the
sandbox's JSON answer (to plant off-origin links, escapes, markup, huge pages). ``Witness`` is a second
server on another port — another origin — that records every request it gets, headers included, so a
test can assert that no credential ever reached it.

Both are served by uvicorn on 127.0.0.1, port 0, in a background thread with its own event loop, so the
same servers answer async tests and CLI subprocesses alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from isptui.sandbox import create_sandbox

Rewrite = Callable[[Any, str], Any]
"""(the sandbox's JSON answer, the other origin's base URL) -> the JSON to send instead."""


@dataclass
class Rule:
    method: str
    prefix: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    rewrite: Rewrite | None = None
    endless: bool = False  # stream zero bytes forever (the body cap must stop it)
    times: int | None = None  # answer this many times, then let the request through

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and path.startswith(self.prefix) and self.times != 0


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]


def gzip_bomb(decoded: int) -> bytes:
    """A gzip body that inflates to ``decoded`` bytes of zeros (about 1000:1)."""
    return gzip.compress(b"\0" * decoded, compresslevel=9)


class Hostile:
    def __init__(self) -> None:
        self.sandbox = create_sandbox("all", customers=30)
        self.rules: list[Rule] = []
        self.seen: list[Seen] = []
        self.other = ""  # the witness's base URL, set by the fixture

    def reset(self) -> None:
        self.rules.clear()
        self.seen.clear()
        self.sandbox = create_sandbox("all", customers=30)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.seen.append(Seen(method, path, scope.get("query_string", b"").decode("latin-1"), headers))
        rule = next((r for r in self.rules if r.matches(method, path)), None)
        if rule is not None and rule.times is not None:
            rule.times -= 1
        if rule is None or rule.rewrite is not None:
            status, out_headers, body = await _call(self.sandbox.app, scope, receive)
            if rule is not None and rule.rewrite is not None:
                data = rule.rewrite(json.loads(body or b"null"), self.other)
                body = json.dumps(data).encode()
                out_headers = [(k, v) for k, v in out_headers if k.lower() not in (b"content-length", b"etag")]
            await _answer(send, status, out_headers, body)
            return
        pairs = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in rule.headers.items()]
        if rule.endless:
            await send({"type": "http.response.start", "status": rule.status, "headers": pairs})
            chunk = b"\0" * 65536
            # 64 MiB: far past any cap a test sets. Uvicorn does not always raise once the client has gone,
            # so a truly endless loop would keep this server's event loop busy and starve the next test;
            # each chunk also yields, so other requests are served meanwhile.
            with contextlib.suppress(Exception):
                for _ in range(1024):
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    await asyncio.sleep(0)
                await send({"type": "http.response.body", "body": b""})
            return
        await _answer(send, rule.status, pairs, rule.body or b"")


async def _call(app: Any, scope: dict[str, Any], receive: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    sent: dict[str, Any] = {"body": b""}

    async def capture(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"], sent["headers"] = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    await app(scope, receive, capture)
    return sent["status"], sent["headers"], sent["body"]


async def _answer(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Witness:
    """Another origin: records every request and answers a harmless record."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.seen.append(Seen(scope["method"], scope["path"], "", headers))
        await _answer(send, 200, [(b"content-type", b"application/json")], b'{"id": 1, "name": "elsewhere"}')


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) in a thread; yields ``http://127.0.0.1:PORT``."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off",
                                          timeout_graceful_shutdown=1))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(500):
        if server.started:
            ready.set()
            break
        ready.wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = server.force_exit = True
        thread.join(5)
