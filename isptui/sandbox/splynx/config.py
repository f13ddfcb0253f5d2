"""Additional-field definitions (`admin/config/additional-fields/...`) and their write validation."""

from __future__ import annotations

import re
from typing import Any

from isptui.sandbox.splynx import records as rec
from isptui.sandbox.splynx.resources import AdditionalFields, Row
from isptui.sandbox.splynx.wire import ValidationFailed, not_found

# Modules that accept additional fields (docs/splynx.md §1.6); `inventory_*` is matched by prefix.
MODULES = frozenset({
    "admins", "partners", "locations", "customers", "api", "tariffs_internet", "tariffs_voice", "tariffs_custom",
    "tariffs_one_time", "bundle", "routers", "voice_devices", "monitoring", "ipv4_networks", "ipv6_networks",
    "services_internet", "services_voice", "services_custom", "services_bundle", "invoices", "statistics",
    "ticket", "instant_message", "templates", "customer_documents", "monitoring_oid", "network_sites",
    "ipv4_networks_ip", "cards_prepaid", "cards_refill", "routers_sectors", "routers_mikrotik", "cpe",
    "services_voice_calls", "services_voice_messages", "services_voice_data", "billing_transactions", "payments",
    "requests", "credit_notes", "quotes", "scheduling_project", "scheduling_task", "acs_devices",
})
TYPES = ("string", "integer", "decimal", "numeric", "date", "datetime", "boolean", "select", "select_multiple",
         "password", "file", "relation", "relation_multiple")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_FLAGS = ("is_required", "is_unique", "is_add", "show_in_list", "searchable", "readonly", "disabled", "hidden",
          "set_default_value")
_EDITABLE = ("title", "position", "default_value", "min_length", "max_length", "select_values",
             "relation_module", "addon", "addon_uri", "addon_input_type", "decimals", *_FLAGS)


def check_module(module: str) -> None:
    if module not in MODULES and not module.startswith("inventory_"):
        raise not_found(f"Additional fields module '{module}'")


def list_fields(fields: AdditionalFields, module: str) -> list[Row]:
    check_module(module)
    return [dict(f) for f in fields.of(module).values()]


def get_field(fields: AdditionalFields, module: str, name: str) -> Row:
    check_module(module)
    found = fields.of(module).get(name)
    if found is None:
        raise not_found(f"Additional field '{name}' of module '{module}'")
    return dict(found)


def _clean(body: dict[str, Any], problems: list[tuple[str, str]]) -> Row:
    out: Row = {}
    for key in _EDITABLE:
        if key not in body:
            continue
        value = body[key]
        if key in _FLAGS:
            out[key] = 1 if value is True or str(value).strip().lower() in {"1", "true", "yes", "on"} else 0
            continue
        if key in {"position", "min_length", "max_length", "decimals"}:
            try:
                out[key] = int(str(value))
            except ValueError:
                problems.append((key, f"{key.replace('_', ' ').capitalize()} must be an integer."))
            continue
        if key == "select_values" and not isinstance(value, dict):
            problems.append((key, "Select values must be an object of value: label."))
            continue
        out[key] = value if key == "select_values" else str(value)
    return out


def create_field(fields: AdditionalFields, module: str, body: Any) -> str:
    """Add a field to a module; 201 answers `{"name": ...}` (docs/splynx.md §1.3)."""
    check_module(module)
    if not isinstance(body, dict):
        raise ValidationFailed([("name", "Name cannot be blank.")])
    problems: list[tuple[str, str]] = []
    name, kind = str(body.get("name") or ""), str(body.get("type") or "")
    if not name:
        problems.append(("name", "Name cannot be blank."))
    elif not _NAME.match(name):
        problems.append(("name", "Name may contain only lowercase letters, digits and underscores."))
    elif name in fields.of(module):
        problems.append(("name", f'Name "{name}" has already been taken.'))
    if not str(body.get("title") or "").strip():
        problems.append(("title", "Title cannot be blank."))
    if kind not in TYPES:
        problems.append(("type", "Type is invalid."))
    extra = _clean(body, problems)
    if kind in {"select", "select_multiple"} and not extra.get("select_values"):
        problems.append(("select_values", "Select values cannot be blank."))
    if problems:
        raise ValidationFailed(problems)
    position = len(fields.of(module)) + 1
    extra.setdefault("position", position)
    field = rec.additional_field(module, name, extra.pop("title"), kind, **extra)
    fields.modules.setdefault(module, {})[name] = field
    return name


def update_field(fields: AdditionalFields, module: str, name: str, body: Any) -> None:
    current = get_field(fields, module, name)
    problems: list[tuple[str, str]] = []
    changes = _clean(body if isinstance(body, dict) else {}, problems)
    if "title" in changes and not changes["title"].strip():
        problems.append(("title", "Title cannot be blank."))
    if problems:
        raise ValidationFailed(problems)
    fields.modules[module][name] = {**current, **changes}


def delete_field(fields: AdditionalFields, module: str, name: str) -> None:
    get_field(fields, module, name)
    del fields.modules[module][name]
