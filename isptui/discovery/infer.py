"""A guessed Schema from sample records, for APIs that declare none (Trisul, Carbon, ISPCRM, Krill joins).

Every FieldSpec is ``inferred=True`` so the UI can say the form is a guess. The rules lean towards STRING
whenever the samples disagree or say little: a text box accepts any value, a wrongly guessed integer box
would refuse valid input. In particular digit strings stay STRING (``zip_code`` "01234", phone numbers);
strings with a decimal point such as Splynx money ``"7412.0000"`` are DECIMAL.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from isptui.discovery._common import describe, guarded, malformed, multiline_name, secret_name, usable_name
from isptui.model import FieldSpec, FieldType, Schema

MAX_INFER_DEPTH = 6
"""Objects nested deeper are reported as OBJECT/LIST without children: enough for a form, bounded work."""
MAX_LIST_SAMPLE = 20
_SERVER_KEYS = frozenset({"id", "pk"})  # assigned by the server, never typed in

_DECIMAL = re.compile(r"-?\d+\.\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?")
_ZERO_DATE, _ZERO_DATETIME = "0000-00-00", "0000-00-00 00:00:00"  # Splynx "no date" (docs/splynx.md §1.8)


def _string_kind(value: str) -> FieldType | None:
    if value == "":
        return None  # an empty string says as little about the type as null
    if len(value) > 40:
        return FieldType.STRING
    if value == _ZERO_DATE:
        return FieldType.DATE
    if value == _ZERO_DATETIME:
        return FieldType.DATETIME
    if _DECIMAL.fullmatch(value):
        return FieldType.DECIMAL
    try:
        if _DATE.fullmatch(value):
            date.fromisoformat(value)
            return FieldType.DATE
        if _DATETIME.fullmatch(value):
            datetime.fromisoformat(value)
            return FieldType.DATETIME
    except ValueError:
        pass
    return FieldType.STRING


def _kind(value: object) -> FieldType | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return FieldType.BOOLEAN
    if isinstance(value, int):
        return FieldType.INTEGER
    if isinstance(value, float):
        return FieldType.DECIMAL
    if isinstance(value, str):
        return _string_kind(value)
    if isinstance(value, dict):
        return FieldType.OBJECT
    if isinstance(value, list | tuple):
        return FieldType.LIST
    return FieldType.STRING


class _Shape:
    """What the samples said about one key: the kinds seen, and the shapes of nested keys or list items."""

    def __init__(self) -> None:
        self.kinds: set[FieldType] = set()
        self.children: dict[str, _Shape] = {}
        self.item: _Shape | None = None

    def add(self, value: Any, depth: int) -> None:
        kind = _kind(value)
        if kind is None:
            return
        self.kinds.add(kind)
        if depth >= MAX_INFER_DEPTH:
            return
        if kind is FieldType.OBJECT:
            _add_object(self.children, value, depth + 1)
        elif kind is FieldType.LIST:
            self.item = self.item or _Shape()
            for element in value[:MAX_LIST_SAMPLE]:
                self.item.add(element, depth + 1)

    def kind(self) -> FieldType:
        kinds = self.kinds
        if len(kinds) == 1:
            return next(iter(kinds))
        if kinds == {FieldType.INTEGER, FieldType.DECIMAL}:
            return FieldType.DECIMAL
        if kinds == {FieldType.DATE, FieldType.DATETIME}:
            return FieldType.DATETIME
        return FieldType.STRING  # nothing seen but nulls, or samples that disagree

    def spec(self, name: str) -> FieldSpec:
        kind = self.kind()
        children: tuple[FieldSpec, ...] = ()
        if kind is FieldType.OBJECT:
            children = tuple(shape.spec(key) for key, shape in self.children.items())
        elif kind is FieldType.LIST and self.item is not None and self.item.kinds:
            children = (self.item.spec("item"),)
        is_string = kind is FieldType.STRING
        return FieldSpec(name=name, type=kind, inferred=True, read_only=name in _SERVER_KEYS,
                         secret=is_string and secret_name(name), multiline=is_string and multiline_name(name),
                         children=children)


def _add_object(shapes: dict[str, _Shape], record: dict[Any, Any], depth: int) -> None:
    """Fold one object's keys into ``shapes``, first-seen order; ``_links``-style keys are skipped."""
    for key, value in record.items():
        name = usable_name(key)
        if name is None or name.startswith("_"):
            continue
        shape = shapes.get(name)
        if shape is None:
            shape = shapes[name] = _Shape()
        shape.add(value, depth)


@guarded("sample records")
def infer_schema(records: object, *, sample: int = 50) -> Schema:
    """A Schema guessed from the first ``sample`` records (objects; other items are ignored).

    Ints, decimals (numbers and decimal strings), booleans, ISO dates and datetimes (Splynx zero dates
    too), nested objects and lists; keys in first-seen order; nulls and empty strings do not vote.
    """
    if not isinstance(records, list | tuple):
        raise malformed("sample records", f"expected an array, got {describe(records)}")
    rows = [row for row in records[: max(1, int(sample))] if isinstance(row, dict)]
    shapes: dict[str, _Shape] = {}
    for row in rows:
        _add_object(shapes, row, 0)
    fields = tuple(shape.spec(name) for name, shape in shapes.items())
    noun = "record" if len(rows) == 1 else "records"
    return Schema(fields=fields, inferred=True, source=f"inferred from {len(rows)} {noun}")
