"""The request log: a bounded ring of redacted exchanges, for the ``l`` screen and the status line."""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

_log = logging.getLogger(__name__)

DEFAULT_SIZE = 500


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP attempt as the user may see it: everything here is already redacted.

    ``status`` is None when no response arrived (``error`` says why); ``refused`` marks a write that the
    read-only guard stopped before it was sent; ``attempt`` counts retries of the same request from 1.
    """

    id: int
    started_at: datetime
    method: str
    url: str
    status: int | None = None
    duration_ms: float = 0.0
    request_size: int = 0
    response_size: int = 0
    request_headers: tuple[tuple[str, str], ...] = ()
    request_body: str = ""
    request_body_truncated: bool = False
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: str = ""
    response_body_truncated: bool = False
    error: str | None = None
    attempt: int = 1
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    @property
    def content_type(self) -> str:
        """The request's content type, if it declared one."""
        for name, value in self.request_headers:
            if name.lower() == "content-type":
                return value
        return ""

    def summary(self) -> str:
        """``GET https://host/path -> 200 (12 ms)`` for one line of the log screen."""
        outcome = "refused" if self.refused else (str(self.status) if self.status is not None else "failed")
        return f"{self.method} {self.url} -> {outcome} ({self.duration_ms:.0f} ms)"


Subscriber = Callable[[Exchange], object]


class RequestLog:
    """Ring buffer of the last ``size`` exchanges of one connection, with change notification."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("a request log holds at least one exchange")
        self._entries: deque[Exchange] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._subscribers: list[Subscriber] = []
        self._count = 0
        self._last_latency: float | None = None

    def next_id(self) -> int:
        """A fresh id for an exchange about to be recorded."""
        return next(self._ids)

    def record(self, exchange: Exchange) -> None:
        """Append an exchange and tell every subscriber; a failing subscriber never breaks a request."""
        self._entries.append(exchange)
        self._count += 1
        if not exchange.refused:
            self._last_latency = exchange.duration_ms
        for callback in list(self._subscribers):
            try:
                callback(exchange)
            except Exception:  # a UI callback must not turn into a failed request
                _log.exception("request log subscriber %r failed", callback)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with each new exchange; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def entries(self) -> list[Exchange]:
        """The kept exchanges, oldest first."""
        return list(self._entries)

    def last(self) -> Exchange | None:
        return self._entries[-1] if self._entries else None

    def get(self, exchange_id: int) -> Exchange | None:
        """The kept exchange with this id, if it is still in the ring."""
        return next((e for e in self._entries if e.id == exchange_id), None)

    @property
    def count(self) -> int:
        """Exchanges recorded since the connection started (including those the ring dropped)."""
        return self._count

    @property
    def last_latency_ms(self) -> float | None:
        """Duration of the last exchange that was actually sent."""
        return self._last_latency

    @property
    def size(self) -> int:
        return self._entries.maxlen or 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
