"""Themes shipped in ``isptui/themes/*.toml``, loaded at start, and the rule for choosing one.

A theme file names Textual's colour roles; ``base`` copies a built-in Textual theme first (the ANSI theme
is ``ansi-dark`` under our name, so it uses the terminal's own palette).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from importlib import resources

from textual.theme import BUILTIN_THEMES, Theme

DEFAULT_THEME = "isptui-dark"
ANSI_THEME = "isptui-ansi"
_ROLE_NAMES = {f.name for f in fields(Theme)} - {"name", "variables"}


def theme_from_mapping(data: Mapping[str, object]) -> Theme:
    """A Textual ``Theme`` from one parsed theme file; ``ValueError`` names what is wrong."""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("a theme needs a name")
    base_name = data.get("base")
    variables = dict(data.get("variables") or {})  # type: ignore[call-overload]
    roles = {k: v for k, v in data.items() if k in _ROLE_NAMES}
    unknown = set(data) - _ROLE_NAMES - {"name", "base", "variables"}
    if unknown:
        raise ValueError(f"theme {name!r}: unknown keys {', '.join(sorted(unknown))}")
    if isinstance(base_name, str):
        base = BUILTIN_THEMES.get(base_name)
        if base is None:
            raise ValueError(f"theme {name!r}: unknown base {base_name!r}")
        return replace(base, name=name, variables={**base.variables, **variables}, **roles)  # type: ignore[arg-type]
    if "primary" not in roles:
        raise ValueError(f"theme {name!r} needs a primary colour or a base")
    return Theme(name=name, variables=variables, **roles)  # type: ignore[arg-type]


def load_themes() -> list[Theme]:
    """Every theme file shipped in the package, in name order. A broken file is skipped, not fatal."""
    found: list[Theme] = []
    folder = resources.files("isptui").joinpath("themes")
    if not folder.is_dir():
        return found
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            found.append(theme_from_mapping(tomllib.loads(entry.read_text(encoding="utf-8"))))
        except (ValueError, TypeError, tomllib.TOMLDecodeError):
            # A shipped theme that does not load must not stop the app; the default still works.
            continue
    return found


def choose_theme(available: Mapping[str, Theme], requested: str | None = None,
                 environ: Mapping[str, str] | None = None) -> str:
    """The theme to start with: the profile's, else ``ISPTUI_THEME``, else ANSI under ``NO_COLOR``, else dark.

    Under ``NO_COLOR`` Textual already drops colour; the ANSI theme also keeps the terminal's background.
    """
    env = os.environ if environ is None else environ
    for candidate in (requested, env.get("ISPTUI_THEME")):
        if candidate and candidate in available:
            return candidate
    if "NO_COLOR" in env and ANSI_THEME in available:
        return ANSI_THEME
    return DEFAULT_THEME if DEFAULT_THEME in available else "textual-dark"
