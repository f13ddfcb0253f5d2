"""Carbon Billing 5 REST API v2 adapter.

The package publishes ``DESCRIPTOR`` (the ``isptui.backends`` entry point); the adapter class is imported
only when asked for, so reading the descriptor (the picker, the command line's help) stays cheap.
"""

from __future__ import annotations

from isptui.backends.carbon.descriptor import DESCRIPTOR
from isptui.backends.registry import lazy_adapter

__all__ = ["DESCRIPTOR", "CarbonBackend"]

__getattr__ = lazy_adapter(DESCRIPTOR)
