"""Building the profile to open from flags, the environment and the file: flag > environment > file."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from isptui.backends import registry
from isptui.config.errors import ConfigError
from isptui.config.file import env_values as _env_values
from isptui.config.file import load_profiles
from isptui.config.profiles import Profile

CONNECTION_KEYS = ("url", "ca_bundle", "timeout")
"""`isptui open` flags that are profile keys of every backend; credential flags come from the registry."""


def _flag_values(args: argparse.Namespace, backend: str) -> dict[str, Any]:
    keys = [*CONNECTION_KEYS, *(f.key for f in registry.descriptor(backend).credentials)]
    values = {key: getattr(args, key) for key in keys if getattr(args, key, None) is not None}
    if getattr(args, "read_only", False):
        values["read_only"] = True
    if getattr(args, "insecure", False):
        values["verify"] = False
    return values


def _build(base: Mapping[str, Any], where: str) -> Profile:
    try:
        return Profile(**base)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{first['msg']}", profile=where, key=key) from None


def profile_for_open(args: argparse.Namespace, environ: Mapping[str, str]) -> Profile:
    """``isptui open BACKEND --url …``: credentials from flags, else from the backend's env variables."""
    values: dict[str, Any] = {"name": f"{args.backend}@{args.url}", "backend": args.backend, "source": "flags"}
    values.update(_env_values(args.backend, environ))
    values.update(_flag_values(args, args.backend))
    return _build(values, values["name"])


def profile_by_name(name: str, args: argparse.Namespace | None, environ: Mapping[str, str],
                    path: Path | None = None) -> Profile:
    """``isptui --profile NAME``: the file's profile, overridden by env variables, then by flags."""
    profiles = load_profiles(path, environ)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none configured"
        raise ConfigError(f"no profile named {name!r} (known: {known})")
    profile = profiles[name]
    values = profile.flat()
    values.update(_env_values(profile.backend, environ))
    if args is not None:
        values.update(_flag_values(args, profile.backend))
    return _build(values, name)
