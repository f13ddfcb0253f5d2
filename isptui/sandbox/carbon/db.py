"""Storage and Django-style lookups for the Carbon emulator.

A filter is compiled once into ``Condition``s (so an unknown field fails even on an empty table), then
evaluated only on candidate rows: lookups on a model's identity attnames (``pk``, ``abonent__pk``) and
unique key hints narrow the base pks to a window, so paging by pk never touches the other rows. Filters
on any other field scan the model (slow on 100,000 rows, as on a real server without an index).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from isptui.sandbox.carbon.schema import DJANGO_TYPES, MODELS, Field, ModelDef, Row
from isptui.sandbox.dataset import Dataset
from isptui.sandbox.store import Collection

LOOKUPS = ("exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith",
           "iendswith", "gt", "gte", "lt", "lte", "in", "range", "isnull")
_INT = re.compile(r"\s*-?\d+\s*")


class CarbonError(Exception):
    """An error the API reports in the ``error`` field of its envelope (Python/Django-style text)."""


# Quirk null-sort-values: the sortable (nullable) fields an abonent may lack, null on every third one.
NULL_SORT_FIELDS = ("contract_number", "comment", "create_date")
MAIN_MODEL = "Abonents"
"""The model the quirks pk-zero and null-sort-values change (the subscribers, as customers elsewhere)."""


class ModelStore:
    """One model's rows: a generated ``Collection`` plus the set of pks any write has touched."""

    def __init__(self, model: ModelDef, dataset: Dataset, *, null_values: bool = False) -> None:
        self.model = model
        generate: Callable[[int], Row] = lambda n: model.generate(dataset, n)  # noqa: E731
        if null_values:
            def generate(n: int) -> Row:
                row = model.generate(dataset, n)
                return {**row, **dict.fromkeys(NULL_SORT_FIELDS, None)} if n % 3 == 0 else row
        self.rows = Collection(model.base_count(dataset), generate)
        self.touched: set[int] = set()

    def get(self, pk: Any) -> Row | None:
        """A copy of row ``pk`` (int or numeric string), or None."""
        return None if pk is None else self.rows.get(pk)

    def save(self, row: Row) -> Row:
        """Store ``row``; a row without an id is created and gets the next pk."""
        pk = row.get("id")
        if pk is None:
            row["id"] = pk = self.rows.allocate_id()
            self.rows.create(row, pk)
        else:
            self.rows.put(pk, row)
        self.touched.add(pk)
        return row

    def delete(self, pk: int) -> None:
        """Remove row ``pk`` for the life of the process."""
        self.rows.delete(pk)
        self.touched.add(pk)


class Database:
    """All model stores of one sandbox, and how ids look on the wire (quirks pk-zero, string-ids).

    Quirk pk-zero: abonent 1 is stored as 1 but served as pk 0 (an auto-increment that started at 0), and
    pk 1 is nobody; every reference to an abonent (``abonent_id``, ``account_id_abonents``) follows. Rows
    keep their stored ids; only what goes out (``wire_id``) and what comes in (``stored_id``,
    ``stored_bound``) is translated. Quirk string-ids: every pk and reference goes out as a JSON string.
    """

    def __init__(self, dataset: Dataset, quirks: frozenset[str] = frozenset()) -> None:
        self.pk_zero = "pk-zero" in quirks
        self.string_ids = "string-ids" in quirks
        nulls = "null-sort-values" in quirks
        self.stores = {name: ModelStore(model, dataset, null_values=nulls and name == MAIN_MODEL)
                       for name, model in MODELS.items()}

    def store(self, model: str) -> ModelStore:
        """The store of the model named ``model``."""
        return self.stores[model]

    def wire_id(self, model: str | None, value: Any) -> Any:
        """A stored pk of ``model`` as the server sends it."""
        if value is None or model is None:
            return value
        if self.pk_zero and model == MAIN_MODEL and value == 1:
            value = 0
        return str(value) if self.string_ids else value

    def stored_id(self, model: str | None, value: Any) -> Any:
        """A pk of ``model`` as a client sent it, as stored (pk-zero: 0 is abonent 1, 1 is nobody)."""
        if not self.pk_zero or model != MAIN_MODEL or isinstance(value, bool):
            return value
        number = value if isinstance(value, int) else int(value) if isinstance(value, str) and _INT.fullmatch(value) \
            else None
        return value if number is None else {0: 1, 1: -1}.get(number, number)

    def stored_bound(self, model: str | None, value: int) -> int:
        """The stored pk ``s`` such that a wire pk is >= ``value`` exactly when its stored pk is >= ``s``."""
        if not self.pk_zero or model != MAIN_MODEL:
            return value
        return {0: 1, 1: 2}.get(value, value)


