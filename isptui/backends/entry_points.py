"""The entry points of one group, read the way ``importlib.metadata.entry_points(group=…)`` reads them, in
a few milliseconds instead of ~60 (issue 15, first paint).

``importlib.metadata`` costs 30-40 ms to import (it brings ``email``, ``csv``, ``zipfile``…) and as much
again to scan every installed distribution; the registry needs only the ``isptui.backends`` group, before
the first paint of both the picker and ``isptui demo``. This reads the same files in the same order:

- every ``*.dist-info`` / ``*.egg-info`` folder of every ``sys.path`` folder, in path order;
- one distribution per normalised name, the first found (``importlib.metadata``'s de-duplication);
- its ``entry_points.txt``: ``[group]`` sections of ``name = value`` lines, ``#`` comments.

Anything else ``importlib.metadata`` would also search (a zip archive on ``sys.path``, a meta-path finder
of its own that finds distributions) makes this hand over to ``importlib.metadata`` itself.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Protocol


class EntryPointLike(Protocol):
    """What the registry uses of an entry point (``importlib.metadata.EntryPoint`` has it too)."""

    name: str
    value: str

    @property
    def module(self) -> str: ...

    @property
    def attr(self) -> str: ...

    def load(self) -> object: ...


_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""``importlib.metadata.EntryPoint.pattern``."""


class EntryPoint:
    """One ``name = module:attr`` line, as ``importlib.metadata.EntryPoint`` reads it."""

    __slots__ = ("group", "name", "value")

    def __init__(self, name: str, value: str, group: str) -> None:
        self.name, self.value, self.group = name, value, group

    def _match(self) -> re.Match[str]:
        match = _VALUE.match(self.value)
        if match is None:
            raise AttributeError(f"entry point {self.name!r}: {self.value!r} is not module:attr")
        return match

    @property
    def module(self) -> str:
        return self._match().group("module")

    @property
    def attr(self) -> str:
        return self._match().group("attr") or ""

    def load(self) -> object:
        match = self._match()
        module = importlib.import_module(match.group("module"))
        return functools.reduce(getattr, filter(None, (match.group("attr") or "").split(".")), module)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntryPoint) and (self.name, self.value, self.group) == (
            other.name, other.value, other.group)

    def __hash__(self) -> int:
        return hash((self.name, self.value, self.group))

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def _normalize(name: str) -> str:
    """``importlib.metadata.Prepared.normalize``."""
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _distributions(paths: Sequence[str]) -> list[str] | None:
    """The metadata folders ``importlib.metadata.distributions()`` would give, first of each name wins;
    None when it would also look where this does not (a zip on the path, another finder)."""
    if any(hasattr(finder, "find_distributions") and finder is not _path_finder() for finder in sys.meta_path):
        return None
    seen: set[str] = set()
    found: list[str] = []
    for entry in paths:
        if entry.lower().endswith(".egg"):
            return None  # an egg on the path (importlib.metadata reads its EGG-INFO)
        root = entry or "."
        try:
            children = os.listdir(root)
        except NotADirectoryError:
            return None  # a zip archive (importlib.metadata reads those too)
        except OSError:
            continue
        by_name: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                by_name.setdefault(_normalize(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        for name, folders in by_name.items():
            if name not in seen:
                seen.add(name)
                found.append(os.path.join(entry, folders[0]) if entry else folders[0])
    return found


def _path_finder() -> object:
    import importlib.machinery

    return importlib.machinery.PathFinder


def _read(folder: str, group: str) -> list[EntryPoint]:
    try:
        with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return []
    found = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == group and "=" in line:
            name, value = line.split("=", 1)
            found.append(EntryPoint(name.strip(), value.strip(), group))
    return found


def entry_points(group: str) -> list[EntryPointLike]:
    """The group's entry points, in ``importlib.metadata.entry_points(group=group)``'s order."""
    folders = _distributions(sys.path)
    if folders is None:
        from importlib.metadata import entry_points as scan

        return list(scan(group=group))
    return [ep for folder in folders for ep in _read(folder, group)]
