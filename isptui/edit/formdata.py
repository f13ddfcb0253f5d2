"""Form input → typed values, validated with a pydantic model built from the Schema, before any request.

The form widgets hand over text (or bools from switches); this turns it into the values an API expects and
collects per-field messages, so the UI can place them next to their fields and keep what the user typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from isptui.model import FieldSpec, FieldType, Schema

ZERO_DATES = ("0000-00-00", "0000-00-00 00:00:00")


def _convert(spec: FieldSpec, raw: Any, original: Any) -> Any:
    """One field's input as the API's type; raises ValueError with a message for the user."""
    if isinstance(raw, bool) or raw is None:
        return raw
    text = str(raw)
    if text.strip() == "":
        return None
    kind = spec.type
    if kind is FieldType.INTEGER:
        try:
            value: Any = int(text.strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        return str(value) if isinstance(original, str) else value
    if kind is FieldType.DECIMAL:
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError("must be a number, e.g. 12.50") from None
        if not number.is_finite():
            raise ValueError("must be a finite number")
        return text.strip() if isinstance(original, str) else float(number)
    if kind is FieldType.BOOLEAN:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return "1" if isinstance(original, str) else True
        if lowered in ("0", "false", "no", "off"):
            return "0" if isinstance(original, str) else False
        raise ValueError("must be yes or no")
    if kind is FieldType.DATE:
        if text.strip() in ZERO_DATES:
            return text.strip()
        try:
            return date.fromisoformat(text.strip()).isoformat()
        except ValueError:
            raise ValueError("must be a date like 2026-11-23") from None
    if kind is FieldType.DATETIME:
        candidate = text.strip()
        if candidate in ZERO_DATES:
            return candidate
        try:
            datetime.fromisoformat(candidate)
        except ValueError:
            raise ValueError("must be a date and time like 2026-11-23 14:05:00") from None
        return candidate
    if kind is FieldType.CHOICE and spec.choices:
        allowed = [value for value, _ in spec.choices]
        if text not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed[:8])}")
        return text
    if kind is FieldType.MULTI_CHOICE:
        items = [part.strip() for part in text.split(",") if part.strip()]
        allowed = {value for value, _ in spec.choices}
        bad = [item for item in items if allowed and item not in allowed]
        if bad:
            raise ValueError(f"not a choice: {', '.join(bad)}")
        return items
    if kind in (FieldType.OBJECT, FieldType.LIST):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        want = dict if kind is FieldType.OBJECT else list
        if not isinstance(value, want):
            raise ValueError(f"must be a JSON {'object' if want is dict else 'list'}")
        return value
    return text


def build_model(schema: Schema) -> type[BaseModel]:
    """A pydantic model enforcing required fields, lengths and ranges declared by the schema."""
    definitions: dict[str, Any] = {}
    for spec in schema.fields:
        if spec.read_only:
            continue
        constraints: dict[str, Any] = {}
        if spec.type is FieldType.STRING:
            if spec.max_length is not None:
                constraints["max_length"] = spec.max_length
            if spec.min_length is not None:
                constraints["min_length"] = spec.min_length
        if spec.type in (FieldType.INTEGER, FieldType.DECIMAL):
            if spec.minimum is not None:
                constraints["ge"] = spec.minimum
            if spec.maximum is not None:
                constraints["le"] = spec.maximum
        base: Any = Any
        if constraints and spec.type is FieldType.STRING:
            base = str
        elif constraints:
            base = float
        default = ... if spec.required else None
        definitions[_py_name(spec.name)] = (base | None if not spec.required else base,
                                            Field(default, alias=spec.name, **constraints))
    return create_model("FormModel", __config__=ConfigDict(populate_by_name=True, extra="ignore"),
                        **definitions)


def _py_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name)
    return f"f_{cleaned}"


def validate_form(schema: Schema, raw: Mapping[str, Any], original: Mapping[str, Any] | None = None
                  ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Typed values for every editable field given, and messages per field (empty when valid)."""
    original = original or {}
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in schema.fields:
        if spec.read_only or spec.name not in raw:
            continue
        try:
            values[spec.name] = _convert(spec, raw[spec.name], original.get(spec.name))
        except ValueError as exc:
            errors.setdefault(spec.name, []).append(str(exc))
    for spec in schema.fields:
        if spec.required and not spec.read_only and spec.name not in errors and values.get(spec.name) in (None, ""):
            errors.setdefault(spec.name, []).append("is required")
    checked = {k: (float(v) if isinstance(v, str) and schema.field(k) and schema.field(k).type in  # type: ignore[union-attr]
                   (FieldType.INTEGER, FieldType.DECIMAL) else v)
               for k, v in values.items() if k not in errors and v is not None}
    try:
        build_model(schema).model_validate(checked)
    except ValidationError as exc:
        for problem in exc.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            if name not in errors and problem["type"] != "missing":
                errors.setdefault(name, []).append(problem["msg"])
    return values, errors