def coerce(f: Field, value: Any) -> Any:
    """A filter or save value converted to the field's type; Django's error text when it cannot be."""
    if value is None:
        return None
    kind = "int" if f.kind in ("auto", "fk") else f.kind
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT.fullmatch(value):
            return int(value)
        raise CarbonError(f"Field '{f.name}' expected a number but got {value!r}.")
    if kind == "decimal":
        try:
            if isinstance(value, bool):
                raise ValueError
            return round(float(value), 2)
        except (TypeError, ValueError):
            raise CarbonError(f"'{value}' value must be a decimal number.") from None
    if kind in ("date", "datetime"):
        return _when(f, value)
    if isinstance(value, dict | list):
        raise CarbonError(f"Field '{f.name}' expected a string but got {value!r}.")
    return str(value)


def _when(f: Field, value: Any) -> str:
    text = str(value).strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
        return moment.strftime("%Y-%m-%d" if f.kind == "date" else "%Y-%m-%d %H:%M:%S")
    shape = "YYYY-MM-DD" if f.kind == "date" else "YYYY-MM-DD HH:MM[:ss]"
    raise CarbonError(f"'{value}' value has an invalid format. It must be in {shape} format.")


def _test(lookup: str, have: Any, want: Any) -> bool:
    if lookup == "isnull":
        return (have is None) == bool(want)
    if lookup == "in":
        return have in want
    if have is None or want is None:
        return have is None and want is None and lookup == "exact"
    if lookup == "exact":
        return bool(have == want)
    if lookup == "range":
        return bool(want[0] <= have <= want[1])
    if lookup in ("gt", "gte", "lt", "lte"):
        return bool({"gt": have > want, "gte": have >= want, "lt": have < want, "lte": have <= want}[lookup])
    h, w = str(have), str(want)
    if lookup.startswith("i"):
        h, w = h.casefold(), w.casefold()
        lookup = lookup[1:]
    return {"exact": h == w, "contains": w in h, "startswith": h.startswith(w), "endswith": h.endswith(w)}[lookup]


@dataclass
class Condition:
    """One compiled ``key=value`` lookup of a filter."""

    getter: Callable[[Row], Any]
    lookup: str
    value: Any
    local: str | None  # attname on the filtered model when the path did not traverse a relation

    def test(self, row: Row) -> bool:
        """Whether ``row`` satisfies this lookup."""
        return _test(self.lookup, self.getter(row), self.value)


def compile_lookup(db: Database, model: ModelDef, key: str, value: Any, *, wire: bool = True) -> Condition:
    """``tarif__name__icontains`` → a Condition, or the FieldError Django would raise. ``wire``: pks in
    ``value`` are as a client sent them (quirk pk-zero maps them to stored ones); False for stored pks."""
    parts = key.split("__")
    lookup = parts.pop() if len(parts) > 1 and parts[-1] in LOOKUPS else "exact"
    steps: list[Field] = []
    owners: list[ModelDef] = []
    current = model
    for i, part in enumerate(parts):
        f = current.field("id" if part == "pk" else part)
        if f is None:
            raise CarbonError(f"Cannot resolve keyword '{part}' into field. Choices are: {current.choices_text()}")
        steps.append(f)
        owners.append(current)
        last = i == len(parts) - 1
        if not last and f.kind != "fk":
            raise CarbonError(f"Unsupported lookup '{parts[i + 1]}' for {DJANGO_TYPES[f.kind]} or join on the field not permitted.")
        if not last:
            assert f.target is not None
            current = MODELS[f.target]
    # ``abonent__pk`` needs no join: the FK's attname already holds the pk.
    if len(steps) >= 2 and steps[-1].name == "id" and steps[-2].kind == "fk":
        steps.pop()
        owners.pop()
    final = steps[-1]
    value = _coerce_value(final, lookup, value)
    refers = owners[-1].name if final.kind == "auto" else final.target
    if wire:
        lookup, value = _stored(db, refers, lookup, value)
    getter = _getter(db, model, steps)
    local = steps[0].attname if len(steps) == 1 and not steps[0].computed else None
    if value is None and lookup == "exact":
        lookup, value = "isnull", True
    return Condition(getter, lookup, value, local)


def _stored(db: Database, refers: str | None, lookup: str, value: Any) -> tuple[str, Any]:
    """A lookup on a pk (or a reference to one) of ``refers`` with the wire's pks turned into stored ones;
    ``gt``/``lte`` become ``gte``/``lt`` of the next pk, so one bound mapping serves every comparison."""
    if not db.pk_zero or refers is None or value is None:
        return lookup, value
    if lookup in ("exact", "in"):
        mapped = [db.stored_id(refers, v) for v in (value if lookup == "in" else [value])]
        return lookup, mapped if lookup == "in" else mapped[0]
    if not all(isinstance(v, int) for v in (value if lookup == "range" else [value])):
        return lookup, value
    match lookup:
        case "gte" | "lt":
            return lookup, db.stored_bound(refers, value)
        case "gt":
            return "gte", db.stored_bound(refers, value + 1)
        case "lte":
            return "lt", db.stored_bound(refers, value + 1)
        case "range":
            return lookup, [db.stored_bound(refers, value[0]), db.stored_bound(refers, value[1] + 1) - 1]
    return lookup, value


