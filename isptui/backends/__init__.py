"""Backend adapters: one async adapter per ISP system, all speaking the resource model."""

from __future__ import annotations

from isptui.backends.base import Backend, BackendSettings, load_backend

__all__ = ["Backend", "BackendSettings", "load_backend"]
