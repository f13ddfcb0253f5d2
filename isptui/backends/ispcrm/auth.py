"""ISPCRM token auth: ``Authorization: Bearer <token>`` (documented) or ``X-Auth-Token: <token>``.

Only the Bearer header is documented (docs/ispcrm.md §3); ``X-Auth-Token`` is the alternative the product
contract names, chosen with ``token_header = "x-auth-token"`` in the profile.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from isptui.errors import AuthFailed

HEADERS = ("authorization", "x-auth-token")


class IspcrmTokenAuth(httpx.Auth):
    """Put the static API token on every request, in the header the profile chose."""

    def __init__(self, token: str, header: str = "authorization") -> None:
        header = (header or "authorization").strip().lower()
        if header in ("bearer", ""):
            header = "authorization"
        if header not in HEADERS:
            raise AuthFailed(f"unknown ISPCRM token header {header!r}; use authorization or x-auth-token")
        self._header = header
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._header == "authorization":
            request.headers["Authorization"] = f"Bearer {self._token}"
        else:
            request.headers["X-Auth-Token"] = self._token
        yield request
