"""Splynx OPTIONS into a Schema: the documented bare array and the observed
``{"attributes": [...], "additional_attributes": [...]}`` object (docs/splynx.md §1.4, §7.2, A.4).

Additional fields (AFs) live under ``"additional_attributes": {name: value}`` in Splynx records and
writes (§1.7), so they are returned nested the same way: one OBJECT field named
:data:`ADDITIONAL_ATTRIBUTES` whose children are the AFs. A form edits them as a group, and the values it
produces already have the shape the API takes, ``{"additional_attributes": {"aesi_branch": "x"}}``.
In the bare-array form an entry is an AF when it carries AF-only keys (``module``, ``position``…).
"""

from __future__ import annotations

from typing import Any

from isptui.discovery._common import (
    MAX_NAME,
    as_bool,
    as_flag,
    as_int,
    choice_value,
    clean_text,
    describe,
    guarded,
    malformed,
    multiline_name,
    secret_name,
    usable_name,
)
from isptui.model import FieldSpec, FieldType, Schema

ADDITIONAL_ATTRIBUTES = "additional_attributes"

SPLYNX_TYPES: dict[str, FieldType] = {
    "string": FieldType.STRING,
    "text": FieldType.STRING,
    "integer": FieldType.INTEGER,
    "int": FieldType.INTEGER,
    "float": FieldType.DECIMAL,
    "decimal": FieldType.DECIMAL,
    "numeric": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "boolean": FieldType.BOOLEAN,
    "array": FieldType.LIST,
    "select": FieldType.CHOICE,
    "select_multiple": FieldType.MULTI_CHOICE,
    "password": FieldType.STRING,
    "file": FieldType.STRING,
    # A relation holds the id of another module's record; ids are strings on older servers (§1.8), so
    # it is a text field with a hint rather than an integer field that would refuse "".
    "relation": FieldType.STRING,
    "relation_multiple": FieldType.LIST,
}
_AF_KEYS = frozenset({"module", "category", "position", "is_add", "show_in_list", "searchable",
                      "set_default_value", "is_unique", "decimals", "select_values", "relation_module",
                      "is_required", "addon", "addon_uri"})


def _select_values(value: object) -> tuple[tuple[str, str], ...]:
    """Choices from ``select_values``, whose shape is undocumented: accept the plausible ones.

    A ``{value: label}`` object, an array of values, an array of ``{value|id|key, title|label|name}``
    objects, or one string of values separated by newlines (else commas).
    """
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, label in value.items():
            if isinstance(key, str) and len(key) <= MAX_NAME:
                pairs.append((key, clean_text(label) or key))
    elif isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict):
                raw = next((entry[k] for k in ("value", "id", "key") if k in entry), None)
                key = choice_value(raw) if raw is not None else None
                label = next((entry[k] for k in ("title", "label", "name") if k in entry), None)
                if key:
                    pairs.append((key, clean_text(label) or key))
            elif (key := choice_value(entry)) is not None and entry is not None:
                pairs.append((key, key))
    elif isinstance(value, str):
        separator = "\n" if "\n" in value else ","
        for part in value[:65536].split(separator):
            if (text := part.strip()) and len(text) <= MAX_NAME:
                pairs.append((text, clean_text(text) or text))
    return tuple(pairs)


def _is_af(entry: dict[str, Any]) -> bool:
    return not _AF_KEYS.isdisjoint(entry)


def _field(entry: dict[str, Any]) -> FieldSpec | None:
    name = usable_name(entry.get("name"))
    if name is None:
        return None
    raw_type = entry.get("type")
    splynx_type = raw_type.strip().lower() if isinstance(raw_type, str) else "string"
    ftype = SPLYNX_TYPES.get(splynx_type, FieldType.STRING)
    notes: list[str] = []
    if splynx_type == "file":
        notes.append("File uploads are not supported in isptui.")
    if splynx_type.startswith("relation"):
        module = clean_text(entry.get("relation_module"))
        notes.append(f"Id of a {module} record." if module else "Id of a related record.")
    if as_bool(entry.get("hidden")):
        notes.append("Hidden in the Splynx interface.")
    required = entry.get("required", entry.get("is_required"))
    return FieldSpec(
        name=name,
        label=clean_text(entry.get("title")),
        type=ftype,
        required=as_flag(required) is True,
        read_only=as_bool(entry.get("readonly")) or as_bool(entry.get("disabled")) or splynx_type == "file",
        choices=_select_values(entry.get("select_values")) if ftype in (
            FieldType.CHOICE, FieldType.MULTI_CHOICE) else (),
        max_length=as_int(entry.get("max_length")) or None,
        min_length=as_int(entry.get("min_length")) or None,
        help=" ".join(notes) or None,
        secret=splynx_type == "password" or (ftype is FieldType.STRING and secret_name(name)),
        multiline=ftype is FieldType.STRING and multiline_name(name),
    )


def _entries(value: object, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise malformed("Splynx OPTIONS response", f"'{what}' is {describe(value)}, expected an array")
    # Entries that are not objects cannot describe a field; they are skipped rather than fatal.
    return [entry for entry in value if isinstance(entry, dict)]


def _specs(entries: list[dict[str, Any]], seen: set[str]) -> list[FieldSpec]:
    specs = []
    for entry in entries:
        spec = _field(entry)
        if spec is not None and spec.name not in seen:
            seen.add(spec.name)
            specs.append(spec)
    return specs


@guarded("Splynx OPTIONS response")
def splynx_options_to_schema(doc: object) -> Schema:
    """The Schema of a Splynx OPTIONS response, additional fields nested under ``additional_attributes``.

    Accepts the documented bare array and the observed ``{"attributes", "additional_attributes"}``
    object; anything else raises ``MalformedResponse``. ``readonly``/``disabled`` make a field read-only,
    ``password`` fields (and password-ish names) are secret, ``select`` gives choices.
    """
    if isinstance(doc, list):
        entries = _entries(doc, "array")
        base = [e for e in entries if not _is_af(e)]
        extra = [e for e in entries if _is_af(e)]
    elif isinstance(doc, dict) and "attributes" in doc:
        base = _entries(doc.get("attributes"), "attributes")
        extra = _entries(doc.get(ADDITIONAL_ATTRIBUTES), ADDITIONAL_ATTRIBUTES)
    else:
        raise malformed("Splynx OPTIONS response",
                        f"expected an array or an object with 'attributes', got {describe(doc)}")
    children = _specs(extra, set())
    # The nested AF group takes the name; a plain attribute of that name would shadow it.
    fields = _specs(base, {ADDITIONAL_ATTRIBUTES} if children else set())
    if children:
        fields.append(FieldSpec(name=ADDITIONAL_ATTRIBUTES, label="Additional fields", type=FieldType.OBJECT,
                                children=tuple(children)))
    return Schema(fields=tuple(fields), source="OPTIONS")
