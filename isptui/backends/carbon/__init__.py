"""Carbon Billing 5 REST API v2 adapter.

The package publishes ``DESCRIPTOR`` (the ``isptui.backends`` entry point); the adapter class is imported
only when asked for, so reading the descriptor (the picker, the command line's help) stays cheap.
"""

from __future__ import annotations

from typing import Any

from isptui.backends.carbon.descriptor import DESCRIPTOR

__all__ = ["DESCRIPTOR", "CarbonBackend"]


def __getattr__(name: str) -> Any:
    if name == "CarbonBackend":
        from isptui.backends.carbon.adapter import CarbonBackend

        return CarbonBackend
    raise AttributeError(name)
