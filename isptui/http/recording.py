"""The innermost link of the transport chain: one attempt, bounded in time, written to the request log.

It also enforces the total per-request timeout itself: ``httpx.ASGITransport`` ignores httpx timeouts, and
the sandbox's chaos can make an in-process request hang forever.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx

from isptui.errors import ResponseTooLarge
from isptui.http.log import Exchange, RequestLog
from isptui.http.redact import Redactor
from isptui.http.redact import header_pairs as _pairs
from isptui.http.stepjson import loads_in_steps, rows_in_steps

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


PARSED_KEY = "isptui.json"
"""Response extension holding the body already parsed as JSON (large bodies are parsed in steps)."""
PARSE_FAILED_KEY = "isptui.json-error"
"""Response extension holding the JSONDecodeError/ValueError a large body's parse ended in (not parsed twice)."""
ROWS_KEY = "isptui.json-rows"
"""A request extension: a large answer that is an array of objects is kept as ``stepjson.JsonRows`` (its text and
where each row starts; a row is parsed when read) instead of parsed whole: for an adapter that holds a whole
collection (Trisul's unpaged list)."""
PARSE_IN_STEPS = 256 * 1024
"""Bodies larger than this are parsed in steps (``stepjson``), so the UI keeps answering keys meanwhile."""
DEFAULT_MAX_BODY = 64 * 1024 * 1024
_SLICE = 16 * 1024  # compressed bytes decoded at a time: gzip's ~1000:1 ceiling keeps one step near 16 MiB


def max_body() -> int:
    """The cap on a decoded body: ``ISPTUI_MAX_BODY`` (bytes, ``k``/``M``/``G`` suffixes), default 64 MiB."""
    text = os.environ.get("ISPTUI_MAX_BODY", "").strip().lower()
    scale = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}.get(text[-1:], 1) if text else 1
    try:
        value = int(float(text.rstrip("kmg") or "0") * scale)
    except ValueError:
        value = 0
    return value if value > 0 else DEFAULT_MAX_BODY


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


async def _read_bounded(stream: object, limit: int) -> bytes:
    """The raw body, stopped as soon as it passes ``limit`` bytes (a body that never ends cannot win)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream:  # type: ignore[attr-defined]
        size += len(chunk)
        if size > limit:
            raise _TooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)


async def _slices(raw: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(raw), _SLICE):
        yield raw[start:start + _SLICE]


async def _decoded(response: httpx.Response, raw: bytes, limit: int) -> bytes | None:
    """The body with Content-Encoding undone, bounded while decoding (a gzip bomb stops at ``limit``);
    None when the encoding cannot be undone (the body is then passed on and logged raw)."""
    if not response.headers.get("content-encoding"):
        return raw
    probe = httpx.Response(response.status_code, headers=response.headers, stream=_Slices(raw))
    out: list[bytes] = []
    size = 0
    try:
        async for chunk in probe.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise _TooLarge(size)
            out.append(chunk)
    except httpx.DecodingError:
        return None
    return b"".join(out)


class _Slices(httpx.AsyncByteStream):
    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in _slices(self._raw):
            yield piece


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
        limit = max_body()
        try:
            async with asyncio.timeout(budget):
                response = await self._inner.handle_async_request(request)
                try:
                    raw = await _read_bounded(response.stream, limit)
                    decoded = await _decoded(response, raw, limit)
                finally:
                    await response.aclose()
        except _TooLarge:
            message = (f"the response body passed {limit:,} bytes (ISPTUI_MAX_BODY) and was not read "
                       "further; ask for a smaller page or raise ISPTUI_MAX_BODY")
            record(error=message)
            raise ResponseTooLarge(message, method=request.method, url=self._redactor.url(request.url),
                                   status=getattr(response, "status_code", None)) from None
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
        headers = httpx.Headers(response.headers)
        if decoded is not None and headers.get("content-encoding"):
            # Handed on decoded, so httpx does not decode (unbounded) a second time.
            del headers["content-encoding"]
            headers["content-length"] = str(len(decoded))
        body = raw if decoded is None else decoded
        extensions = dict(response.extensions)
        if len(body) > PARSE_IN_STEPS and "json" in headers.get("content-type", ""):
            try:
                parse = rows_in_steps if request.extensions.get(ROWS_KEY) else loads_in_steps
                extensions[PARSED_KEY] = await parse(body)
            except (ValueError, RecursionError) as exc:
                extensions[PARSE_FAILED_KEY] = exc
        result = httpx.Response(response.status_code, headers=headers, stream=httpx.ByteStream(body),
                                extensions=extensions, request=request)
        record(response=result, response_raw=raw, response_text=body)
        return result

    async def aclose(self) -> None:
        await self._inner.aclose()
