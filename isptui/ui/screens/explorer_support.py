"""Helpers of the explorer that need no widgets: discovered places, help lines, secret redaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.screen import Screen

from isptui.model import EntryPoint, ResourceRef
from isptui.ui.places import Place

MAX_KNOWN = 10_000
REDACTED = "***"
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

    def all(self) -> list[Place]:
        """Collections first, then the most recently discovered records and links."""
        collections = [p for p in self._places.values() if p.kind == "collection"]
        others = [p for p in reversed(self._places.values()) if p.kind != "collection"]
        return collections + others

    def __len__(self) -> int:
        return len(self._places)


def record_place(entries: Iterable[EntryPoint], text: str) -> Place | None:
    """``customers 42`` or ``customers/42`` → the record place, when ``customers`` names an entry point."""
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
        if name.casefold() in (entry.key.casefold(), entry.title.casefold()) and entry.ref.collection:
            return Place("record", f"{record_id}", ref=ResourceRef(collection=entry.ref.collection, id=record_id),
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


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret value replaced, longest first (a secret may contain another)."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
