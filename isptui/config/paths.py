"""Where isptui keeps its files; computed when asked, never created at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "isptui"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``ISPTUI_CONFIG`` if set, else ``config.toml`` in the platform's user config dir."""
    env = os.environ if environ is None else environ
    override = env.get("ISPTUI_CONFIG")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``ISPTUI_DATA_DIR`` if set (tests, shared jump hosts), else the platform's user data dir."""
    env = os.environ if environ is None else environ
    override = env.get("ISPTUI_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME)
