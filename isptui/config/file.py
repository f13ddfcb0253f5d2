"""Reading config.toml and the environment into Profiles, with errors that name file, profile and key."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from isptui.backends import registry
from isptui.config.errors import ConfigError
from isptui.config.keys import keymap_from
from isptui.config.paths import config_path
from isptui.config.profiles import Profile
from isptui.config.secrets import is_reference


def env_values(backend: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The credentials a backend's environment variables give (``SPLYNX_API_KEY``…), as its descriptor names them."""
    desc = registry.descriptor(backend)
    return {f.key: environ[f.env] for f in desc.credentials if f.env and environ.get(f.env)}


def load_profiles(path: Path | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Profile]:
    """Profiles from the file (if it exists) plus implicit ``env-<backend>`` profiles from the environment."""
    env = os.environ if environ is None else environ
    profiles = load_file(path or config_path(env))
    for profile in env_profiles(env).values():
        profiles.setdefault(profile.name, profile)
    return profiles


def load_file(path: Path) -> dict[str, Profile]:
    """The ``[profiles.*]`` tables of a config file; an absent file is an empty config."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read ({exc.strerror})", path=str(path)) from exc
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML ({exc})", path=str(path)) from exc
    unknown = sorted(set(doc) - {"profiles", "keys"})
    if unknown:
        raise ConfigError("unknown top-level table or key", path=str(path), key=unknown[0])
    tables = doc.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError("must be a table of profiles", path=str(path), key="profiles")
    profiles = {name: _profile(path, name, body) for name, body in tables.items()}
    _refuse_readable_literal_secrets(path, profiles)
    keymap_from(doc.get("keys"), path=str(path))  # reported with the rest of the file's problems
    return profiles


def _profile(path: Path, name: str, body: Any) -> Profile:
    if not isinstance(body, dict):
        raise ConfigError("must be a table", path=str(path), profile=name)
    if "name" in body or "source" in body:
        raise ConfigError("unknown key", path=str(path), profile=name, key="name" if "name" in body else "source")
    try:
        return Profile(name=name, source="file", **body)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or None
        message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(message, path=str(path), profile=name, key=key) from None


def _refuse_readable_literal_secrets(path: Path, profiles: Mapping[str, Profile]) -> None:
    """A file that holds a literal secret must not be readable by group or others (docs/product.md, Config)."""
    mode = path.stat().st_mode
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return
    for profile in profiles.values():
        for key, value in profile.secret_refs().items():
            if not is_reference(value):
                raise ConfigError(
                    f"holds a literal secret but is readable by other users (mode {stat.S_IMODE(mode):o}); "
                    f"run: chmod 600 {path}, or use an env:/command:/keyring: reference",
                    path=str(path), profile=profile.name, key=key)


def env_profiles(environ: Mapping[str, str]) -> dict[str, Profile]:
    """Implicit profiles ``env-<backend>`` for every backend whose URL variable (``SPLYNX_URL``…) is set."""
    found: dict[str, Profile] = {}
    for desc in registry.descriptors():
        url = environ.get(desc.url_env) if desc.url_env else None
        if not url:
            continue
        name = f"env-{desc.name}"
        try:
            found[name] = Profile(name=name, backend=desc.name, source="env", url=url,
                                  **env_values(desc.name, environ))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(f"{desc.url_env}: {first['msg']}") from None
    return found
