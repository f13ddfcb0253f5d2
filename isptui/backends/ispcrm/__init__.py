"""ISPCRM API v1 adapter.

The package publishes ``DESCRIPTOR`` (the ``isptui.backends`` entry point); the adapter class is imported
only when asked for, so reading the descriptor (the picker, the command line's help) stays cheap.
"""

from __future__ import annotations

from isptui.backends.ispcrm.descriptor import DESCRIPTOR
from isptui.backends.registry import lazy_adapter

__all__ = ["DESCRIPTOR", "IspcrmBackend"]

__getattr__ = lazy_adapter(DESCRIPTOR)
