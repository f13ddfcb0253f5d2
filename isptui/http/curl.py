"""An exchange as one shell-quoted, redacted curl command: the request log's "copy as curl"."""

from __future__ import annotations

import shlex

import httpx

from isptui.http.log import Exchange
from isptui.http.recording import request_bytes
from isptui.http.redact import Redactor
from isptui.http.redact import header_pairs as _pairs

# curl sets these itself; copying them would be wrong after redaction (length) or unreadable (gzip).
_SKIP_HEADERS = frozenset({"host", "content-length", "accept-encoding", "connection", "transfer-encoding"})


def to_curl(item: Exchange | httpx.Request, redactor: Redactor | None = None) -> str:
    """``curl -X POST 'https://…' -H '…' --data-raw '…'`` with every secret replaced by ``***``.

    An Exchange is already redacted; a Request is redacted here (with ``redactor`` if given, which should
    know the connection's secrets). A body the log cut short is left out, with a note, rather than
    producing a command that would send something else.
    """
    if isinstance(item, Exchange):
        method, url = item.method, item.url
        headers = list(item.request_headers)
        body, cut, size = item.request_body, item.request_body_truncated, item.request_size
    else:
        red = redactor or Redactor()
        method, url = item.method, red.url(item.url)
        headers = red.headers(_pairs(item.headers))
        raw = request_bytes(item)
        body, cut = red.body(raw, item.headers.get("content-type"))
        size = len(raw)
    parts = ["curl"]
    method = method.upper()
    if method == "HEAD":
        parts.append("--head")
    elif method != "GET" or body:
        parts += ["-X", method]
    parts.append(url)
    for name, value in headers:
        if name.lower() not in _SKIP_HEADERS:
            parts += ["-H", f"{name}: {value}"]
    note = ""
    if body and not cut and not body.startswith("<"):
        parts += ["--data-raw", body]
    elif size:
        note = f"  # request body ({size} bytes) not included"
    return " ".join(shlex.quote(p) for p in parts) + note
