"""Remappable keys: the ``[keys]`` table of config.toml, e.g. ``edit = "E"`` or ``goto = "g,colon"``.

Names are the explorer's commands; the UI gives each binding the id ``isptui.<name>`` and applies the
table with Textual's keymap, so a remapped key also shows in the footer and in help.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from isptui.config.errors import ConfigError
from isptui.config.paths import config_path

KEY_NAMES: dict[str, str] = {
    "back": "back (history), or close a dialog", "back_alt": "back (second key)", "forward": "forward",
    "goto": "go to a resource by name", "filter": "filter the collection", "refresh": "refresh / retry",
    "raw_json": "raw JSON view", "toggle_log": "request log", "copy_curl": "copy request as curl",
    "copy_json": "copy record as JSON", "help": "help", "quit": "quit", "edit": "edit the record",
    "new": "new record", "delete": "delete", "actions": "actions of the record", "undo": "undo the last write",
    "elevate": "elevate a production profile", "sort": "sort by a column", "go_to_row": "go to row N",
    "find": "find a subscriber across every open connection", "switch_connection": "switch connection",
}


def keymap_from(table: Any, *, path: str = "") -> dict[str, str]:
    """Textual keymap (binding id -> keys) from a ``[keys]`` table, checked name by name."""
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError("must be a table of command = \"key\"", path=path or None, key="keys")
    keymap: dict[str, str] = {}
    for name, keys in table.items():
        if name not in KEY_NAMES:
            raise ConfigError(f"unknown command; known: {', '.join(sorted(KEY_NAMES))}", path=path or None,
                              key=f"keys.{name}")
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError("must be a key name such as \"E\" or \"ctrl+o\"", path=path or None,
                              key=f"keys.{name}")
        keymap[f"isptui.{name}"] = keys.strip()
    return keymap


def load_keymap(path: Path | None = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``[keys]`` table of the config file as a Textual keymap; {} without a file.

    Reads the file without the profile model, so the first paint does not wait for pydantic.
    """
    env = os.environ if environ is None else environ
    target = path or config_path(env)
    try:
        doc = tomllib.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read ({exc})", path=str(target)) from exc
    return keymap_from(doc.get("keys"), path=str(target))
