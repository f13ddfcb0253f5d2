"""List queries: filters, `search`, `sort`, `online`, and the `attrs`/`joins` shaping of each row.

Unfiltered pages, filters on unique keys, a CPE's POTS and Oratio's open sessions are answered without
touching the rest of the collection; other filters and sorts scan, as a database without an index would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from isptui.sandbox.krill import records as rec
from isptui.sandbox.krill.drf import Listing, Row, RowsListing
from isptui.sandbox.krill.state import KrillState, Resource, cooperative
from isptui.sandbox.store import Collection

FK_FILTERS = {"customer", "cpe"}
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


class FilterError(Exception):
    """A filter value django-filter would refuse; ``args[0]`` is the DRF error body."""


class IdListing:
    """A collection in id order (or reversed), O(page) whatever its size."""

    def __init__(self, collection: Collection, reverse: bool = False) -> None:
        self._collection = collection
        self._reverse = reverse

    def count(self) -> int:
        return len(self._collection)

    def rows(self, offset: int, limit: int) -> list[Row]:
        if not self._reverse:
            return self._collection.page(offset, limit)
        total = len(self._collection)
        start = max(0, total - offset - limit)
        return list(reversed(self._collection.page(start, max(0, total - offset - start))))


class OnlineListing:
    """Oratio's open sessions in id order, computed from the closed form of which subscribers are online."""

    def __init__(self, collection: Collection, customers: int, reverse: bool = False) -> None:
        self._collection = collection
        self._total = rec.online_count(customers)
        self._reverse = reverse

    def count(self) -> int:
        return self._total

    def rows(self, offset: int, limit: int) -> list[Row]:
        indexes = range(offset, min(self._total, offset + limit))
        if self._reverse:
            indexes = range(self._total - 1 - offset, max(-1, self._total - 1 - offset - limit), -1)
        return [row for i in indexes if (row := self._collection.get(rec.online_number(i))) is not None]


def _sort_keys(text: str) -> list[tuple[str, bool]]:
    return [(part.lstrip("-"), part.startswith("-")) for part in text.split(",") if part.strip("- ")]


def _sort(rows: list[Row], keys: list[tuple[str, bool]]) -> list[Row]:
    """Stable multi-key sort; nulls last ascending and first descending, as PostgreSQL orders them."""
    for name, descending in reversed(keys):
        rows.sort(key=lambda r, n=name: (r.get(n) is None, r.get(n) if r.get(n) is not None else 0),
                  reverse=descending)
    return rows


def _matcher(resource: Resource, active: dict[str, str], search: list[str]) -> Callable[[Row], bool]:
    def match(row: Row) -> bool:
        for key, wanted in active.items():
            value = row.get(key)
            text = str(value).lower() if isinstance(value, bool) else "" if value is None else str(value)
            if text != wanted:
                return False
        return all(any(term in str(row.get(f) or "").casefold() for f in resource.search) for term in search)

    return match


async def listing_for(state: KrillState, resource: Resource, request: Request) -> Listing:
    """The rows a list request selects, in order; raises FilterError for values DRF would reject."""
    params = request.query_params
    active = {k: params[k] for k in resource.filters if params.get(k, "") != ""}
    for key in FK_FILTERS & active.keys():
        if not active[key].isdigit():
            raise FilterError({key: ["Select a valid choice. That choice is not one of the available choices."]})
    # SearchFilter: terms split on spaces and commas; every term must appear in some search field.
    search = [t.casefold() for t in re.split(r"[\s,]+", params.get("search", "")) if t] if resource.search else []
    keys = _sort_keys(params.get("sort", ""))
    online = params.get("online", "").lower() if resource.name == "accounting" else ""
    natural = not keys or (len(keys) == 1 and keys[0][0] in (resource.id_key, *resource.natural))
    reverse = bool(keys) and keys[0][1]
    if not active and not search and natural and online not in _TRUE | _FALSE:
        return IdListing(resource.collection, reverse)
    if online in _TRUE and not active and not search and natural:
        return OnlineListing(resource.collection, state.dataset.customers, reverse)
    match = _matcher(resource, active, search)
    for key, index in resource.indexes.items():
        if key in active:
            await index.prepare()
    candidates = _candidates(state, resource, active)
    source = (
        (row for i in candidates if (row := resource.collection.get(i)) is not None)
        if candidates is not None
        else resource.collection.scan()
    )
    rows = await cooperative(r for row in source if match(r := resource.render(row)) and _online_ok(r, online))
    return RowsListing(_sort(rows, keys) if keys else rows)


def _online_ok(row: Row, online: str) -> bool:
    if online in _TRUE:
        return row.get("acctstoptime") is None
    if online in _FALSE:
        return row.get("acctstoptime") is not None
    return True


def _candidates(state: KrillState, resource: Resource, active: dict[str, str]) -> list[int] | None:
    """Ids that can possibly match, when an index or the dataset's structure narrows them; None = scan."""
    for key, index in resource.indexes.items():
        if key in active:
            owner = index.owner(active[key])
            return [] if owner is None else [owner]
    if resource.name == "potses" and "cpe" in active:
        return state.pots_ids(int(active["cpe"]))
    if resource.name == "cpes" and "customer" in active:
        cid = int(active["customer"])
        return sorted(({cid} if cid <= resource.collection.base_count else set()) | state.cpe_touched)
    return None


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: value[k] for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def shaper(resource: Resource, request: Request) -> Callable[[Row], Row]:
    """Applies `attrs` (keep only these keys) and `joins` (embed related objects) to each row (A.7).

    Unknown (docs/krill.md §2.4): what Krill does with unknown attrs or joins; they are ignored, as
    unknown query parameters are in DRF.
    """
    attrs = {a for a in request.query_params.get("attrs", "").split(",") if a}
    joins = [j for j in request.query_params.get("joins", "").split(",") if j in resource.joins]

    def shape(row: Row) -> Row:
        full = resource.render(row)
        out = {k: full[k] for k in sorted(full) if not attrs or k in attrs}
        for name in joins:
            out[name] = _sorted(resource.joins[name](full))
        return out

    return shape
