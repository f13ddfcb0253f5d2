"""From httpx to the BackendError family: sending, status checks and JSON parsing that never leak a traceback.

Every message names what happened and what the user can do; URLs and server text in it are redacted and
stripped of control characters, because API strings are untrusted.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
from typing import Any

import httpx

from isptui.errors import (
    BackendError,
    ConnectionFailed,
    MalformedResponse,
    RateLimited,
    RequestTimeout,
    ValidationFailed,
    error_for_status,
)
from isptui.http.recording import PARSE_FAILED_KEY, PARSED_KEY
from isptui.http.redact import Redactor
from isptui.http.retry import parse_retry_after

MAX_JSON_BYTES = 64 * 1024 * 1024
"""Bodies above this are refused rather than parsed (a runaway server must not eat the machine)."""
_TITLE = re.compile(rb"<title[^>]*>(.{0,300}?)</title>", re.I | re.S)
_PLAIN = Redactor()


def _redactor(client: httpx.AsyncClient | None) -> Redactor:
    found = getattr(client, "redactor", None)
    return found if isinstance(found, Redactor) else _PLAIN


def _target(client: httpx.AsyncClient, url: str | httpx.URL, exc: Exception | None = None) -> str:
    if isinstance(exc, httpx.RequestError):
        try:
            return str(exc.request.url)
        except RuntimeError:  # httpx raises this when the error carries no request
            pass
    text = str(url)
    if "://" in text or not str(client.base_url):
        return text
    return str(client.base_url).rstrip("/") + "/" + text.lstrip("/")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def transport_error(exc: Exception, method: str, url: str, redactor: Redactor = _PLAIN) -> BackendError:
    """The BackendError for a failed exchange that produced no response."""
    safe_url = redactor.url(url)
    try:
        host = redactor.text(httpx.URL(url).host) or safe_url
    except (httpx.InvalidURL, TypeError, ValueError):
        host = safe_url
    where = {"method": method.upper(), "url": safe_url}
    chain = _chain(exc)
    # The first two links of the cause chain often carry the same text (httpx re-wraps anyio's error).
    texts = list(dict.fromkeys(str(e) for e in chain[:2] if str(e)))
    detail = redactor.message(" ".join(texts) or type(exc).__name__, 200)
    lowered = detail.lower()
    if isinstance(exc, httpx.TimeoutException) or any(isinstance(e, TimeoutError) for e in chain):
        return RequestTimeout(f"no response from {host} in time ({detail}); the server is slow or "
                              "unreachable: retry, or raise --timeout", **where)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or "certificate verify" in lowered:
        return ConnectionFailed(f"TLS verification failed for {host} ({detail}); use --ca-bundle or "
                                "--insecure", "TLS verification failed", **where)
    if any(isinstance(e, ssl.SSLError) for e in chain) or "wrong version number" in lowered:
        return ConnectionFailed(f"TLS handshake with {host} failed ({detail}); is the URL's scheme right "
                                "(http vs https)?", **where)
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        s in lowered for s in ("name or service not known", "name resolution", "nodename nor servname",
                               "no address associated", "getaddrinfo")
    ):
        return ConnectionFailed(f"name not resolved: {host}; check the URL", **where)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConnectionFailed(f"invalid URL ({detail}); use http:// or https:// and a host name", **where)
    if isinstance(exc, httpx.ConnectError) or any(isinstance(e, ConnectionRefusedError) for e in chain):
        return ConnectionFailed(f"cannot connect to {host} ({detail}); is the server running and the URL "
                                "right?", **where)
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponse(f"the body could not be decoded ({detail})", **where)
    return ConnectionFailed(f"the connection to {host} failed mid-request ({detail}); check the result "
                            "before retrying a write", **where)


async def send(client: httpx.AsyncClient, method: str, url: str | httpx.URL, **kwargs: Any) -> httpx.Response:
    """``client.request`` with every transport failure re-raised as a BackendError (``from`` the cause).

    HTTP error statuses are returned as they are; call ``raise_for_status`` where they are failures.
    """
    try:
        return await client.request(method, url, **kwargs)
    except BackendError:
        raise
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        raise transport_error(exc, method, _target(client, url, exc), _redactor(client)) from exc


def _where(response: httpx.Response, redactor: Redactor) -> dict[str, Any]:
    try:
        request = response.request
    except RuntimeError:
        return {"status": response.status_code}
    return {"method": request.method, "url": redactor.url(request.url), "status": response.status_code}


def _first_text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, list) and value:
        return _first_text(value[0])
    if isinstance(value, dict):
        for key in ("message", "detail", "error", "msg", "description", "non_field_errors"):
            if key in value and (found := _first_text(value[key])):
                return found
    return None


def _field_errors(data: Any) -> dict[str, list[str]]:
    """DRF ``{"field": ["msg"]}``, ``{"errors": {…}}`` and Yii2 ``[{"field", "message"}]`` shapes."""
    if isinstance(data, dict) and isinstance(data.get("errors"), dict | list):
        data = data["errors"]
    found: dict[str, list[str]] = {}
    if isinstance(data, list):
        for item in data[:200]:
            if isinstance(item, dict) and isinstance(item.get("field"), str) and "message" in item:
                found.setdefault(item["field"], []).append(str(item["message"]))
    elif isinstance(data, dict):
        for key, value in list(data.items())[:200]:
            if key in ("detail", "non_field_errors", "error", "message", "success", "code"):
                continue
            msgs = value if isinstance(value, list) else [value]
            texts = [m for m in msgs if isinstance(m, str)]
            if texts:
                found[str(key)] = texts
    return found


def _body_data(response: httpx.Response) -> Any:
    if len(response.content) > 1024 * 1024:
        return None
    try:
        return json.loads(response.content, strict=False)
    except (ValueError, RecursionError):
        return None


def server_message(response: httpx.Response, redactor: Redactor = _PLAIN) -> str | None:
    """What the server said about the failure, as one safe line, if anything recognisable."""
    data = _body_data(response)
    text = _first_text(data) if data is not None else None
    if text is None:
        title = _TITLE.search(response.content[:65536])
        if title:
            text = title.group(1).decode("utf-8", "replace")
        elif "text/plain" in response.headers.get("content-type", ""):
            text = response.content[:300].decode("utf-8", "replace")
    return redactor.message(text, 200) if text else None


_ADVICE = {
    401: "check the credentials",
    403: "the account lacks permission for this",
    404: "it may have been deleted; refresh",
    409: "the record changed on the server; reload it and try again",
    412: "the record changed on the server; reload it and try again",
}


def raise_for_status(response: httpx.Response, redactor: Redactor = _PLAIN) -> None:
    """Raise the BackendError an error status maps to (``errors.error_for_status``); return on < 400."""
    status = response.status_code
    if status < 400:
        return
    cls = error_for_status(status)
    said = server_message(response, redactor)
    reason = redactor.message(response.reason_phrase or "error", 100)  # server text, like the body
    message = f"HTTP {status} {reason}" + (f": {said}" if said else "")
    where = _where(response, redactor)
    if cls is RateLimited:
        wait = parse_retry_after(response.headers.get("retry-after"))
        hint = f"; retry after {wait:.0f} s" if wait is not None else "; wait a little and retry"
        raise RateLimited(message + hint, retry_after=wait, **where)
    if cls is ValidationFailed:
        raise ValidationFailed(message, field_errors=_field_errors(_body_data(response)), **where)
    if status >= 500:
        raise cls(message + "; the server failed, try again later", **where)
    advice = _ADVICE.get(status)
    raise cls(message + (f"; {advice}" if advice else ""), **where)


def _describe_non_json(content: bytes, ctype: str, exc: json.JSONDecodeError, redactor: Redactor) -> str:
    stripped = content.strip()
    if "html" in ctype or stripped[:1] == b"<":
        title = _TITLE.search(content[:65536])
        page = redactor.message(title.group(1).decode("utf-8", "replace"), 120) if title else "no title"
        return f"expected JSON, got an HTML page ({ctype or 'no content type'}): {page}"
    if exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string"):
        return f"truncated JSON: the body ends after {len(content)} bytes"
    if "json" in ctype or stripped[:1] in (b"{", b"["):
        return f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    snippet = redactor.message(stripped[:80].decode("utf-8", "replace"), 80)
    return f"expected JSON, got {ctype or 'no content type'}: {snippet!r}"


def parsed(response: httpx.Response) -> Any:
    """``response.json()``, except that a large body the transport already parsed (in steps) is not parsed again."""
    if PARSED_KEY in response.extensions:
        return response.extensions[PARSED_KEY]
    if PARSE_FAILED_KEY in response.extensions:
        raise response.extensions[PARSE_FAILED_KEY]
    return response.json()


def json_body(response: httpx.Response, redactor: Redactor = _PLAIN) -> Any:
    """The parsed JSON body, or MalformedResponse saying what came instead (empty, HTML, truncated, …)."""
    if PARSED_KEY in response.extensions:
        return response.extensions[PARSED_KEY]
    content = response.content
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    where = _where(response, redactor)
    if not content.strip():
        raise MalformedResponse("expected JSON, got an empty body", **where)
    if len(content) > MAX_JSON_BYTES:
        raise MalformedResponse(f"response too large to parse ({len(content)} bytes)", **where)
    try:
        if PARSE_FAILED_KEY in response.extensions:  # a large body already failed to parse: not again
            raise response.extensions[PARSE_FAILED_KEY]
        # strict=False: raw control characters inside strings are common in real bodies; the UI strips them.
        return json.loads(content, strict=False)
    except RecursionError:
        raise MalformedResponse("expected JSON, got a document nested too deeply to parse", **where) from None
    except json.JSONDecodeError as exc:
        raise MalformedResponse(_describe_non_json(content, ctype, exc, redactor), **where) from exc
    except ValueError as exc:  # not UTF-8/16/32, or an integer too long to convert
        kind = "text that is not valid Unicode" if isinstance(exc, UnicodeDecodeError) else "unusable JSON"
        raise MalformedResponse(f"expected JSON, got {kind}", **where) from exc


async def fetch_json(client: httpx.AsyncClient, method: str, url: str | httpx.URL, **kwargs: Any) -> Any:
    """``send`` + ``raise_for_status`` + ``json_body``: the common case for adapters; None on 204."""
    response = await send(client, method, url, **kwargs)
    redactor = _redactor(client)
    raise_for_status(response, redactor)
    if response.status_code == 204 or (method.upper() == "HEAD"):
        return None
    return json_body(response, redactor)
