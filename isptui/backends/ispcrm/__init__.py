"""ISPCRM API v1 adapter.

The package publishes ``DESCRIPTOR`` (the ``isptui.backends`` entry point); the adapter class is imported
only when asked for, so reading the descriptor (the picker, the command line's help) stays cheap.
"""

from __future__ import annotations

from typing import Any

from isptui.backends.ispcrm.descriptor import DESCRIPTOR

__all__ = ["DESCRIPTOR", "IspcrmBackend"]


def __getattr__(name: str) -> Any:
    if name == "IspcrmBackend":
        from isptui.backends.ispcrm.adapter import IspcrmBackend

        return IspcrmBackend
    raise AttributeError(name)
