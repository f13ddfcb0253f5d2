"""Building the profile to open from flags, the environment and the file: flag > environment > file."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from isptui.config.errors import ConfigError
from isptui.config.file import ENV_PROFILES, load_profiles
from isptui.config.profiles import Profile

# `isptui open` flag (argparse dest) -> Profile key
FLAG_KEYS = {
    "url": "url", "api_key": "api_key", "api_secret": "api_secret", "splynx_auth": "splynx_auth",
    "username": "username", "password": "password", "api_token": "api_token", "context": "context",
    "token": "token", "ca_bundle": "ca_bundle", "timeout": "timeout",
}


def _env_values(backend: str, environ: Mapping[str, str]) -> dict[str, str]:
    names = ENV_PROFILES[backend]
    return {key: environ[var] for key, var in names.items() if key != "url" and environ.get(var)}


def _flag_values(args: argparse.Namespace) -> dict[str, Any]:
    values = {key: getattr(args, dest) for dest, key in FLAG_KEYS.items() if getattr(args, dest, None) is not None}
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
        raise ConfigError(first["msg"].removeprefix("Value error, "), profile=where, key=key) from None


def profile_for_open(args: argparse.Namespace, environ: Mapping[str, str]) -> Profile:
    """``isptui open BACKEND --url …``: credentials from flags, else from the backend's env variables."""
    values: dict[str, Any] = {"name": f"{args.backend}@{args.url}", "backend": args.backend, "source": "flags"}
    values.update(_env_values(args.backend, environ))
    if args.backend == "trisul":
        values.setdefault("context", "default")
    values.update(_flag_values(args))
    return _build(values, values["name"])


def profile_by_name(name: str, args: argparse.Namespace | None, environ: Mapping[str, str],
                    path: Path | None = None) -> Profile:
    """``isptui --profile NAME``: the file's profile, overridden by env variables, then by flags."""
    profiles = load_profiles(path, environ)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none configured"
        raise ConfigError(f"no profile named {name!r} (known: {known})")
    profile = profiles[name]
    values = profile.model_dump()
    values["source"] = profile.source
    values.update(_env_values(profile.backend, environ))
    if args is not None:
        values.update(_flag_values(args))
    return _build(values, name)
