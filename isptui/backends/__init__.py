"""Backend adapters: one async adapter per ISP system, all speaking the resource model.

``registry`` (the plug-in contract) is cheap to import; ``Backend`` and friends pull in the model
(pydantic), so they are imported on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Backend", "BackendSettings", "load_backend"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from isptui.backends import base

        return getattr(base, name)
    raise AttributeError(name)
