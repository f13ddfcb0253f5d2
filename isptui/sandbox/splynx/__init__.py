"""Splynx API v2.0 emulator (docs/splynx.md §1): ``create_app(options)`` serves ``/api/2.0/...``."""

from __future__ import annotations

from isptui.sandbox.splynx.app import create_app
from isptui.sandbox.splynx.auth import sign

__all__ = ["create_app", "sign"]
