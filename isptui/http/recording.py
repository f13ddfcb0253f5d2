"""The innermost link of the transport chain: one attempt, bounded in time, written to the request log.

It also enforces the total per-request timeout itself: ``httpx.ASGITransport`` ignores httpx timeouts, and
the sandbox's chaos can make an in-process request hang forever.
"""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime

import httpx

from isptui.http.log import Exchange, RequestLog
from isptui.http.redact import Redactor
from isptui.http.redact import header_pairs as _pairs

LOG_BODY_LIMIT = 16 * 1024
"""Characters of each body the request log keeps (redacted). The log screen shows a body to read, not to
archive; redacting a 64 KB page of 500 rows for every listed page cost about a fifth of a Splynx listing."""

ATTEMPT_KEY = "isptui.attempt"
"""Request extension through which the retry layer tells the log which attempt this is."""


def total_timeout(request: httpx.Request, default: float | None) -> float | None:
    """The wall-clock budget of one attempt: the largest phase timeout the request carries."""
    spec = request.extensions.get("timeout")
    if isinstance(spec, dict):
        values = [v for v in spec.values() if isinstance(v, int | float)]
        # All phases None means the caller disabled timeouts on purpose.
        return max(values) if values else None
    return default


def request_bytes(request: httpx.Request) -> bytes:
    """The request body if it has been read (the chain reads it first); empty for an unread stream."""
    try:
        return request.content
    except httpx.RequestNotRead:
        return b""


def make_exchange(
    log: RequestLog,
    redactor: Redactor,
    request: httpx.Request,
    *,
    started_at: datetime,
    duration_ms: float = 0.0,
    response: httpx.Response | None = None,
    response_raw: bytes = b"",
    response_text: bytes = b"",
    error: str | None = None,
    refused: bool = False,
) -> Exchange:
    """Build a redacted Exchange for ``request`` (and its response, if one came)."""
    body = request_bytes(request)
    req_body, req_cut = redactor.body(body, request.headers.get("content-type"), LOG_BODY_LIMIT)
    resp_body, resp_cut = ("", False)
    resp_headers: tuple[tuple[str, str], ...] = ()
    if response is not None:
        resp_body, resp_cut = redactor.body(response_text, response.headers.get("content-type"), LOG_BODY_LIMIT)
        resp_headers = tuple(redactor.headers(_pairs(response.headers)))
    return Exchange(
        id=log.next_id(),
        started_at=started_at,
        method=request.method,
        url=redactor.url(request.url),
        status=response.status_code if response is not None else None,
        duration_ms=duration_ms,
        request_size=len(body),
        response_size=len(response_raw),
        request_headers=tuple(redactor.headers(_pairs(request.headers))),
        request_body=req_body,
        request_body_truncated=req_cut,
        response_headers=resp_headers,
        response_body=resp_body,
        response_body_truncated=resp_cut,
        error=redactor.message(error, 500) if error else None,
        attempt=int(request.extensions.get(ATTEMPT_KEY, 1)),
        refused=refused,
    )


def _as_httpx_error(exc: OSError, request: httpx.Request) -> httpx.TransportError:
    """A bare OSError from a transport (the sandbox's dropped connection) as the httpx error it means."""
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return httpx.ConnectError(str(exc) or type(exc).__name__, request=request)
    # Anything else happened after the request may have been sent: not safe to replay a write.
    return httpx.ReadError(str(exc) or "connection dropped", request=request)


async def _decoded(response: httpx.Response, raw: bytes) -> bytes:
    """The body with Content-Encoding undone, for the log only; undecodable bodies are logged raw."""
    if not response.headers.get("content-encoding"):
        return raw
    probe = httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw))
    try:
        return await probe.aread()
    except httpx.DecodingError:
        return raw


class RecordingTransport(httpx.AsyncBaseTransport):
    """Sends one attempt through ``inner`` within the timeout, reads the whole body, logs the exchange."""

    def __init__(self, inner: httpx.AsyncBaseTransport, log: RequestLog, redactor: Redactor,
                 *, default_timeout: float | None = None) -> None:
        self._inner = inner
        self._log = log
        self._redactor = redactor
        self._default_timeout = default_timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started_at = datetime.now(UTC)
        t0 = time.perf_counter()
        budget = total_timeout(request, self._default_timeout)

        def record(**kwargs: object) -> None:
            duration = (time.perf_counter() - t0) * 1000
            self._log.record(make_exchange(self._log, self._redactor, request, started_at=started_at,
                                           duration_ms=duration, **kwargs))  # type: ignore[arg-type]

        await request.aread()
        try:
            async with asyncio.timeout(budget):
                response = await self._inner.handle_async_request(request)
                try:
                    raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
                finally:
                    await response.aclose()
        except TimeoutError:
            error = httpx.ReadTimeout(f"no complete response within {budget:g} s", request=request)
            record(error=str(error))
            raise error from None
        except httpx.TransportError as exc:
            record(error=str(exc) or type(exc).__name__)
            raise
        except OSError as exc:
            converted = _as_httpx_error(exc, request)
            record(error=str(converted))
            raise converted from exc
        except Exception as exc:  # e.g. a bug in an in-process app: still visible in the log
            record(error=f"{type(exc).__name__}: {exc}")
            raise
        result = httpx.Response(response.status_code, headers=response.headers,
                                stream=httpx.ByteStream(raw), extensions=response.extensions,
                                request=request)
        record(response=result, response_raw=raw, response_text=await _decoded(response, raw))
        return result

    async def aclose(self) -> None:
        await self._inner.aclose()
