"""Trisul Network Analytics IPDR customers API adapter.

The package publishes ``DESCRIPTOR`` (the ``isptui.backends`` entry point); the adapter class is imported
only when asked for, so reading the descriptor (the picker, the command line's help) stays cheap.
"""

from __future__ import annotations

from typing import Any

from isptui.backends.trisul.descriptor import DESCRIPTOR

__all__ = ["DESCRIPTOR", "TrisulBackend"]


def __getattr__(name: str) -> Any:
    if name == "TrisulBackend":
        from isptui.backends.trisul.adapter import TrisulBackend

        return TrisulBackend
    raise AttributeError(name)
