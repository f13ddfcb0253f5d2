"""ISPCRM API v1 adapter."""

from __future__ import annotations

from isptui.backends.ispcrm.adapter import IspcrmBackend

__all__ = ["IspcrmBackend"]
