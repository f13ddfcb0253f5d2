"""Krill (Phicus) REST API v2 adapter."""

from __future__ import annotations

from isptui.backends.krill.adapter import KrillBackend

__all__ = ["KrillBackend"]
