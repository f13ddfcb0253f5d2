"""Profiles: the config file, implicit profiles from the environment, and secret references."""

from __future__ import annotations

from isptui.config.errors import ConfigError
from isptui.config.file import load_profiles
from isptui.config.paths import config_path, data_dir
from isptui.config.profiles import SECRET_KEYS, Profile
from isptui.config.secrets import resolve_secret

__all__ = ["SECRET_KEYS", "ConfigError", "Profile", "config_path", "data_dir", "load_profiles",
           "resolve_secret"]
