"""Helpers of the explorer that need no widgets: discovered places, help lines, secret redaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.screen import Screen

from isptui.backends.registry import CatalogueEntry
from isptui.ui.places import Place

if TYPE_CHECKING:
    from isptui.model import EntryPoint

MAX_KNOWN = 10_000
NOISE = {"Page Left", "Page Right", "Copy selected text", "Focus Previous", "Focus Next"}
"""Textual's generic bindings that would crowd the help of an 80x24 screen; tab is told in the note."""


class KnownPlaces:
    """Everything discovered so far (entry points, records, links), for ``:`` go-to; newest kept."""

    def __init__(self) -> None:
        self._places: dict[str, Place] = {}

    def add(self, place: Place) -> None:
        """Remember ``place`` (again, as the newest); a group already known for it is kept."""
        old = self._places.pop(place.key, None)
        if old is not None and old.group and not place.group:
            place = replace(place, group=old.group)
        self._places[place.key] = place
        if len(self._places) > MAX_KNOWN:
            del self._places[next(iter(self._places))]

    def retain_collections(self, keys: set[str]) -> None:
        """Forget collections not among ``keys`` (declared before connecting, not found by discovery)."""
        for key in [k for k, p in self._places.items() if p.kind == "collection" and k not in keys]:
            del self._places[key]

    def all(self) -> list[Place]:
        """Collections first, then the most recently discovered records and links."""
        collections = [p for p in self._places.values() if p.kind == "collection"]
        others = [p for p in reversed(self._places.values()) if p.kind != "collection"]
        return collections + others

    def __len__(self) -> int:
        return len(self._places)


def record_place(entries: Iterable[EntryPoint | CatalogueEntry], text: str) -> Place | None:
    """``customers 42`` or ``customers/42`` → the record place, when ``customers`` names an entry point.

    Before the connection is made the entries are the declared catalogue (the key is the collection)."""
    text = text.strip().lstrip(":").strip()
    entries = list(entries)
    if any(text.casefold() in (e.key.casefold(), e.title.casefold()) for e in entries):
        return None  # a collection's own name, even one with spaces ("Abonents (subscribers)")
    words = text.split()
    if len(words) == 2:
        name, record_id = words
    elif len(words) == 1 and "/" in text:
        name, _, record_id = text.rpartition("/")
    else:
        return None
    for entry in entries:
        collection = entry.key if isinstance(entry, CatalogueEntry) else entry.ref.collection
        if name.casefold() in (entry.key.casefold(), entry.title.casefold()) and collection:
            from isptui.model import ResourceRef  # pydantic, once the user asks for a record (issue 15)

            return Place("record", f"{record_id}", ref=ResourceRef(collection=collection, id=record_id),
                         parent=entry.title)
    return None


def help_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """(keys, description) of every binding active where the focus is; keys doing the same thing share a line."""
    keys: dict[str, list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system or binding.description in NOISE:
            continue
        shown = screen.app.get_key_display(binding.__class__(key, binding.action)) or key
        keys.setdefault(binding.description, [])
        if shown not in keys[binding.description]:
            keys[binding.description].append(shown)
    return [(" ".join(found), description) for description, found in keys.items()]
