"""The Profile: how to reach one ISP system, validated with pydantic.

Secret fields hold *references* (``env:NAME``, ``command:…``, ``keyring:service/user``, ``prompt``) or, where
the file's permissions allow it, a literal. They are resolved only when the profile is opened.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

BackendName = Literal["splynx", "krill", "ispcrm", "trisul", "carbon"]

SECRET_KEYS = ("api_secret", "password", "api_token", "token")
"""Profile keys whose values are secrets (references or literals)."""

# Which credential keys each backend takes, mapped to the BackendSettings.credentials names.
CREDENTIAL_KEYS: dict[str, tuple[str, ...]] = {
    "splynx": ("api_key", "api_secret", "splynx_auth"),
    "krill": ("username", "password"),
    "ispcrm": ("token", "token_header"),
    "trisul": ("username", "api_token", "context"),
    "carbon": (),
}


def check_url(value: str) -> str:
    """``value`` as a usable http(s) base URL (no trailing slash), or ValueError with one clean line.

    Everything a user can type is checked here, before any socket: ``http://`` with no host, a port out of
    range (``:99999``), an unbalanced IPv6 bracket, control characters (an ESC pasted into a URL), and a
    host name that is not valid IDNA (it could not be looked up; an internationalised name is converted).
    """
    from isptui.text import clean

    shown = clean(value[:200])
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise ValueError(f"'{shown}' contains control characters")
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"'{shown}' is not a valid URL ({exc})") from None
    host = parts.hostname or ""
    if not host:
        raise ValueError(f"'{shown}' has no host name")
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"'{shown}': port {port} is out of range (1-65535)")
    import httpx  # here, not at import: the picker's first paint must not wait for it

    try:
        _ = httpx.URL(value).host  # decoding an xn-- label checks it too
    except (httpx.InvalidURL, ValueError):  # IDNAError is a ValueError that httpx does not wrap
        raise ValueError(f"'{shown}': the host name is not a valid internationalised (IDNA) name") from None
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password; use the credential keys")
    return value.rstrip("/")


class Profile(BaseModel):
    """One configured connection. ``name`` is the table name in config.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    backend: BackendName
    url: str
    api_key: str | None = None
    api_secret: str | None = None
    splynx_auth: Literal["basic", "signature", "token"] | None = None
    username: str | None = None
    password: str | None = None
    api_token: str | None = None
    context: str | None = None
    token: str | None = None
    token_header: Literal["authorization", "x-auth-token"] | None = None
    read_only: bool = False
    production: bool = False
    verify: bool = True
    ca_bundle: str | None = None
    timeout: float = Field(default=15.0, gt=0, le=600)
    theme: str | None = None
    source: str = Field(default="file", exclude=True)
    """Where the profile came from: ``file``, ``env`` or ``flags`` (shown in the picker)."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_url(value)

    @property
    def starts_read_only(self) -> bool:
        """Production profiles start read-only until the user elevates for the session."""
        return self.read_only or self.production

    def credential_refs(self) -> dict[str, str]:
        """The credentials this backend takes, as given (references unresolved)."""
        refs: dict[str, str] = {}
        for key in CREDENTIAL_KEYS[self.backend]:
            value = getattr(self, key)
            if value is not None:
                refs["auth" if key == "splynx_auth" else key] = value
        return refs