def _coerce_value(f: Field, lookup: str, value: Any) -> Any:
    if lookup == "isnull":
        return bool(value)
    if lookup in ("in", "range"):
        if not isinstance(value, list | tuple) or (lookup == "range" and len(value) != 2):
            raise CarbonError(f"'{lookup}' lookup on '{f.name}' needs a list" + (" of two values." if lookup == "range" else "."))
        return [coerce(f, v) for v in value]
    if lookup in ("contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "iexact"):
        return str(value)
    return coerce(f, value)


def _getter(db: Database, model: ModelDef, steps: list[Field]) -> Callable[[Row], Any]:
    def get(row: Row) -> Any:
        current: Row | None = row
        for f in steps[:-1]:
            assert current is not None and f.target is not None
            current = db.store(f.target).get(current.get(f.attname))
            if current is None:
                return None
        last = steps[-1]
        return last.computed(db, current) if last.computed else current.get(last.attname)

    return get


@dataclass
class QuerySet:
    """A lazy Django-style queryset: AND-ed filter groups, exclude groups and an ordering."""

    model: ModelDef
    filters: list[list[Condition]] = field(default_factory=list)
    excludes: list[list[Condition]] = field(default_factory=list)
    ordering: tuple[str, ...] = ()

    def narrowed(self, db: Database) -> Iterable[int]:
        """Base pks that can match, from identity lookups and key hints; all base pks otherwise."""
        base = db.store(self.model.name).rows.base_count
        lo, hi = 1, base  # inclusive window
        picked: set[int] | None = None
        for cond in (c for group in self.filters for c in group):
            if cond.local in self.model.identity:
                lo, hi, picked = _window(cond, lo, hi, picked)
            elif cond.local in self.model.key_hints and cond.lookup in ("exact", "in"):
                hint = self.model.key_hints[cond.local]
                values = cond.value if cond.lookup == "in" else [cond.value]
                found = {pk for v in values if (pk := hint(v)) is not None}
                picked = found if picked is None else picked & found
        if picked is not None:
            return sorted(pk for pk in picked if lo <= pk <= hi)
        return range(lo, hi + 1)

    def rows(self, db: Database) -> Iterator[Row]:
        """Matching rows in pk order (or ``ordering``), touching only candidate rows."""
        store = db.store(self.model.name)
        candidates = self.narrowed(db)
        if store.touched:
            candidates = sorted(set(candidates) | store.touched)
        matched = (row for pk in candidates if (row := store.get(pk)) is not None and self._matches(row))
        if not self.ordering:
            yield from matched
            return
        rows = list(matched)
        for key in reversed(self.ordering):
            name = key.lstrip("-")
            cond = compile_lookup(db, self.model, name, None)
            # None sorts first, like NULLS FIRST on ascending order.
            rows.sort(key=lambda r, g=cond.getter: (g(r) is not None, g(r)), reverse=key.startswith("-"))
        yield from rows

    def count(self, db: Database) -> int:
        """``len(rows(db))``, without making a row when only pks are asked about: a database counts an
        index, and counting 100,000 generated abonents made each of them (4.8 s before a first page)."""
        conditions = [c for group in (*self.filters, *self.excludes) for c in group]
        if any(c.local != "id" for c in conditions):
            return sum(1 for _ in self.rows(db))
        store = db.store(self.model.name)
        if not conditions:
            return len(store.rows)
        candidates = set(self.narrowed(db)) | store.touched
        return sum(1 for pk in candidates if pk in store.rows and self._matches({"id": pk}))

    def _matches(self, row: Row) -> bool:
        return all(all(c.test(row) for c in group) for group in self.filters) and not any(
            all(c.test(row) for c in group) for group in self.excludes
        )


def _window(cond: Condition, lo: int, hi: int, picked: set[int] | None) -> tuple[int, int, set[int] | None]:
    v = cond.value
    match cond.lookup:
        case "exact":
            lo, hi = max(lo, v), min(hi, v)
        case "gte":
            lo = max(lo, v)
        case "gt":
            lo = max(lo, v + 1)
        case "lte":
            hi = min(hi, v)
        case "lt":
            hi = min(hi, v - 1)
        case "range":
            lo, hi = max(lo, v[0]), min(hi, v[1])
        case "in":
            picked = set(v) if picked is None else picked & set(v)
        case "isnull" if v:
            hi = lo - 1  # untouched base rows always have their identity value
    return lo, hi, picked
