"""What every emulator is built from: the shared dataset, the fixed sandbox credentials, token lifetime."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isptui.sandbox.dataset import Dataset


def _dataset() -> Dataset:
    from isptui.sandbox.dataset import Dataset  # imported when a sandbox is made, not for its credentials

    return Dataset()


@dataclass(frozen=True)
class SandboxCredentials:
    """The fixed credentials of docs/product.md, printed when the sandbox starts; flags may override them."""

    splynx_api_key: str = "sandbox-key"
    splynx_api_secret: str = "sandbox-secret"
    splynx_admin_login: str = "admin"
    splynx_admin_password: str = "sandbox"
    # A second Splynx key without permission for tickets, so 403 handling can be exercised.
    splynx_restricted_key: str = "restricted-key"
    splynx_restricted_secret: str = "restricted-secret"
    krill_username: str = "operator"
    krill_password: str = "sandbox"
    ispcrm_token: str = "sandbox-token"
    trisul_username: str = "sandbox"
    trisul_api_token: str = "sandbox-token"
    trisul_context: str = "default"


@dataclass(frozen=True)
class SandboxOptions:
    """Shared by the five emulators of one sandbox so they describe the same subscribers."""

    dataset: Dataset = field(default_factory=_dataset)
    credentials: SandboxCredentials = field(default_factory=SandboxCredentials)
    token_ttl: float | None = None
    """Seconds an access token lives; None means the vendor's own default (Splynx 30 min, Krill 24 h)."""
    quirks: frozenset[str] = frozenset()
    """Quirk variants switched on (``isptui.sandbox.quirks``); empty = what the vendors' pages show."""

    def has_quirk(self, name: str) -> bool:
        return name in self.quirks
