"""Trisul Network Analytics IPDR customers API adapter."""

from __future__ import annotations

from isptui.backends.trisul.adapter import TrisulBackend

__all__ = ["TrisulBackend"]
