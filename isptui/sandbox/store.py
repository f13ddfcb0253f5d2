"""A collection that is generated on demand and remembers writes for the life of the process.

Base records 1..N come from a generator (number -> dict); updates, deletions and creations are kept in an
overlay. Paging maps an offset to an id with a bisect over the (usually tiny) sorted list of deleted base
ids, so any page of a 100,000-record collection costs only its own rows.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Iterator
from typing import Any

Row = dict[str, Any]


class Collection:
    """Records keyed by integer id: base ids 1..base_count generated, later ids created."""

    def __init__(self, base_count: int, generate: Callable[[int], Row]) -> None:
        self.base_count = base_count
        self._generate = generate
        self._updated: dict[int, Row] = {}
        self._deleted: list[int] = []  # sorted base ids that were deleted
        self._created: dict[int, Row] = {}  # insertion order == id order
        self._next_id = base_count + 1

    # -- reading --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self.base_count - len(self._deleted) + len(self._created)

    def __contains__(self, record_id: object) -> bool:
        """Whether the record is there, without making it (a count over 100,000 generated rows made each)."""
        try:
            rid = int(record_id)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return False
        return rid in self._updated or rid in self._created or (
            1 <= rid <= self.base_count and not self._is_deleted(rid))

    def get(self, record_id: int | str) -> Row | None:
        """A deep copy of the record, or None. String ids are accepted as the APIs send them."""
        try:
            rid = int(record_id)
        except (TypeError, ValueError):
            return None
        if rid in self._updated:
            return copy.deepcopy(self._updated[rid])
        if rid in self._created:
            return copy.deepcopy(self._created[rid])
        if 1 <= rid <= self.base_count and not self._is_deleted(rid):
            return self._generate(rid)
        return None

    def _is_deleted(self, rid: int) -> bool:
        i = bisect.bisect_left(self._deleted, rid)
        return i < len(self._deleted) and self._deleted[i] == rid

    def _base_id_at(self, index: int) -> int:
        """The id of the index-th surviving base record (0-based), skipping deleted ones."""
        rid = index + 1
        # Each deleted id at or below the candidate pushes it one further; converges in len(deleted) steps.
        while True:
            shift = bisect.bisect_right(self._deleted, rid)
            candidate = index + 1 + shift
            if candidate == rid:
                return rid
            rid = candidate

    def ids(self, offset: int = 0, limit: int | None = None) -> list[int]:
        """Ids in order for one page, without touching the rest of the collection."""
        total = len(self)
        end = total if limit is None else min(total, offset + max(limit, 0))
        out: list[int] = []
        base_alive = self.base_count - len(self._deleted)
        created_ids = list(self._created) if end > base_alive else []
        for index in range(max(offset, 0), end):
            if index < base_alive:
                out.append(self._base_id_at(index))
            else:
                out.append(created_ids[index - base_alive])
        return out

    def page(self, offset: int = 0, limit: int | None = None) -> list[Row]:
        return [row for rid in self.ids(offset, limit) if (row := self.get(rid)) is not None]

    def scan(self) -> Iterator[Row]:
        """Every record in order; for filters, which must look at all rows anyway."""
        for rid in self.ids():
            row = self.get(rid)
            if row is not None:
                yield row

    # -- writing --------------------------------------------------------------------------------
    def allocate_id(self) -> int:
        rid = self._next_id
        self._next_id += 1
        return rid

    def create(self, row: Row, record_id: int | None = None) -> Row:
        rid = record_id if record_id is not None else self.allocate_id()
        self._next_id = max(self._next_id, rid + 1)
        self._created[rid] = copy.deepcopy(row)
        return copy.deepcopy(row)

    def put(self, record_id: int | str, row: Row) -> Row:
        rid = int(record_id)
        if rid in self._created:
            self._created[rid] = copy.deepcopy(row)
        else:
            self._updated[rid] = copy.deepcopy(row)
        return copy.deepcopy(row)

    def delete(self, record_id: int | str) -> Row | None:
        rid = int(record_id)
        row = self.get(rid)
        if row is None:
            return None
        if rid in self._created:
            del self._created[rid]
        else:
            self._updated.pop(rid, None)
            bisect.insort(self._deleted, rid)
        return row
