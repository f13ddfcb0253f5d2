"""Trisul body authentication: ``api_token``, ``username`` and ``contextname`` in every JSON body.

Trisul's IPDR customers API reads its credentials from the JSON body of every request, GET and DELETE
included (docs/trisul.md §4.1). Doing it in an httpx.Auth keeps call sites free of secrets and means a
retried request carries them too.
"""

from __future__ import annotations

import json
from collections.abc import Generator

import httpx


class TrisulBodyAuth(httpx.Auth):
    """Merge the three credential fields into the request's JSON object body (creating one if empty)."""

    requires_request_body = True

    def __init__(self, username: str, api_token: str, context: str) -> None:
        self._fields = {"api_token": api_token, "username": username, "contextname": context}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body: dict[str, object] = {}
        if request.content.strip():
            loaded = json.loads(request.content)
            if not isinstance(loaded, dict):
                raise TypeError("Trisul request bodies must be JSON objects")
            body = loaded
        # Credentials last, so a record field can never override (or smuggle) them.
        content = json.dumps({**body, **self._fields}, ensure_ascii=False).encode()
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
        signed = httpx.Request(request.method, request.url, headers=headers, content=content,
                               extensions=request.extensions)
        signed.headers["Content-Type"] = "application/json"
        yield signed
