"""Splynx REST API v2.0 adapter.

The package publishes ``DESCRIPTOR`` (the ``isptui.backends`` entry point); the adapter class is imported
only when asked for, so reading the descriptor (the picker, the command line's help) stays cheap.
"""

from __future__ import annotations

from typing import Any

from isptui.backends.splynx.descriptor import DESCRIPTOR

__all__ = ["DESCRIPTOR", "SplynxBackend"]


def __getattr__(name: str) -> Any:
    if name == "SplynxBackend":
        from isptui.backends.splynx.adapter import SplynxBackend

        return SplynxBackend
    raise AttributeError(name)
