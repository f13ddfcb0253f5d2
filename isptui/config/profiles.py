"""The Profile: how to reach one ISP system, validated with pydantic.

Secret fields hold *references* (``env:NAME``, ``command:…``, ``keyring:service/user``, ``prompt``) or, where
the file's permissions allow it, a literal. They are resolved only when the profile is opened.
"""

from __future__ import annotations

from typing import Literal

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
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

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
