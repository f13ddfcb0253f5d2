"""Splynx authentication: Basic, Splynx-EA signatures with nonces, and access/refresh tokens (§1.2)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.splynx.wire import SplynxError

ACCESS_TTL = 30 * 60  # "Each token expires after 30 minutes" (docs/splynx.md §1.2)
REFRESH_TTL = 30 * 24 * 3600  # Unknown: refresh lifetime is not documented; 30 days chosen.
FULL = "full"
RESTRICTED = "restricted"


def sign(nonce: int | str, key: str, secret: str) -> str:
    """The documented signature: upper hex HMAC-SHA256(key=secret, msg=str(nonce) + api_key)."""
    return hmac.new(secret.encode("latin-1"), f"{nonce}{key}".encode("latin-1"), hashlib.sha256).hexdigest().upper()


@dataclass
class _Session:
    access_token: str
    access_expires: float
    refresh_token: str
    refresh_expires: float
    principal: str
    user_agent: str


def _unauthorized(message: str, code: str = "UNAUTHORIZED") -> SplynxError:
    return SplynxError(code, message, 401)


class Authenticator:
    """Checks the Authorization header of each request and runs the token endpoints.

    A principal is ``FULL`` or ``RESTRICTED`` (the sandbox's second key, which may not touch tickets).
    """

    def __init__(self, options: SandboxOptions, clock: Callable[[], float]) -> None:
        creds = options.credentials
        self._keys = {
            creds.splynx_api_key: (creds.splynx_api_secret, FULL),
            creds.splynx_restricted_key: (creds.splynx_restricted_secret, RESTRICTED),
        }
        self._admin = (creds.splynx_admin_login, creds.splynx_admin_password)
        self._ttl = options.token_ttl if options.token_ttl is not None else ACCESS_TTL
        self._clock = clock
        self._nonces: dict[tuple[str, str], int] = {}
        self._strict_nonce = options.has_quirk("splynx-strict-nonce")
        self._by_access: dict[str, _Session] = {}
        self._by_refresh: dict[str, _Session] = {}

    # -- per-request ------------------------------------------------------------------------------
    def principal(self, header: str | None, user_agent: str) -> str:
        """Who is calling, or a SplynxError with the documented internal code."""
        if not header or not header.strip():
            raise _unauthorized("Authorization header is missing", "MISSED_AUTHORIZATION_HEADER")
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() == "basic":
            return self._basic(rest.strip())
        if scheme == "Splynx-EA":
            params = dict(parse_qsl(rest.strip().removeprefix("(").removesuffix(")"), keep_blank_values=True))
            if "access_token" in params:
                return self._access(params["access_token"], user_agent)
            return self._signature(params.get("key", ""), params.get("signature", ""), params.get("nonce", ""), "request")
        raise _unauthorized("Unsupported authorization scheme; use Basic or Splynx-EA")

    def _basic(self, encoded: str) -> str:
        try:
            key, _, secret = base64.b64decode(encoded, validate=True).decode("latin-1").partition(":")
        except (binascii.Error, ValueError):
            raise _unauthorized("Malformed Basic authorization header") from None
        known = self._keys.get(key)
        if known is None or not hmac.compare_digest(known[0], secret):
            raise _unauthorized("Invalid API key or secret")
        return known[1]

    def _signature(self, key: str, signature: str, nonce: Any, scope: str) -> str:
        known = self._keys.get(key)
        if known is None:
            raise _unauthorized("Invalid API key")
        try:
            value = int(str(nonce))
        except ValueError:
            raise _unauthorized("Nonce must be an integer") from None
        if not hmac.compare_digest(sign(value, key, known[0]), str(signature).upper()):
            raise _unauthorized("Invalid signature")
        # Unknown (docs/splynx.md §1.2, §7.3): whether the server rejects repeated or decreasing nonces is not
        # documented. The official Python client makes its nonce once per object (a re-login repeats it),
        # and the docs say seconds where the PHP client sends centiseconds, so the default accepts any
        # nonce. Quirk splynx-strict-nonce refuses one not greater than the last accepted for this key
        # (token requests keep their own counter, since the blueprint's example there uses seconds).
        if not self._strict_nonce:
            return known[1]
        last = self._nonces.get((key, scope))
        if last is not None and value <= last:
            raise _unauthorized(f"Nonce {value} is not greater than the last used nonce {last}")
        self._nonces[(key, scope)] = value
        return known[1]

    def _access(self, token: str, user_agent: str) -> str:
        if not token:
            raise _unauthorized("Access token is empty", "EMPTY_ACCESS_TOKEN")
        session = self._by_access.get(token)
        if session is None:
            raise _unauthorized("Access token is invalid")
        if self._clock() >= session.access_expires:
            raise _unauthorized("Access token has expired", "EXPIRED_ACCESS_TOKEN")
        if session.user_agent != user_agent:
            raise _unauthorized(
                "Generating token and making requests should be use the same user agent", "USER_AGENT_CHANGED"
            )
        return session.principal

    # -- token endpoints --------------------------------------------------------------------------
    def issue(self, body: Any, user_agent: str) -> dict[str, Any]:
        """`POST admin/auth/tokens`: a new session for api_key or admin credentials."""
        if not isinstance(body, dict) or not body.get("auth_type"):
            # Observed on a real server: POST with `{}` gave 401 (docs/splynx.md §1.2).
            raise _unauthorized("auth_type is required")
        auth_type = body["auth_type"]
        if auth_type == "api_key":
            principal = self._signature(str(body.get("key", "")), str(body.get("signature", "")),
                                        body.get("nonce", ""), "token")
        elif auth_type == "admin":
            login, password = str(body.get("login", "")), str(body.get("password", ""))
            if not (hmac.compare_digest(login, self._admin[0]) and hmac.compare_digest(password, self._admin[1])):
                raise _unauthorized("Invalid login or password", "INVALID_USER")
            principal = FULL
        elif auth_type in {"customer", "session"}:
            # The sandbox has no customer portal logins or web sessions to exchange.
            raise _unauthorized(f"auth_type '{auth_type}' is not available in the sandbox", "INVALID_USER")
        else:
            raise SplynxError("INVALID_AUTH_TYPE", f"Invalid auth_type '{auth_type}'", 400)
        now = self._clock()
        session = _Session(secrets.token_hex(20), now + self._ttl, secrets.token_hex(20), now + REFRESH_TTL,
                           principal, user_agent)
        self._by_access[session.access_token] = session
        self._by_refresh[session.refresh_token] = session
        return {**self._pair(session), "permissions": []}

    def renew(self, refresh_token: str) -> dict[str, Any]:
        """`GET admin/auth/tokens/{refresh}`: a fresh access token.

        Unknown (docs/splynx.md §1.2): whether the refresh token rotates; it is kept, so a retried renew
        cannot lock a client out.
        """
        session = self._by_refresh.get(refresh_token)
        if session is None:
            raise SplynxError("NOT_FOUND", "Refresh token not found", 404)
        now = self._clock()
        if now >= session.refresh_expires:
            raise _unauthorized("Refresh token has expired", "EXPIRED_REFRESH_TOKEN")
        self._by_access.pop(session.access_token, None)
        session.access_token = secrets.token_hex(20)
        session.access_expires = now + self._ttl
        self._by_access[session.access_token] = session
        return self._pair(session)

    def revoke(self, token: str) -> None:
        """`DELETE admin/auth/tokens/{token}`: ends the session of a refresh (or access) token."""
        session = self._by_refresh.get(token) or self._by_access.get(token)
        if session is None:
            raise SplynxError("NOT_FOUND", "Token not found", 404)
        self._by_refresh.pop(session.refresh_token, None)
        self._by_access.pop(session.access_token, None)

    @staticmethod
    def _pair(session: _Session) -> dict[str, Any]:
        return {
            "access_token": session.access_token,
            "access_token_expiration": int(session.access_expires),
            "refresh_token": session.refresh_token,
            "refresh_token_expiration": int(session.refresh_expires),
        }
