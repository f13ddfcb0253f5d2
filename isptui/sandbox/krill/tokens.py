"""Real HS256 JWTs shaped like djangorestframework-simplejwt's, signed with a sandbox-only secret.

Krill switched to JWT in July 2022 and its sample token carries simplejwt's claims (token_type, exp, iat,
jti, user_id), so access and refresh tokens are minted and checked the way simplejwt does it, including its
error messages, so a client's refresh logic meets what it would meet on a real server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from typing import Any

ACCESS_LIFETIME = 24 * 3600.0  # the docs' sample token: exp - iat == 86400
# Unknown (docs/krill.md §2.2): the refresh lifetime; simplejwt's default of one day is chosen.
REFRESH_LIFETIME = 24 * 3600.0


class TokenError(Exception):
    """A token that simplejwt would refuse; ``args[0]`` is simplejwt's message for it."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _numeric_date(value: float) -> int | float:
    """JWT NumericDate: whole seconds as simplejwt writes them, fractions kept for sub-second test TTLs."""
    return int(value) if float(value).is_integer() else round(value, 3)


class TokenService:
    """Mints and verifies access/refresh tokens against an injectable clock (tests advance it)."""

    def __init__(
        self,
        secret: bytes,
        *,
        access_ttl: float | None = None,
        clock: Callable[[], float],
    ) -> None:
        self._secret = secret
        self.access_ttl = ACCESS_LIFETIME if access_ttl is None else float(access_ttl)
        self.refresh_ttl = max(REFRESH_LIFETIME, self.access_ttl)
        self._clock = clock

    def mint(self, token_type: str, user_id: int) -> str:
        """A signed token of ``token_type`` ("access" or "refresh") for ``user_id``."""
        now = self._clock()
        ttl = self.access_ttl if token_type == "access" else self.refresh_ttl
        header = {"alg": "HS256", "typ": "JWT"}
        if float(ttl).is_integer():  # simplejwt writes whole seconds
            now, ttl = int(now), int(ttl)
        payload = {
            "token_type": token_type,
            "exp": _numeric_date(now + ttl),
            "iat": _numeric_date(now),
            "jti": uuid.uuid4().hex,
            "user_id": user_id,
        }
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
        )
        return f"{signing_input}.{_b64(self._sign(signing_input))}"

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._secret, signing_input.encode("ascii"), hashlib.sha256).digest()

    def verify(self, token: str, token_type: str) -> dict[str, Any]:
        """The claims of a valid, unexpired token of ``token_type``; TokenError with simplejwt's text otherwise."""
        try:
            head, body, signature = token.split(".")
            expected = self._sign(f"{head}.{body}")
            if not hmac.compare_digest(expected, _unb64(signature)):
                raise ValueError("bad signature")
            header = json.loads(_unb64(head))
            claims = json.loads(_unb64(body))
            if header.get("alg") != "HS256" or not isinstance(claims, dict):
                raise ValueError("bad header")
            exp = float(claims["exp"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise TokenError("Token is invalid") from exc
        if self._clock() >= exp:
            raise TokenError("Token is expired")
        if claims.get("token_type") != token_type:
            raise TokenError("Token has wrong type")
        return claims
