"""Carbon Billing 5 REST API v2 emulator (see ``app.create_app``)."""

from __future__ import annotations

from isptui.sandbox.carbon.app import create_app

__all__ = ["create_app"]
