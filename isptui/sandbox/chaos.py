"""Chaos knobs for the sandbox: latency, 5xx, timeouts, malformed bodies, dropped connections, 429s.

``ChaosSpec.parse`` reads the ``--chaos`` string; ``ChaosMiddleware`` wraps the sandbox's ASGI app and injects
faults deterministically: one ``random.Random(seed)`` is drawn in request order, so the same seed and the
same request sequence give the same faults, in-process and served. Login endpoints are exempt from
error/timeout/malformed/drop so a session can always start (latency and the rate limit still apply).
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, fields
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

def _anyio():  # noqa: ANN202 - the anyio module
    """anyio, imported when a fault is injected: ``isptui demo`` checks ``--chaos`` before its first paint."""
    import anyio

    return anyio


TIMEOUT_DELAY = 120.0
"""Seconds a 'timed out' request hangs: longer than any client timeout; clients enforce their own."""

_RATES = ("error_rate", "timeout_rate", "malformed_rate", "drop_rate")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
_RATE_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|m|min|minute))?\s*$")

# Paths that start a session; a chaos run must still be able to log in.
_LOGIN_PREFIXES = ("/api/2.0/admin/auth/", "/api/v2/auth/")


def _duration(key: str, text: str, *, unit_required: bool) -> float:
    match = _DURATION.match(text)
    if not match or (unit_required and not match.group(2)):
        example = "200ms or 2s" if unit_required else "20, 20s or 500ms"
        raise ValueError(f"chaos: {key}={text!r} is not a duration (e.g. {example})")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def _rate(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"chaos: {key}={text!r} is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"chaos: {key}={text!r} must be between 0 and 1")
    return value


def _rate_limit(text: str) -> float:
    match = _RATE_LIMIT.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"chaos: rate_limit={text!r} is not a positive rate (e.g. 10/s or 600/min)")
    per_minute = (match.group(2) or "s").startswith("m")
    return float(match.group(1)) / (60.0 if per_minute else 1.0)


@dataclass(frozen=True)
class ChaosSpec:
    """What faults to inject; the empty spec injects nothing."""

    latency: float = 0.0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    drop_rate: float = 0.0
    token_ttl: float | None = None
    rate_limit: float | None = None
    """Requests per second allowed (token bucket); None means unlimited."""

    @classmethod
    def parse(cls, spec: str) -> ChaosSpec:
        """``latency=200ms,error_rate=0.1,token_ttl=20,rate_limit=10/s`` → ChaosSpec; ValueError if bad.

        Latency needs a unit (a bare ``latency=200`` is ambiguous); ``token_ttl`` without a unit is seconds.
        """
        values: dict[str, Any] = {}
        known = [f.name for f in fields(cls)]
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            key, sep, text = item.partition("=")
            key, text = key.strip(), text.strip()
            if not sep or not text:
                raise ValueError(f"chaos: {item!r} is not key=value")
            if key not in known:
                raise ValueError(f"chaos: unknown key {key!r} (known: {', '.join(known)})")
            if key in values:
                raise ValueError(f"chaos: {key} is given twice")
            if key == "latency":
                values[key] = _duration(key, text, unit_required=True)
            elif key == "token_ttl":
                values[key] = _duration(key, text, unit_required=False)
                if values[key] <= 0:
                    raise ValueError(f"chaos: token_ttl={text!r} must be positive")
            elif key == "rate_limit":
                values[key] = _rate_limit(text)
            else:
                values[key] = _rate(key, text)
        total = sum(values.get(name, 0.0) for name in _RATES)
        if total > 1.0:
            raise ValueError(f"chaos: the fault rates add up to {total:g}; they must not exceed 1")
        return cls(**values)

    def __bool__(self) -> bool:
        return self != ChaosSpec()

    def describe(self) -> str:
        """The spec back in ``--chaos`` syntax, for the banner and reports."""
        parts: list[str] = []
        if self.latency:
            parts.append(f"latency={self.latency * 1000:g}ms")
        parts += [f"{name}={getattr(self, name):g}" for name in _RATES if getattr(self, name)]
        if self.token_ttl is not None:
            parts.append(f"token_ttl={self.token_ttl:g}s")
        if self.rate_limit is not None:
            parts.append(f"rate_limit={self.rate_limit:g}/s")
        return ",".join(parts)


def _vendor_error(path: str, status: int, message: str) -> bytes:
    """An error body in the shape the vendor behind ``path`` uses, so adapters meet their own errors."""
    body: object
    if path.startswith("/api/2.0"):
        # Unknown (§6): no vendor documents a rate limit; EXCEEDED_MAX_ATTEMPTS is Splynx's nearest code.
        code = {429: "EXCEEDED_MAX_ATTEMPTS"}.get(status, "SERVER_ERROR")
        body = {"error": {"message": message, "code": status, "internal_code": code}}
    elif path.startswith("/api/v2"):
        body = {"detail": message}  # DRF default shape (docs/krill.md §2.6)
    elif path.startswith("/rest_api/v2"):
        body = {"call": path, "error": message}
    else:  # ISPCRM and Trisul share the {"status": "error"|"ERROR", "message"} shape
        word = "ERROR" if path.startswith("/api/ipdr") else "error"
        body = {"status": word, "message": message}
    return json.dumps(body).encode()


_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0 (Ubuntu)</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class ChaosMiddleware:
    """ASGI middleware that injects the faults of a ``ChaosSpec``; counts them in ``injected``."""

    def __init__(self, app: ASGIApp, spec: ChaosSpec, seed: int = 1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.spec = spec
        self.timeout_delay = TIMEOUT_DELAY
        self.injected: dict[str, int] = dict.fromkeys(
            ("latency", "error", "timeout", "malformed", "drop", "rate_limited"), 0)
        self.history: deque[tuple[str, str, str]] = deque(maxlen=1000)
        """(fault, method, path) of the latest injected faults, newest last (latency is not listed)."""
        self._rng = random.Random(seed)
        self._clock = clock
        self._tokens = max(1.0, spec.rate_limit or 0.0)
        self._refilled = clock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.spec:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self.spec.latency:
            self.injected["latency"] += 1
            await _anyio().sleep(self.spec.latency)
        if self.spec.rate_limit is not None and (wait := self._take_token()) > 0:
            await self._rate_limited(scope, send, wait)
            return
        fault = "" if path.startswith(_LOGIN_PREFIXES) else self._draw()
        if fault:
            self.injected[fault] += 1
            self.history.append((fault, scope["method"], path))
        if fault == "drop":
            await self._drop(send)
        elif fault == "timeout":
            replay = await self._hang(receive)
            if replay is not None:
                await self.app(scope, replay, send)
        elif fault == "error":
            status = 503 if self._rng.random() < 0.5 else 500
            body = _vendor_error(path, status, "Internal server error (sandbox chaos)")
            await _respond(send, status, body, b"application/json")
        elif fault == "malformed":
            await self._malformed(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _draw(self) -> str:
        """One draw per request, partitioned by the rates, so the fault sequence depends only on the seed."""
        u = self._rng.random()
        for name in ("drop", "timeout", "error", "malformed"):
            u -= getattr(self.spec, f"{name}_rate")
            if u < 0:
                return name
        return ""

    def _take_token(self) -> float:
        """0 if the request may pass, else the seconds until the bucket has a token again."""
        rate = self.spec.rate_limit or 1.0
        now = self._clock()
        capacity = max(1.0, rate)
        self._tokens = min(capacity, self._tokens + (now - self._refilled) * rate)
        self._refilled = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / rate

    async def _rate_limited(self, scope: Scope, send: Send, wait: float) -> None:
        self.injected["rate_limited"] += 1
        self.history.append(("rate_limited", scope["method"], scope["path"]))
        retry_after = str(max(1, math.ceil(wait))).encode()
        body = _vendor_error(scope["path"], 429, "Too many requests, retry later")
        await _respond(send, 429, body, b"application/json", [(b"retry-after", retry_after)])

    async def _drop(self, send: Send) -> None:
        """Close the connection without a response: the socket when served, else ConnectionResetError.

        uvicorn exposes no transport in the scope; its ``send`` is a bound method of the request cycle that
        holds it. Closing it and yielding lets uvicorn see the disconnect, so it neither logs nor sends 500.
        """
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if transport is None or not hasattr(transport, "close"):
            raise ConnectionResetError("sandbox chaos: connection dropped")
        transport.close()
        for _ in range(3):
            await _anyio().sleep(0)

    async def _hang(self, receive: Receive) -> Receive | None:
        """Wait ``timeout_delay`` seconds, or until the client gives up and disconnects (then None).

        Ending on the disconnect keeps a served sandbox from holding dead requests until shutdown.
        """
        buffered: list[Message] = []
        with _anyio().move_on_after(self.timeout_delay):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                buffered.append(message)

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        return replay

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, then answer with half its JSON body (200) or an nginx 502 HTML page."""
        if self._rng.random() < 0.5:
            await _respond(send, 502, _HTML_502, b"text/html")
            return
        status = 200
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        cut = body[: len(body) // 2]
        try:
            json.loads(cut)
        except ValueError:
            await _respond(send, status if status < 300 else 200, cut, b"application/json")
            return
        await _respond(send, 502, _HTML_502, b"text/html")  # nothing to truncate (e.g. an empty 204)


async def _respond(send: Send, status: int, body: bytes, content_type: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
