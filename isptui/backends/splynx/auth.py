"""Splynx authentication as httpx.Auth flows: Basic, per-request ``Splynx-EA`` signature, access tokens.

The signature and token logic lives here, not at call sites, so every request (including retries made by
the HTTP layer) is signed freshly and tokens are renewed transparently.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Generator
from typing import Any
from urllib.parse import urlencode

import httpx

from isptui.errors import AuthFailed
from isptui.http.errors import json_body
from isptui.http.token_auth import SAFE_METHODS, RenewingTokenAuth, with_client_headers

TOKENS_PATH = "admin/auth/tokens"
# A 401 carrying one of these codes proves the server refused the request before applying it.
_TOKEN_CODES = frozenset({"EXPIRED_ACCESS_TOKEN", "EMPTY_ACCESS_TOKEN", "MISSED_AUTHORIZATION_HEADER"})


class NonceCounter:
    """A strictly increasing nonce: Unix time in centiseconds, bumped by one when two requests collide.

    Splynx's own clients use ``round(microtime(true) * 100)`` and increment it per request; whether the
    server rejects repeats is unknown, so we never repeat one, even across threads.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(self._last + 1, round(self._clock() * 100))
            return self._last


def signature(nonce: int, api_key: str, api_secret: str) -> str:
    """``strtoupper(hash_hmac('sha256', nonce . key, secret))`` as in the Splynx blueprint."""
    message = f"{nonce}{api_key}".encode("latin-1", "replace")
    return hmac.new(api_secret.encode("latin-1", "replace"), message, hashlib.sha256).hexdigest().upper()


def basic_header(api_key: str, api_secret: str) -> str:
    token = base64.b64encode(f"{api_key}:{api_secret}".encode()).decode("ascii")
    return f"Basic {token}"


class SplynxBasicAuth(httpx.Auth):
    """HTTP Basic with key:secret (the key needs "Unsecure access" enabled on the server)."""

    def __init__(self, api_key: str, api_secret: str) -> None:
        self._header = basic_header(api_key, api_secret)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class SplynxSignatureAuth(httpx.Auth):
    """``Authorization: Splynx-EA (key=…&nonce=…&signature=…)`` with a fresh nonce on every send."""

    def __init__(self, api_key: str, api_secret: str, nonce: NonceCounter | None = None) -> None:
        self._key = api_key
        self._secret = api_secret
        self._nonce = nonce or NonceCounter()

    def header(self) -> str:
        nonce = self._nonce.next()
        query = urlencode({"key": self._key, "nonce": nonce, "signature": signature(nonce, self._key,
                                                                                      self._secret)})
        return f"Splynx-EA ({query})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.header()
        yield request


