"""Splynx wire helpers: the error envelope, success responses and PHP-style bracket query parsing."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response

# HTTP status per internal code, as the blueprint pairs them (docs/splynx.md §1.3).
_STATUS_OF_CODE: dict[str, int] = {
    "BAD_REQUEST": 400,
    "INVALID_AUTH_TYPE": 400,
    "UNAUTHORIZED": 401,
    "MISSED_AUTHORIZATION_HEADER": 401,
    "EMPTY_ACCESS_TOKEN": 401,
    "EXPIRED_ACCESS_TOKEN": 401,
    "EXPIRED_REFRESH_TOKEN": 401,
    "INVALID_USER": 401,
    "USER_AGENT_CHANGED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "SERVER_ERROR": 500,
}


class SplynxError(Exception):
    """An expected failure that becomes the documented ``{"error": {...}}`` envelope."""

    def __init__(self, internal_code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.internal_code = internal_code
        self.message = message
        self.status = status or _STATUS_OF_CODE.get(internal_code, 400)

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "code": self.status, "internal_code": self.internal_code}}
        return JSONResponse(body, status_code=self.status)


class ValidationFailed(Exception):
    """A failed model validation, answered with 422.

    Unknown (docs/splynx.md §7.1): the real 422 body was not captured; Splynx is built on Yii2, whose REST
    serializer answers ``[{"field": ..., "message": ...}]``, so that shape is chosen here.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems

    def response(self) -> JSONResponse:
        return JSONResponse([{"field": f, "message": m} for f, m in self.problems], status_code=422)


def not_found(what: str) -> SplynxError:
    return SplynxError("NOT_FOUND", f"{what} not found", 404)


def method_not_allowed() -> SplynxError:
    return SplynxError("METHOD_NOT_ALLOWED", "Method Not Allowed. This URL can only handle other methods.", 405)


def ok(body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=200)


def created(body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=201)


def accepted() -> Response:
    # Unknown (docs/splynx.md §7.1): the PUT 202 body is not documented; an empty body is chosen.
    return Response(status_code=202)


def no_content(headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=204, headers=headers)


def count_headers(total: int) -> dict[str, str]:
    return {"X-total-count": str(total), "Access-Control-Expose-Headers": "X-total-count"}


Nested = dict[str, Any]


def parse_query(raw: bytes | str) -> Nested:
    """Turn ``a[b][0]=x&a[b][1]=y&limit=5`` into nested dicts, as PHP's ``$_GET`` would.

    Lists stay dicts keyed by "0", "1", ... so a caller can tell ``[1]=x`` from ``[1][0]=x``.
    """
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    out: Nested = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head] + ([p.rstrip("]") for p in ("[" + rest).split("[")[1:]] if rest else [])
        node = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # PHP's `a[]=x` appends
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    return out
