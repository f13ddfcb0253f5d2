"""Splynx REST API v2.0 adapter."""

from __future__ import annotations

from isptui.backends.splynx.adapter import SplynxBackend

__all__ = ["SplynxBackend"]
