"""Profiles: the config file, implicit profiles from the environment, and secret references.

Names are imported on first use (PEP 562): the picker's first paint needs only the keymap, and pulling in
pydantic for the profile model would cost it a measurable share of its start-up budget.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ConfigError": "isptui.config.errors",
    "load_profiles": "isptui.config.file",
    "config_path": "isptui.config.paths",
    "data_dir": "isptui.config.paths",
    "Profile": "isptui.config.profiles",
    "resolve_secret": "isptui.config.secrets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'isptui.config' has no attribute {name!r}")
