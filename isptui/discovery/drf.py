"""Django REST framework metadata: SimpleMetadata OPTIONS documents into a Schema, ``Allow`` into Capabilities.

The writable fields come from ``actions.POST`` (create) or else ``actions.PUT`` (update); DRF omits
``actions`` when the user may do neither, which gives an empty ``Schema(source="OPTIONS")``.
"""

from __future__ import annotations

from typing import Any

from isptui.discovery._common import (
    MAX_DEPTH,
    MAX_HELP,
    as_bool,
    as_int,
    as_number,
    choice_value,
    clean_text,
    describe,
    expect_dict,
    guarded,
    malformed,
    multiline_name,
    secret_name,
    usable_name,
)
from isptui.model import Capabilities, FieldSpec, FieldType, Schema

# Every SimpleMetadata type (docs/krill.md §2.6). Unknown types (newer DRF: "duration", third-party
# fields) fall back to STRING: a text box is always a possible way to enter a value.
DRF_TYPES: dict[str, FieldType] = {
    "field": FieldType.STRING,
    "boolean": FieldType.BOOLEAN,
    "string": FieldType.STRING,
    "url": FieldType.STRING,
    "email": FieldType.STRING,
    "regex": FieldType.STRING,
    "slug": FieldType.STRING,
    "time": FieldType.STRING,
    "duration": FieldType.STRING,
    "integer": FieldType.INTEGER,
    "float": FieldType.DECIMAL,
    "decimal": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "choice": FieldType.CHOICE,
    "multiple choice": FieldType.MULTI_CHOICE,
    "file upload": FieldType.STRING,
    "image upload": FieldType.STRING,
    "list": FieldType.LIST,
    "nested object": FieldType.OBJECT,
}
# A terminal form cannot pick a local file to upload, so such fields are shown locked with this note.
_UPLOAD_TYPES = frozenset({"file upload", "image upload"})
_HINTS = {"time": "HH:MM[:SS]", "duration": "[DD] [HH:[MM:]]ss", "email": "an e-mail address",
          "url": "a URL"}
LIST_ITEM = "item"
"""Name of the single child FieldSpec that describes the items of a LIST."""


def _choices(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    pairs: list[tuple[str, str]] = []
    for entry in value:
        if isinstance(entry, dict) and "value" in entry:
            key = choice_value(entry["value"])
            if key is not None:
                pairs.append((key, clean_text(entry.get("display_name")) or key))
    return tuple(pairs)


def _field(name: str, info: dict[str, Any], depth: int) -> FieldSpec:
    if depth > MAX_DEPTH:
        raise malformed("OPTIONS schema", f"fields nest deeper than {MAX_DEPTH} levels")
    raw_type = info.get("type")
    drf_type = raw_type.strip().lower() if isinstance(raw_type, str) else "field"
    ftype = DRF_TYPES.get(drf_type, FieldType.STRING)
    choices = _choices(info.get("choices"))
    if choices and ftype not in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        ftype = FieldType.CHOICE
    children: tuple[FieldSpec, ...] = ()
    if isinstance(info.get("child"), dict):
        ftype = FieldType.LIST
        children = (_field(LIST_ITEM, info["child"], depth + 1),)
    elif isinstance(info.get("children"), dict):
        if ftype is not FieldType.LIST:
            ftype = FieldType.OBJECT
        children = _fields(info["children"], depth + 1)
    help_text = clean_text(info.get("help_text"), MAX_HELP)
    if drf_type in _UPLOAD_TYPES:
        help_text = "File uploads are not supported in isptui." + (f" {help_text}" if help_text else "")
    elif help_text is None and drf_type in _HINTS:
        help_text = _HINTS[drf_type]
    style = info.get("style")
    input_type = style.get("input_type") if isinstance(style, dict) else info.get("input_type")
    is_string = ftype is FieldType.STRING
    template = style.get("base_template") if isinstance(style, dict) else None
    return FieldSpec(
        name=name,
        label=clean_text(info.get("label")),
        type=ftype,
        required=as_bool(info.get("required")),
        read_only=as_bool(info.get("read_only")) or drf_type in _UPLOAD_TYPES,
        choices=choices,
        max_length=as_int(info.get("max_length")),
        min_length=as_int(info.get("min_length")),
        minimum=as_number(info.get("min_value")),
        maximum=as_number(info.get("max_value")),
        help=help_text,
        secret=is_string and (input_type == "password" or secret_name(name)),
        multiline=is_string and (multiline_name(name) or (isinstance(template, str) and "textarea" in template)),
        children=children,
    )


def _fields(infos: dict[Any, Any], depth: int) -> tuple[FieldSpec, ...]:
    specs: list[FieldSpec] = []
    seen: set[str] = set()
    for key, info in infos.items():
        name = usable_name(key)
        # An entry that cannot be a field (no name, info not an object) is skipped, not fatal.
        if name is None or name in seen or not isinstance(info, dict):
            continue
        seen.add(name)
        specs.append(_field(name, info, depth))
    return tuple(specs)


@guarded("OPTIONS schema")
def drf_options_to_schema(doc: object) -> Schema:
    """The Schema of a DRF OPTIONS response, from ``actions.POST`` else ``actions.PUT``.

    Types per :data:`DRF_TYPES`; ``choices`` become (value, display name) pairs; ``child`` makes a LIST
    with one child named :data:`LIST_ITEM`; ``children`` an OBJECT; password inputs and password-ish
    names are ``secret``. Raises ``MalformedResponse`` when the document or ``actions`` is not an object.
    """
    doc = expect_dict(doc, "OPTIONS response")
    actions = doc.get("actions")
    if actions is None:
        return Schema(source="OPTIONS")
    actions = expect_dict(actions, "OPTIONS 'actions'")
    for method in ("POST", "PUT"):
        if method in actions:
            infos = actions[method]
            if not isinstance(infos, dict):
                raise malformed("OPTIONS schema", f"actions.{method} is {describe(infos)}")
            return Schema(fields=_fields(infos, 0), source="OPTIONS")
    return Schema(source="OPTIONS")


@guarded("Allow header")
def allow_to_capabilities(allow_header: object, *, detail: bool) -> Capabilities:
    """What a collection (``detail=False``) or a record (``detail=True``) allows, from its ``Allow`` header.

    No header means nothing is known: the read-only defaults of ``Capabilities()`` (list and get) are
    returned, so the UI offers no write it cannot back up. ``partial_update`` follows PATCH.
    """
    if allow_header is None:
        return Capabilities()
    if not isinstance(allow_header, str):
        raise malformed("Allow header", f"expected text, got {describe(allow_header)}")
    methods = {m.strip().upper() for m in allow_header[:4096].split(",") if m.strip()}
    if detail:
        return Capabilities(
            can_get="GET" in methods,
            can_update=bool(methods & {"PUT", "PATCH"}),
            partial_update="PATCH" in methods,
            can_delete="DELETE" in methods,
        )
    return Capabilities(can_list="GET" in methods, can_create="POST" in methods)
