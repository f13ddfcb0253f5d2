"""Splynx search: ``main_attributes`` / ``additional_attributes`` conditions and ``order`` (docs/splynx.md §1.5).

Comparisons follow MySQL with a case-insensitive collation, since the real server turns these into SQL:
``'1' = 1`` holds, ``'abc' = 'ABC'`` holds, and NULL matches nothing except ``IS __EXPRESSION_NULL__``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from isptui.sandbox.splynx.wire import Nested, SplynxError

NULL = "__EXPRESSION_NULL__"
OPERATORS = frozenset({"=", "!=", ">=", "<=", ">", "<", "<>", "IS", "REGEXP", "BETWEEN", "LIKE", "IN", "FIND_IN_SET"})
Row = dict[str, Any]


@dataclass(frozen=True)
class Condition:
    """One parsed condition: ``field OP operand`` on the main record or its additional attributes."""

    field: str
    op: str
    operand: Any
    additional: bool = False

    def matches(self, row: Row) -> bool:
        source = (row.get("additional_attributes") or {}) if self.additional else row
        return _test(source.get(self.field), self.op, self.operand)


def _bad(message: str) -> SplynxError:
    return SplynxError("BAD_REQUEST", message, 400)


def _listify(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: int(k) if k.isdigit() else 0)]
    # A plain `IN` value: accept "a,b" too, as hand-written URLs do (the PHP form is `[1][0]=a&[1][1]=b`).
    return [v for v in str(value).split(",")]


def parse_conditions(query: Nested, allowed: Collection[str], additional: Collection[str]) -> list[Condition]:
    """Read ``main_attributes[...]`` and ``additional_attributes[...]`` from a parsed query.

    Unknown (docs/splynx.md §1.5): what the server does with an unknown field or operator is not documented;
    a 400 BAD_REQUEST naming it is chosen rather than silently ignoring the filter.
    """
    out: list[Condition] = []
    for group, names, is_af in (("main_attributes", allowed, False), ("additional_attributes", additional, True)):
        spec = query.get(group)
        if spec is None:
            continue
        if not isinstance(spec, dict):
            raise _bad(f"{group} must be an array")
        for field, value in spec.items():
            if field not in names:
                raise _bad(f"Unknown attribute '{field}' in {group}")
            out.append(_condition(field, value, is_af))
    return out


def _condition(field: str, value: Any, is_af: bool) -> Condition:
    if not isinstance(value, dict):
        return Condition(field, "=", value, is_af)
    op = str(value.get("0", "")).upper()
    if op not in OPERATORS:
        raise _bad(f"Unknown operator '{value.get('0', '')}' for '{field}'")
    if "1" not in value:
        raise _bad(f"Operator {op} for '{field}' needs a value")
    operand: Any = value["1"]
    if op == "BETWEEN":
        if "2" not in value or isinstance(operand, dict):
            raise _bad(f"BETWEEN for '{field}' needs two values: [1] and [2]")
        operand = (operand, value["2"])
    elif op == "IN":
        operand = _listify(operand)
    elif isinstance(operand, dict):
        raise _bad(f"Operator {op} for '{field}' takes a single value")
    elif op == "REGEXP":
        try:
            operand = re.compile(str(operand), re.IGNORECASE)
        except re.error as exc:
            raise _bad(f"Invalid REGEXP for '{field}': {exc}") from None
    elif op == "LIKE":
        operand = _like(str(operand))
    return Condition(field, op, operand, is_af)


def _like(pattern: str) -> re.Pattern[str]:
    """MySQL LIKE, case-insensitive.

    Unknown (docs/splynx.md §1.5): the blueprint's `['LIKE', 'durden']` has no wildcard; Yii2's `like`
    condition wraps the value in %...%, so a pattern without % or _ is a substring match here, while one
    with wildcards is taken as written SQL.
    """
    if "%" not in pattern and "_" not in pattern:
        return re.compile(re.escape(pattern), re.IGNORECASE)
    body = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(left: Any, right: Any) -> int:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    x, y = _scalar(left).casefold(), _scalar(right).casefold()
    return (x > y) - (x < y)


def _test(value: Any, op: str, operand: Any) -> bool:
    if operand == NULL and op in {"IS", "="}:
        return value is None
    if operand == NULL and op in {"!=", "<>"}:
        return value is not None
    if value is None:
        return False  # SQL: NULL compared with anything is not true
    if op == "FIND_IN_SET":
        items = value if isinstance(value, list) else str(value).split(",")
        return _scalar(operand).casefold() in {_scalar(i).casefold() for i in items}
    if isinstance(value, (list, dict)):
        return False
    if op in {"=", "IS"}:
        return _compare(value, operand) == 0
    if op in {"!=", "<>"}:
        return _compare(value, operand) != 0
    if op == ">":
        return _compare(value, operand) > 0
    if op == ">=":
        return _compare(value, operand) >= 0
    if op == "<":
        return _compare(value, operand) < 0
    if op == "<=":
        return _compare(value, operand) <= 0
    if op == "BETWEEN":
        return _compare(value, operand[0]) >= 0 and _compare(value, operand[1]) <= 0
    if op == "IN":
        return any(_compare(value, o) == 0 for o in operand)
    if op in {"LIKE", "REGEXP"}:
        return operand.search(_scalar(value)) is not None
    return False


def parse_order(query: Nested, allowed: Collection[str]) -> list[tuple[str, bool]]:
    """``order[field]=ASC|DESC`` pairs in the order given; True means descending."""
    spec = query.get("order")
    if spec is None:
        return []
    if not isinstance(spec, dict):
        raise _bad("order must be an array: order[field]=ASC|DESC")
    out: list[tuple[str, bool]] = []
    for field, direction in spec.items():
        if field not in allowed:
            raise _bad(f"Unknown attribute '{field}' in order")
        word = str(direction).upper()
        if word not in {"ASC", "DESC"}:
            raise _bad(f"Order direction for '{field}' must be ASC or DESC")
        out.append((field, word == "DESC"))
    return out


def _sort_key(field: str) -> Callable[[Row], tuple[int, float, str]]:
    def key(row: Row) -> tuple[int, float, str]:
        value = row.get(field)
        if value is None:
            return (0, 0.0, "")  # MySQL sorts NULL first ascending
        number = _number(value)
        if number is not None:
            return (1, number, "")
        return (2, 0.0, _scalar(value).casefold())

    return key


def apply(rows: Iterable[Row], conditions: list[Condition], order: list[tuple[str, bool]]) -> list[Row]:
    """Filter then sort (stable, last key first so the first key wins)."""
    kept = [r for r in rows if all(c.matches(r) for c in conditions)]
    for field, desc in reversed(order):
        kept.sort(key=_sort_key(field), reverse=desc)
    return kept