def error_code(response: httpx.Response) -> str:
    """The ``internal_code`` of a Splynx error envelope, or '' when the body is not one."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("internal_code") or "")
    return ""


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


class SplynxTokenAuth(RenewingTokenAuth):
    """Access tokens from ``POST admin/auth/tokens`` (auth_type api_key), renewed before they expire.

    Renew when ``time() + 5 > access_token_expiration`` (the blueprint's rule) through
    ``GET admin/auth/tokens/{refresh_token}``; log in again when the refresh token is gone or refused.
    A 401 saying the token expired mid-flight renews once and resends: such a 401 proves the request was
    not applied, so resending is safe even for writes.
    """

    requires_response_body = True

    def __init__(self, api_key: str, api_secret: str, base_url: str, *,
                 clock: Callable[[], float] = time.time, nonce: NonceCounter | None = None,
                 on_token: Callable[[str], None] | None = None, admin: bool = False) -> None:
        self._admin = admin
        """``api_key``/``api_secret`` are an administrator's login and password (auth_type ``admin``)."""
        self._key = api_key
        self._on_token = on_token
        self._secret = api_secret
        self._base = base_url.rstrip("/") + "/"
        self._clock = clock
        self._nonce = nonce or NonceCounter(clock)
        super().__init__()
        self.access_token: str | None = None
        self.access_expires = 0.0
        self.refresh_token: str | None = None
        self.refresh_expires = 0.0
        self.logins = 0
        self.refreshes = 0

    # -- requests the flow makes itself ------------------------------------------------------------
    def login_request(self) -> httpx.Request:
        if self._admin:
            body = {"auth_type": "admin", "login": self._key, "password": self._secret}
            return httpx.Request("POST", self._base + TOKENS_PATH, json=body)
        nonce = self._nonce.next()
        body = {"auth_type": "api_key", "key": self._key, "nonce": nonce,
                "signature": signature(nonce, self._key, self._secret)}
        return httpx.Request("POST", self._base + TOKENS_PATH, json=body)

    def refresh_request(self) -> httpx.Request:
        return httpx.Request("GET", f"{self._base}{TOKENS_PATH}/{self.refresh_token}")

    def logout_request(self) -> httpx.Request | None:
        """The logout call (official clients pass the refresh token); None when never logged in."""
        if not self.refresh_token:
            return None
        return httpx.Request("DELETE", f"{self._base}{TOKENS_PATH}/{self.refresh_token}")

    def _take(self, response: httpx.Response) -> bool:
        try:
            body = response.json()
        except (ValueError, RecursionError):
            return False
        if not isinstance(body, dict) or not _header_safe(body.get("access_token")):
            # A token that cannot be sent back in a header (non-ASCII, spaces, a number) is no token.
            return False
        self.access_token = str(body["access_token"])
        # Unknown expiry: assume the documented 30 minutes rather than renewing on every request.
        self.access_expires = _number(body.get("access_token_expiration")) or self._clock() + 1800
        self.refresh_token = str(body["refresh_token"]) if _header_safe(body.get("refresh_token")) else None
        self.refresh_expires = _number(body.get("refresh_token_expiration"))
        if self._on_token is not None:  # so the request log redacts the tokens from now on
            self._on_token(self.access_token)
            if self.refresh_token:
                self._on_token(self.refresh_token)
        return True

    def _fresh(self) -> bool:
        return self.access_token is not None and self._clock() + 5 <= self.access_expires

    def _can_refresh(self) -> bool:
        return bool(self.refresh_token) and (self.refresh_expires == 0 or self._clock() < self.refresh_expires)

    def _renew(self, force: bool, like: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Refresh or log in; a generator of the requests that takes, raising AuthFailed at the end."""
        if self._fresh() and not force:
            return
        if self._can_refresh():
            response = yield with_client_headers(self.refresh_request(), like)
            if response.status_code == 200 and self._take(response):
                self.refreshes += 1
                return
        response = yield with_client_headers(self.login_request(), like)
        if response.status_code in (200, 201) and self._take(response):
            self.logins += 1
            return
        self.access_token = None
        if "json" not in response.headers.get("content-type", "").lower():
            # An HTML page or other non-JSON answer is not Splynx refusing the key: it is not Splynx at all.
            json_body(response)
        code = error_code(response)
        what = ("the administrator login or password", "the login and password") if self._admin else (
            "the API key or secret", "the key, its secret")
        raise AuthFailed(
            f"Splynx refused {what[0]}" + (f" ({code})" if code else "")
            + f"; check {what[1]} and that it may log in",
            method="POST", url=self._base + TOKENS_PATH, status=response.status_code)

    def _current(self) -> str | None:
        return self.access_token

    def _authorize(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Splynx-EA (access_token={self.access_token})"

    def _resendable(self, request: httpx.Request, response: httpx.Response) -> bool:
        if response.status_code != 401:
            return False
        return request.method in SAFE_METHODS or error_code(response) in _TOKEN_CODES


def _header_safe(value: object) -> bool:
    """Whether a token from a server can go back in a header or URL: visible ASCII, no spaces, sane size."""
    return isinstance(value, str) and 0 < len(value) <= 16384 and value.isascii() and value.isprintable() \
        and " " not in value
