"""Splynx REST API v2.0 adapter.

The package publishes ``DESCRIPTOR`` (the ``isptui.backends`` entry point); the adapter class is imported
only when asked for, so reading the descriptor (the picker, the command line's help) stays cheap.
"""

from __future__ import annotations

from isptui.backends.registry import lazy_adapter
from isptui.backends.splynx.descriptor import DESCRIPTOR

__all__ = ["DESCRIPTOR", "SplynxBackend"]

__getattr__ = lazy_adapter(DESCRIPTOR)
