"""The Profile: how to reach one ISP system, validated with pydantic.

Secret fields hold *references* (``env:NAME``, ``command:…``, ``keyring:service/user``, ``prompt``) or, where
the file's permissions allow it, a literal. They are resolved only when the profile is opened.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from isptui.backends import registry
from isptui.backends.registry import BackendDescriptor


class Profile(BaseModel):
    """One configured connection. ``name`` is the table name in config.toml.

    Which backends exist and which credential keys each takes come from the backend registry (the plug-in
    contract), so a profile for a plug-in backend validates like one for a built-in. In config.toml the
    credential keys sit flat in the profile's table (``api_key = …``); here they are gathered in
    ``credentials``, keyed as the backend declares them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    backend: str
    url: str
    credentials: dict[str, str] = Field(default_factory=dict)
    """Credential key -> value or secret reference (``env:NAME``…), unresolved."""
    read_only: bool = False
    production: bool = False
    verify: bool = True
    ca_bundle: str | None = None
    timeout: float = Field(default=15.0, gt=0, le=600)
    theme: str | None = None
    source: str = Field(default="file", exclude=True)
    """Where the profile came from: ``file``, ``env`` or ``flags`` (shown in the picker)."""

    @model_validator(mode="before")
    @classmethod
    def _gather_credentials(cls, data: Any) -> Any:
        """Move the backend's declared credential keys into ``credentials``; others stay and are refused."""
        if not isinstance(data, dict) or not isinstance(data.get("backend"), str):
            return data
        try:
            desc = registry.descriptor(data["backend"])
        except registry.RegistryError:
            return data  # the ``backend`` validator names the problem
        credentials = {k: v for k, v in dict(data.get("credentials") or {}).items() if v is not None}
        rest: dict[str, Any] = {}
        for key, value in data.items():
            if key != "credentials" and desc.credential(key) is not None:
                if value is not None:
                    credentials[key] = value
            elif key != "credentials":
                rest[key] = value
        for cred in desc.credentials:
            if cred.default is not None:
                credentials.setdefault(cred.key, cred.default)
        rest["credentials"] = credentials
        return rest

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        try:
            registry.descriptor(value)
        except registry.RegistryError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credential_values(self) -> Profile:
        desc = self.descriptor
        for key, value in self.credentials.items():
            cred = desc.credential(key)
            if cred is None:
                raise ValueError(f"{key}: unknown key for backend {self.backend}")
            if not isinstance(value, str):
                raise ValueError(f"{key}: must be a string")
            if cred.choices and value not in cred.choices:
                raise ValueError(f"{key}: must be one of {', '.join(cred.choices)}")
        return self

    @property
    def descriptor(self) -> BackendDescriptor:
        return registry.descriptor(self.backend)

    @property
    def starts_read_only(self) -> bool:
        """Production profiles start read-only until the user elevates for the session."""
        return self.read_only or self.production

    def credential(self, key: str) -> str | None:
        """One credential as given (a reference stays unresolved), or None."""
        return self.credentials.get(key)

    def secret_refs(self) -> dict[str, str]:
        """The secret credentials as given: key -> reference or literal."""
        desc = self.descriptor
        return {k: v for k, v in self.credentials.items() if (f := desc.credential(k)) is not None and f.secret}

    def flat(self) -> dict[str, Any]:
        """The profile as config.toml spells it (credential keys flat), for merging flags and env over it."""
        values = self.model_dump()
        values.update(values.pop("credentials"))
        values["source"] = self.source
        return values
