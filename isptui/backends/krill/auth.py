"""Krill JWT authentication as an httpx.Auth flow: login, refresh before expiry, re-login when refresh fails.

Krill moved to JWT in 2022 with simplejwt-style claims; whether login also returns ``refresh`` is not
confirmed, so the flow works with an access token alone (it logs in again when that one expires).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Generator
from typing import Any

import httpx

from isptui.errors import AuthFailed
from isptui.http.errors import json_body
from isptui.http.token_auth import SAFE_METHODS, RenewingTokenAuth, with_client_headers

LOGIN_PATH = "auth/login/"
REFRESH_PATH = "auth/refresh/"
EARLY = 30.0
"""Seconds before ``exp`` at which the token is renewed, so a request never leaves with a dying token."""


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (we only read ``exp``); {} when it is not a readable JWT."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _exp(token: str) -> float | None:
    value = jwt_claims(token).get("exp")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def token_not_valid(response: httpx.Response) -> bool:
    """A 401 that says the token (not the request) was refused: simplejwt's ``token_not_valid`` and kin."""
    if response.status_code != 401:
        return False
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return False
    if not isinstance(body, dict):
        return False
    code = str(body.get("code") or "")
    detail = str(body.get("detail") or "").lower()
    return code in ("token_not_valid", "not_authenticated", "authentication_failed") or "token" in detail


class KrillJWTAuth(RenewingTokenAuth):
    """``Authorization: Bearer <access>`` from ``POST auth/login/``; renewed via ``auth/refresh/``."""

    requires_response_body = True

    def __init__(self, username: str, password: str, api_base: str, *,
                 clock: Callable[[], float] = time.time,
                 on_token: Callable[[str], None] | None = None) -> None:
        self._username = username
        self._password = password
        self._base = api_base.rstrip("/") + "/"
        self._clock = clock
        self._on_token = on_token
        super().__init__()
        self._early = EARLY
        self._json_login = False
        self.access: str | None = None
        self.refresh: str | None = None
        self.expires: float | None = None
        self.logins = 0
        self.refreshes = 0

    def login_request(self) -> httpx.Request:
        # The third-party client that runs against real servers logs in with a form; JSON after a 415.
        creds = {"username": self._username, "password": self._password}
        if self._json_login:
            return httpx.Request("POST", self._base + LOGIN_PATH, json=creds)
        return httpx.Request("POST", self._base + LOGIN_PATH, data=creds)

    def refresh_request(self) -> httpx.Request:
        return httpx.Request("POST", self._base + REFRESH_PATH, json={"refresh": self.refresh})

    def _take(self, response: httpx.Response, *, keep_refresh: bool) -> bool:
        try:
            body = response.json()
        except (ValueError, RecursionError):
            return False
        if not isinstance(body, dict):
            return False
        access = body.get("access") or body.get("token") or body.get("access_token")
        if not _header_safe(access):
            # A token that cannot be sent back in a header (non-ASCII, spaces, a number) is no token.
            return False
        self.access = access
        refresh = body.get("refresh")
        self.refresh = refresh if _header_safe(refresh) else (self.refresh if keep_refresh else None)
        self.expires = _exp(access)
        issued = jwt_claims(access).get("iat")
        lifetime = self.expires - float(issued) if self.expires and isinstance(issued, (int, float)) else None
        # Renew a little before expiry: 30 s, or a quarter of a short lifetime (else a 20 s token would be
        # renewed before every request).
        self._early = min(EARLY, lifetime / 4) if lifetime and lifetime > 0 else EARLY
        if self._on_token is not None:  # the request log redacts them from now on
            self._on_token(access)
            if self.refresh:
                self._on_token(self.refresh)
        return True

    def _fresh(self) -> bool:
        if self.access is None:
            return False
        return self.expires is None or self._clock() + self._early < self.expires

    def _renew(self, force: bool, like: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._fresh() and not force:
            return
        if self.refresh:
            response = yield with_client_headers(self.refresh_request(), like)
            if response.status_code == 200 and self._take(response, keep_refresh=True):
                self.refreshes += 1
                return
            self.refresh = None
        response = yield with_client_headers(self.login_request(), like)
        if response.status_code == 415 and not self._json_login:
            self._json_login = True
            response = yield with_client_headers(self.login_request(), like)
        if response.status_code in (200, 201) and self._take(response, keep_refresh=False):
            self.logins += 1
            return
        self.access = None
        if "json" not in response.headers.get("content-type", "").lower():
            # An HTML page (a proxy login, another product) is not Krill refusing us: it is not Krill.
            json_body(response)
        if response.status_code in (400, 401, 403):
            raise AuthFailed("Krill refused the username or password; check them and try again",
                             method="POST", url=self._base + LOGIN_PATH, status=response.status_code)
        raise AuthFailed(f"Krill login failed with HTTP {response.status_code}; is this a Krill API v2 URL?",
                         method="POST", url=self._base + LOGIN_PATH, status=response.status_code)

    def _current(self) -> str | None:
        return self.access

    def _authorize(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.access}"

    def _resendable(self, request: httpx.Request, response: httpx.Response) -> bool:
        # A 401 for the token proves the view never ran, so even a write is safe to resend once.
        return token_not_valid(response) or (response.status_code == 401 and request.method in SAFE_METHODS)


def _header_safe(value: object) -> bool:
    """Whether a token from a server can go back in a header: visible ASCII, no spaces, sane size."""
    return isinstance(value, str) and 0 < len(value) <= 16384 and value.isascii() and value.isprintable() \
        and " " not in value
