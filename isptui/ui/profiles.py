"""What the picker offers and the explorer connects to: a named way to build a Backend.

The UI never builds HTTP clients; the launcher (or, later, ``isptui.config``) hands it ready ``BackendSettings``
and an adapter class, and the app only calls ``build()`` and the Backend ABC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isptui.backends.base import Backend


@dataclass
class ProfileEntry:
    """One line of the profile picker: a profile name, its backend, its safety flags and a Backend factory."""

    name: str
    backend_name: str
    build: Callable[[], Backend]
    description: str = ""
    request_log: Any = None
    """The ``isptui.http`` RequestLog the adapter writes to, or None (status line then shows no latency)."""
    read_only: bool = False
    production: bool = False
    insecure: bool = False
    theme: str | None = None
    source: str = "demo"
    """``demo``, ``config`` or ``env``: where the entry came from, shown in the picker."""
    secrets: list[str] = field(default_factory=list)
    """Values the UI must never put on screen or the clipboard (redacted if an API echoes one)."""
    connected: Backend | None = None
    """A backend the command line connected already (``isptui open``): the first connection uses it, so the
    server sees one login, not a check and then a second login. Taken (set to None) when used."""

    @property
    def badges(self) -> list[str]:
        """Short flags for the status line and the picker."""
        out = []
        if self.production:
            out.append("PRODUCTION")
        if self.read_only:
            out.append("READ-ONLY")
        if self.insecure:
            out.append("INSECURE")
        return out
