"""Carbon Billing 5 REST API v2 adapter."""

from __future__ import annotations

from isptui.backends.carbon.adapter import CarbonBackend

__all__ = ["CarbonBackend"]
