"""Themes: shipped ones in ``isptui/themes/*.toml``, the user's own, and the rule for choosing one.

A theme file names Textual's colour roles; ``base`` copies a built-in Textual theme first (the ANSI theme
is ``ansi-dark`` under our name, so it uses the terminal's own palette).

User themes live in a ``themes/`` folder next to ``config.toml``: the platformdirs user config dir
(``~/.config/isptui/themes/`` on Linux), or the folder of ``ISPTUI_CONFIG`` when that is set. They are
loaded after the shipped ones, so a user file with a shipped theme's name replaces it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

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


def user_themes_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the user's own theme files (it may not exist; it is never created here)."""
    env = os.environ if environ is None else environ
    override = env.get("ISPTUI_CONFIG")
    if override:
        return Path(override).expanduser().parent / "themes"
    # platformdirs directly: isptui.config would pull in pydantic before the first paint.
    import platformdirs

    return platformdirs.user_config_path("isptui") / "themes"


def load_theme_folder(folder: Traversable | Path) -> tuple[list[Theme], list[str]]:
    """Every ``*.toml`` theme in ``folder``, in name order, and one message per file that did not load."""
    found: list[Theme] = []
    problems: list[str] = []
    try:
        if not folder.is_dir():
            return found, problems
        files = sorted((e for e in folder.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    except OSError as exc:
        return found, [f"{folder}: {exc.strerror or exc}"]
    for entry in files:
        try:
            found.append(theme_from_mapping(tomllib.loads(entry.read_text(encoding="utf-8"))))
        except (ValueError, TypeError, OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            # One bad file must not stop the app; the default theme still works.
            problems.append(f"{entry.name}: {exc}")
    return found, problems


def load_themes(environ: Mapping[str, str] | None = None) -> tuple[list[Theme], list[str]]:
    """Shipped themes, then the user's (a user theme replaces a shipped one of the same name).

    Returns the themes and a message per user file that could not be read (the app shows them once).
    """
    shipped, _ = load_theme_folder(resources.files("isptui").joinpath("themes"))
    user, problems = load_theme_folder(user_themes_dir(environ))
    by_name = {t.name: t for t in shipped}
    by_name.update({t.name: t for t in user})
    return list(by_name.values()), problems


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
