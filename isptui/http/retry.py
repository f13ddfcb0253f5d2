"""Bounded retries with exponential backoff and jitter, honouring ``Retry-After``.

Only what cannot do harm twice is retried: safe methods (GET, HEAD, OPTIONS), and any method when the
connection could not even be opened (nothing was sent). A write that reached the server is never replayed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime

import httpx

from isptui.http.recording import ATTEMPT_KEY

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
RETRY_AFTER_CAP = 10.0
"""Longest Retry-After we wait out; above it we give up and hand the 429/503 to the caller."""

Sleep = Callable[[float], Awaitable[object]]

# Errors that happen before any byte of the request left: replaying them cannot duplicate a write.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN or infinite
        return None
    return max(0.0, seconds)


class RetryTransport(httpx.AsyncBaseTransport):
    """Retries an attempt through ``inner`` up to ``retries`` more times; ``sleep`` is injectable."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, retries: int = 2, backoff: float = 0.25,
                 max_backoff: float = 4.0, retry_after_cap: float = RETRY_AFTER_CAP,
                 sleep: Sleep = asyncio.sleep, jitter: Callable[[], float] = random.random) -> None:
        self._inner = inner
        self._retries = max(0, retries)
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._cap = retry_after_cap
        self._sleep = sleep
        self._jitter = jitter

    def delay(self, attempt: int) -> float:
        """Backoff before attempt ``attempt + 1``: exponential, with jitter in [50 %, 100 %]."""
        base = min(self._max_backoff, self._backoff * (2 ** (attempt - 1)))
        return base * (0.5 + 0.5 * self._jitter())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Buffer the body once so a permitted replay sends the same bytes.
        await request.aread()
        safe = request.method.upper() in SAFE_METHODS
        attempt = 0
        while True:
            attempt += 1
            request.extensions[ATTEMPT_KEY] = attempt
            last = attempt > self._retries
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError as exc:
                if last or not (safe or isinstance(exc, _NOT_SENT)):
                    raise
                await self._sleep(self.delay(attempt))
                continue
            if last or not safe or response.status_code not in RETRY_STATUSES:
                return response
            wait = parse_retry_after(response.headers.get("retry-after"))
            if wait is not None and wait > self._cap:
                return response
            await response.aclose()
            await self._sleep(self.delay(attempt) if wait is None else wait)

    async def aclose(self) -> None:
        await self._inner.aclose()
