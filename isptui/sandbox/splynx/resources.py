"""One Splynx entity over HTTP: list with search and paging, HEAD count, OPTIONS, get, create, update, delete."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from isptui.sandbox.splynx import filters
from isptui.sandbox.splynx.schemas import Attr, check_value, coerce, validate
from isptui.sandbox.splynx.table import Table
from isptui.sandbox.splynx.wire import Nested, SplynxError, ValidationFailed, not_found

Row = dict[str, Any]
Problems = list[tuple[str, str]]
_EMPTY = {"integer": 0, "array": [], "boolean": "0", "date": "0000-00-00", "datetime": "0000-00-00 00:00:00"}


class AdditionalFields:
    """The additional-field definitions per module (`admin/config/additional-fields/{module}`)."""

    def __init__(self, seed: dict[str, dict[str, Row]]) -> None:
        self.modules = seed

    def of(self, module: str | None) -> dict[str, Row]:
        return self.modules.get(module, {}) if module else {}

    def options(self, module: str | None) -> list[Row]:
        """OPTIONS ``additional_attributes``: the base keys plus the AF keys of docs/splynx.md §1.4"""
        out = []
        for f in self.of(module).values():
            entry = {"name": f["name"], "title": f["title"], "type": f["type"], "required": bool(f["is_required"]),
                     "module": f["module"], "category": 0, "position": f["position"], "decimals": f["decimals"]}
            for flag in ("is_unique", "is_add", "show_in_list", "searchable", "readonly", "disabled", "hidden",
                         "set_default_value"):
                entry[flag] = bool(f[flag])
            if f["type"] in {"select", "select_multiple"}:
                entry["select_values"] = f["select_values"]
            out.append(entry)
        return out

    def render(self, module: str | None, stored: dict[str, Any] | None) -> dict[str, Any]:
        """Every current field of the module with its stored value, or its default when it has none."""
        stored = stored or {}
        return {
            name: stored.get(name, f["default_value"] if f["set_default_value"] else "")
            for name, f in self.of(module).items()
        }

    def validate(self, module: str | None, values: Any, *, creating: bool) -> tuple[dict[str, Any], Problems]:
        if values is None:
            values = {}
        if not isinstance(values, dict):
            return {}, [("additional_attributes", "Additional attributes must be an object.")]
        fields, clean, problems = self.of(module), {}, []
        for name, value in values.items():
            spec = fields.get(name)
            if spec is None:
                # Unknown: the server's answer to an undefined field is not documented; a 422 naming it helps.
                problems.append((f"additional_attributes.{name}", f"Unknown additional field '{name}'."))
                continue
            why = self._check(spec, value)
            if why:
                problems.append((f"additional_attributes.{name}", f"{spec['title']} {why}."))
            else:
                clean[name] = value if spec["type"] == "select_multiple" else coerce(_af_type(spec), value)
        if creating:
            for name, spec in fields.items():
                blank = str(clean.get(name, spec["default_value"] if spec["set_default_value"] else "")) == ""
                if spec["is_required"] and blank:
                    problems.append((f"additional_attributes.{name}", f"{spec['title']} cannot be blank."))
        return clean, problems

    @staticmethod
    def _check(spec: Row, value: Any) -> str | None:
        kind = spec["type"]
        if kind == "select":
            return None if value in ("", None) or str(value) in spec["select_values"] else "is invalid"
        if kind == "select_multiple":
            items = value if isinstance(value, list) else str(value).split(",")
            return None if all(str(i) in spec["select_values"] for i in items if i != "") else "is invalid"
        if kind in {"string", "password"} and isinstance(value, str) and len(value) > int(spec["max_length"] or 10**6):
            return f"should contain at most {spec['max_length']} characters"
        return None if value in ("", None) else check_value(_af_type(spec), value)


def _af_type(spec: Row) -> str:
    return {"decimal": "float", "numeric": "float", "boolean": "boolean", "integer": "integer",
            "date": "date", "datetime": "datetime"}.get(spec["type"], "string")


def paging(query: Nested) -> tuple[int, int | None]:
    """``offset`` and ``limit``; no limit means the whole list, as the real API (docs/splynx.md §1.5)."""
    out: list[int | None] = []
    for name in ("offset", "limit"):
        raw = query.get(name)
        if raw in (None, ""):
            out.append(None)
            continue
        try:
            value = int(str(raw))
        except ValueError:
            raise SplynxError("BAD_REQUEST", f"{name} must be a non-negative integer", 400) from None
        if value < 0:
            raise SplynxError("BAD_REQUEST", f"{name} must be a non-negative integer", 400)
        out.append(value)
    return out[0] or 0, out[1]


@dataclass
class Resource:
    """An entity: its table, OPTIONS attributes, additional-field module and write rules."""

    label: str
    table: Table
    attrs: tuple[Attr, ...]
    fields: AdditionalFields
    module: str | None = None
    extra: tuple[str, ...] = ()  # keys records carry beyond OPTIONS (e.g. geo, type), filterable too
    forbidden_for: frozenset[str] = frozenset()  # principals that get 403
    defaults: Callable[[], Row] = dict
    check: Callable[[Row, Row | None], Problems] | None = None
    finish: Callable[[int, Row], Row] | None = None  # fills server-made values once the id is known
    unique_hints: dict[str, Callable[[str], Iterable[int] | None]] = field(default_factory=dict)

    @property
    def filterable(self) -> set[str]:
        return {a.name for a in self.attrs} | set(self.extra)

    def authorize(self, principal: str) -> None:
        if principal in self.forbidden_for:
            raise SplynxError("FORBIDDEN", f"You don't have permission to access {self.label.lower()}s", 403)

    # -- reading ----------------------------------------------------------------------------------
    def render(self, row: Row) -> Row:
        if self.module and (self.fields.of(self.module) or row.get("additional_attributes")):
            row["additional_attributes"] = self.fields.render(self.module, row.get("additional_attributes"))
        return row

    def _select(self, query: Nested, scope: list[Row] | None) -> tuple[list[Row] | None, list[filters.Condition]]:
        """Rows to filter (None = the whole table, untouched) and the conditions to apply."""
        conditions = filters.parse_conditions(query, self.filterable, set(self.fields.of(self.module)))
        if scope is None:
            for c in conditions:
                if c.field == "customer_id" and c.op == "=" and not c.additional and str(c.operand).isdigit():
                    scope = self.table.of_customer(int(c.operand))  # cheap, not a scan
                    break
        if scope is None and conditions:
            scope = list(self.table.scan())
        return scope, conditions

    def list(self, query: Nested, scope: list[Row] | None = None) -> list[Row]:
        scope, conditions = self._select(query, scope)
        order = filters.parse_order(query, self.filterable)
        offset, limit = paging(query)
        by_id_only = all(f == "id" for f, _ in order) and len(order) <= 1
        if scope is None and by_id_only:
            descending = bool(order and order[0][1])
            return [self.render(r) for r in self.table.page(offset, limit, descending)]
        rows = filters.apply(scope if scope is not None else self.table.scan(), conditions, order)
        end = None if limit is None else offset + limit
        return [self.render(r) for r in rows[offset:end]]

    def count(self, query: Nested, scope: list[Row] | None = None) -> int:
        scope, conditions = self._select(query, scope)
        if scope is None:
            return len(self.table)
        return len(filters.apply(scope, conditions, []))

    def options(self) -> Row:
        return {"attributes": [a.options() for a in self.attrs],
                "additional_attributes": self.fields.options(self.module)}

    def get(self, record_id: str) -> Row:
        row = self.table.get(record_id)
        if row is None:
            raise not_found(f"{self.label} {record_id}")
        return self.render(row)

    # -- writing ----------------------------------------------------------------------------------
    def _validated(self, body: Any, before: Row | None, fixed: Row) -> tuple[Row, dict[str, Any] | None]:
        if not isinstance(body, dict):
            raise SplynxError("BAD_REQUEST", "Request body must be a JSON object", 400)
        creating = before is None
        clean, problems = validate(self.attrs, body, creating=creating)
        clean.update(fixed)
        afs: dict[str, Any] | None = None
        if self.module and ("additional_attributes" in body or (creating and self.fields.of(self.module))):
            afs, af_problems = self.fields.validate(self.module, body.get("additional_attributes"), creating=creating)
            problems += af_problems
        merged = {**(before or {}), **clean}
        for attr in self.attrs:
            if attr.unique and attr.name in clean and str(clean[attr.name]) != "":
                problems += self._unique(attr, merged)
        if self.check is not None:
            flagged = {f for f, _ in problems}
            problems += [p for p in self.check(merged, before) if p[0] not in flagged]
        if problems:
            raise ValidationFailed(problems)
        return clean, afs

    def _unique(self, attr: Attr, row: Row) -> Problems:
        value = row[attr.name]
        hint = self.unique_hints.get(attr.name)
        clashes = self.table.find(attr.name, value, hint(str(value)) if hint else None)
        if any(str(c["id"]) != str(row.get("id")) for c in clashes):
            return [(attr.name, f'{attr.options()["title"]} "{value}" has already been taken.')]
        return []

    def create(self, body: Any, fixed: Row | None = None) -> int:
        clean, afs = self._validated(body, None, fixed or {})
        row: Row = {a.name: _EMPTY.get(a.type, "") for a in self.attrs if a.name != "id"}
        row.update(self.defaults())
        row.update(clean)
        if afs is not None:
            row["additional_attributes"] = self.fields.render(self.module, afs)
        record_id = self.table.create(row)
        if self.finish is not None:
            self.table.update(record_id, self.finish(record_id, {**row, "id": record_id}))
        return record_id

    def update(self, record_id: str, body: Any, fixed: Row | None = None) -> None:
        before = self.table.get(record_id)
        if before is None:
            raise not_found(f"{self.label} {record_id}")
        clean, afs = self._validated(body, before, fixed or {})
        after = {**before, **clean}
        if afs:
            after["additional_attributes"] = {**(before.get("additional_attributes") or {}), **afs}
        self.table.update(record_id, after)

    def delete(self, record_id: str) -> None:
        if not self.table.delete(record_id):
            raise not_found(f"{self.label} {record_id}")
