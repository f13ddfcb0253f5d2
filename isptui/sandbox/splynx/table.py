"""A store.Collection addressed by the record ids Splynx shows, with a cheap per-customer lookup.

Most collections use ids 1..N directly. Invoices keep the dataset's ids (``N*10 + k``), so the table maps
between those and the Collection's dense keys; records created later get ids above every dataset id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from isptui.sandbox.store import Collection

Row = dict[str, Any]


class Table:
    """Records of one Splynx entity; writes persist in the Collection's overlay."""

    def __init__(
        self,
        base_count: int,
        generate: Callable[[int], Row],
        *,
        id_of_key: Callable[[int], int] | None = None,
        key_of_id: Callable[[int], int | None] | None = None,
        created_from: int | None = None,
        keys_of_customer: Callable[[int], Iterable[int]] | None = None,
    ) -> None:
        self._base = base_count
        self._id_of_key = id_of_key or (lambda key: key)
        self._key_of_id = key_of_id or (lambda rid: rid)
        self._created_from = created_from if created_from is not None else base_count + 1
        self._keys_of_customer = keys_of_customer
        self._touched: set[int] = set()  # keys written through the API, for per-customer lookups
        self._rows = Collection(base_count, self._generate_with_id(generate))

    def _generate_with_id(self, generate: Callable[[int], Row]) -> Callable[[int], Row]:
        def make(key: int) -> Row:
            row = generate(key)
            row["id"] = self._id_of_key(key)
            return row

        return make

    # -- id mapping -------------------------------------------------------------------------------
    def _record_id(self, key: int) -> int:
        return self._id_of_key(key) if key <= self._base else self._created_from + key - self._base - 1

    def _key(self, record_id: int | str) -> int | None:
        try:
            rid = int(record_id)
        except (TypeError, ValueError):
            return None
        if rid >= self._created_from:
            return self._base + 1 + rid - self._created_from
        if rid < 0:
            return None
        key = self._key_of_id(rid)  # 0 maps to no key unless the table's mapping says so (quirk pk-zero)
        return key if key is not None and 1 <= key <= self._base else None

    # -- reading ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._rows)

    def get(self, record_id: int | str) -> Row | None:
        key = self._key(record_id)
        return None if key is None else self._rows.get(key)

    def page(self, offset: int, limit: int | None, descending: bool = False) -> list[Row]:
        """One page in id order (or reverse), costing only its rows."""
        if not descending:
            return self._rows.page(offset, limit)
        total = len(self._rows)
        end = max(total - offset, 0)
        start = 0 if limit is None else max(end - limit, 0)
        return list(reversed(self._rows.page(start, end - start)))

    def scan(self) -> Iterator[Row]:
        return self._rows.scan()

    def of_customer(self, customer_id: int) -> list[Row]:
        """Rows whose customer_id is ``customer_id``: its dataset rows plus any written ones, not a scan."""
        if self._keys_of_customer is None:
            return [r for r in self.scan() if str(r.get("customer_id")) == str(customer_id)]
        keys = {k for k in self._keys_of_customer(customer_id) if 1 <= k <= self._base} | self._touched
        rows = [row for key in sorted(keys) if (row := self._rows.get(key)) is not None]
        return [r for r in rows if str(r.get("customer_id")) == str(customer_id)]

    def find(self, field: str, value: Any, hint_ids: Iterable[int] | None) -> list[Row]:
        """Rows whose ``field`` equals ``value``; with hints, only those ids and written rows are read."""
        if hint_ids is None:
            rows: Iterable[Row] = self.scan()
        else:
            keys = {k for rid in hint_ids if (k := self._key(rid)) is not None} | self._touched
            rows = [row for key in sorted(keys) if (row := self._rows.get(key)) is not None]
        wanted = str(value).casefold()
        return [r for r in rows if str(r.get(field, "")).casefold() == wanted]

    # -- writing ----------------------------------------------------------------------------------
    def create(self, row: Row) -> int:
        key = self._rows.allocate_id()
        record_id = self._record_id(key)
        self._rows.create({"id": record_id, **{k: v for k, v in row.items() if k != "id"}}, key)
        self._touched.add(key)
        return record_id

    def update(self, record_id: int | str, row: Row) -> None:
        key = self._key(record_id)
        if key is not None:
            self._rows.put(key, row)
            self._touched.add(key)

    def delete(self, record_id: int | str) -> bool:
        key = self._key(record_id)
        return key is not None and self._rows.delete(key) is not None
