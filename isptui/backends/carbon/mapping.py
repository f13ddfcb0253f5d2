"""Carbon JSON to the resource model: the model listing, ``{"pk","model","fields"}`` objects, errors, filters.

The listing's format is unknown (docs/carbon.md §5.4: a page meant for a browser); the reader accepts a
JSON map of model -> ``{"fields": {name: spec | type}, "object_methods": [...]}`` or model -> field list,
and anything else leaves the adapter on its built-in catalogue of the models real clients use (§5.5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from isptui.backends.carbon.descriptor import DESCRIPTOR
from isptui.discovery._common import clean_text, usable_name
from isptui.errors import (
    BackendError,
    MalformedResponse,
    NotFound,
    NotSupported,
    ValidationFailed,
)
from isptui.model import Action, Capabilities, FieldSpec, FieldType, Lazy, Link, Record, ResourceRef, Schema

# Models real clients use (docs/carbon.md §5.5), with the UI's titles and groups. Order is the tree's.
CATALOGUE: dict[str, tuple[str, str]] = {
    "Abonents": ("Abonents (subscribers)", "Subscribers"),
    "Users": ("Users (logins)", "Subscribers"),
    "UsersUsluga": ("Subscriber services", "Subscribers"),
    "AbonentsBlock": ("Blocks", "Subscribers"),
    "AttributeValues": ("Attribute values", "Subscribers"),
    "FinanceOperations": ("Finance operations", "Finance"),
    "AdminAccounts": ("Accounts", "Finance"),
    "ArchAccountStack": ("Account archive", "Finance"),
    "Tarif": ("Tariffs", "Catalogue"),
    "Usluga": ("Services", "Catalogue"),
    "Homes": ("Homes", "Catalogue"),
    "Counters": ("Counters", "Other"),
    "UsersCache": ("Users cache", "Other"),
}
NOT_MODELS = frozenset({"Version"})
# Known foreign keys, for links when the listing says nothing (§5.5: abonent__pk filters, usluga FK, tarif).
KNOWN_FKS: dict[str, dict[str, str]] = {
    "Abonents": {"tarif": "Tarif", "tarif_next": "Tarif"},
    "Users": {"abonent": "Abonents"},
    "UsersUsluga": {"abonent": "Abonents", "usluga": "Usluga"},
    "FinanceOperations": {"abonent": "Abonents", "usluga": "Usluga"},
    "AttributeValues": {"abonent": "Abonents"},
}
# Columns asked for on list pages (``fields``), so a page of abonents does not carry every field.
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "Abonents": ("name", "contract_number", "tarif_id", "balance", "allow_internet"),
    "Users": ("login", "abonent_id", "ip", "sms"),
    "UsersUsluga": ("abonent_id", "usluga_id", "comment", "create_date", "end_time"),
    "FinanceOperations": ("abonent_id", "op_date", "op_summa", "storno", "comment"),
}
TITLE_FIELDS = ("name", "login", "title", "contract_number", "comment", "comments")
FILTER_HINT = DESCRIPTOR.filter_help  # declared with the backend (plug-in contract)
_DJANGO_TYPES = {
    "AutoField": FieldType.INTEGER, "BigAutoField": FieldType.INTEGER, "IntegerField": FieldType.INTEGER,
    "SmallIntegerField": FieldType.INTEGER, "PositiveIntegerField": FieldType.INTEGER,
    "BigIntegerField": FieldType.INTEGER, "CharField": FieldType.STRING, "TextField": FieldType.STRING,
    "DecimalField": FieldType.DECIMAL, "FloatField": FieldType.DECIMAL, "DateField": FieldType.DATE,
    "DateTimeField": FieldType.DATETIME, "BooleanField": FieldType.BOOLEAN, "ForeignKey": FieldType.INTEGER,
}


@dataclass(frozen=True)
class FieldInfo:
    """One field as the listing describes it."""

    name: str
    type: str = ""
    target: str | None = None
    attname: str | None = None
    required: bool = False
    read_only: bool = False
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ModelInfo:
    """One model: its fields (empty when unknown) and object methods (None when unknown)."""

    name: str
    fields: tuple[FieldInfo, ...] = ()
    object_methods: tuple[str, ...] | None = None
    model_methods: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def fks(self) -> dict[str, str]:
        """FK field name -> target model (the listing's, else the built-in knowledge)."""
        found = {f.name: f.target for f in self.fields if f.target and f.type == "ForeignKey"}
        return found or dict(KNOWN_FKS.get(self.name, {}))

    def references(self) -> dict[str, str]:
        """Plain integer fields that name another model's pk (AdminAccounts.account_id_abonents)."""
        return {f.name: f.target for f in self.fields if f.target and f.type != "ForeignKey"}

    def attnames(self) -> dict[str, str]:
        """FK field name -> the attname writes must use (``tarif`` -> ``tarif_id``)."""
        return {name: next((f.attname for f in self.fields if f.name == name and f.attname), f"{name}_id")
                for name in self.fks()}

    def has(self, name: str) -> bool:
        return any(name in (f.name, f.attname) for f in self.fields)

    def can(self, method: str) -> bool:
        """Whether the model offers an object method; unknown lists allow everything (the server decides)."""
        return self.object_methods is None or method in self.object_methods


def _names(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(v for v in value if isinstance(v, str))


def _field(name: str, spec: Any) -> FieldInfo:
    if isinstance(spec, str):
        return FieldInfo(name=name, type=spec)
    if not isinstance(spec, dict):
        return FieldInfo(name=name)
    choices = spec.get("choices")
    return FieldInfo(
        name=name, type=str(spec.get("type") or ""), target=spec.get("to") or spec.get("references"),
        attname=spec.get("attname") if isinstance(spec.get("attname"), str) else None,
        required=spec.get("required") is True, read_only=spec.get("read_only") is True,
        choices=tuple(c for c in choices if isinstance(c, str | int | float)) if isinstance(choices, list) else (),
    )


def parse_listing(doc: Any) -> dict[str, ModelInfo]:
    """Models from the listing's ``result`` (see the module doc); an empty map when it is not readable.

    Unknown (docs/carbon.md §5.4): the listing's shape. Besides ``{name: fields-or-description}``, a list of
    names (``["Abonents", …]``) and a list of ``{"name": …, "fields": …}`` objects are read too.
    """
    if isinstance(doc, list):
        doc = {v if isinstance(v, str) else v.get("name") or v.get("model"): v
               for v in doc if isinstance(v, str) or (isinstance(v, dict) and isinstance(
                   v.get("name") or v.get("model"), str))}
        doc = {k: (None if isinstance(v, str) else v) for k, v in doc.items()}
    if not isinstance(doc, dict):
        return {}
    models: dict[str, ModelInfo] = {}
    for key, value in doc.items():
        name = usable_name(key)
        if name is None or name in NOT_MODELS or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            continue
        raw_fields = value.get("fields") if isinstance(value, dict) else value
        if isinstance(raw_fields, dict):
            fields = tuple(_field(k, v) for k, v in raw_fields.items() if usable_name(k))
        elif isinstance(raw_fields, list):
            fields = tuple(_field(v, None) if isinstance(v, str) else _field(str(v.get("name")), v)
                           for v in raw_fields if isinstance(v, str) or (isinstance(v, dict) and v.get("name")))
        else:
            fields = ()
        methods = _names(value.get("object_methods")) if isinstance(value, dict) else None
        managers = _names(value.get("model_methods")) if isinstance(value, dict) else None
        models[name] = ModelInfo(name=name, fields=fields, object_methods=methods, model_methods=managers)
    return models


def capabilities(info: ModelInfo) -> Capabilities:
    creatable = info.model_methods is None or "objects.create" in info.model_methods
    return Capabilities(can_create=creatable, can_update=info.can("set") and info.can("save"),
                        can_delete=info.can("delete"), partial_update=True)


def title(model: str, pk: Any, fields: Mapping[str, Any]) -> str:
    """What an operator recognises: the abonent's name, the login, a payment's sum and date."""
    if model == "FinanceOperations" and fields.get("op_summa") is not None:
        when = fields.get("op_date")
        return f"{fields['op_summa']}" + (f" on {when}" if when else "")
    for key in TITLE_FIELDS:
        value = fields.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return clean_text(str(value)) or str(value)
    return f"{model} #{pk}"


def is_object(value: Any) -> bool:
    """A serialised Carbon object ``{"pk", "model", "fields"}`` (FK expansion nests these)."""
    return isinstance(value, dict) and "pk" in value and isinstance(value.get("fields"), dict)


Decorate = Callable[[str, str, Mapping[str, Any]], tuple[tuple[Link, ...], tuple[Action, ...]]]
"""(model, pk, fields) -> the record's links and actions (the adapter's knowledge of the listing)."""
NO_CAPABILITIES = Capabilities()


def to_record(obj: Any, *, model: str, url: str, caps: Capabilities | None = None,
              decorate: Decorate | None = None) -> Record:
    """A Carbon object as a Record: ``fields`` as received, ``raw`` the whole object, links and actions
    from ``decorate`` (none without it)."""
    if not is_object(obj):
        raise MalformedResponse(f"Carbon sent something other than a {model} object", method="POST", url=url)
    pk = obj["pk"]
    fields = obj["fields"]
    name = obj.get("model") if isinstance(obj.get("model"), str) else model
    # Django's serializer may say "app.model"; the adapter addresses models by the URL's name.
    name = model if "." in name or not name else name
    ref = ResourceRef.trusted(collection=name, id=str(pk))
    record_fields = dict(fields)
    if decorate is None:
        return Record.trusted(ref=ref, title=title(name, pk, fields), fields=record_fields, raw=obj,
                              capabilities=caps or NO_CAPABILITIES)
    # Built without validation: every value is a str made here, the server's own dicts, or decorate's.
    # Links and actions are made when first read (model.Lazy): a listed row seldom needs them.
    both = Lazy(decorate, name, ref.id, record_fields)
    return Record.trusted(ref=ref, title=title(name, pk, fields), fields=record_fields, raw=obj,
                          capabilities=caps or NO_CAPABILITIES, links=Lazy(_first, both), actions=Lazy(_second, both))


def _first(pair: Lazy) -> Any:
    return pair[0]


def _second(pair: Lazy) -> Any:
    return pair[1]


# -- errors -----------------------------------------------------------------------------------------
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")
_VALIDATION = ("cannot be null", "cannot be blank", "not a valid choice", "already exists", "expected a",
               "must be", "invalid format", "read-only", "required argument", "unexpected keyword",
               "is not valid json", "no field named", "cannot resolve keyword", "unsupported lookup",
               "needs a list", "protected foreign key", "non-zero")


def field_errors(message: str, known: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Fields a Django-style message names in quotes (``field 'name' cannot be blank``)."""
    named = [n for n in _QUOTED.findall(message) if not known or n in known]
    if "." in message and not named:
        # "…Abonents.tarif_id=9)": an FK whose target does not exist.
        named = [m for m in re.findall(r"\.([a-z_][a-z0-9_]*)=", message)]
    return {n: [message] for n in dict.fromkeys(named)} or {"non_field_errors": [message]}


def error_for(message: str, *, model: str, fields: tuple[str, ...], where: dict[str, Any]) -> BackendError:
    """The typed error for Carbon's ``error`` text (Python exception text from the server)."""
    low = message.lower()
    if "does not exist" in low and "matching query" in low and "=" not in message:
        return NotFound(f"Carbon: {message} It may have been deleted; refresh", **where)
    if low.startswith("unknown model"):
        return NotFound(f"Carbon has no model {model}: {message}", **where)
    if "has no attribute" in low:
        return NotSupported(f"Carbon cannot do that on {model}: {message}", **where)
    if any(marker in low for marker in _VALIDATION) or "does not exist" in low:
        return ValidationFailed(f"Carbon rejected the input: {message}", field_errors=field_errors(message, fields),
                                **where)
    if "more than one" in low:
        return ValidationFailed(f"Carbon: {message}", **where)
    return BackendError(f"Carbon reported an error: {message}", **where)


# -- filters ----------------------------------------------------------------------------------------
_TERM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|~|>|<)\s*(.*?)\s*$")
_OPS = {"=": "", "~": "__icontains", ">": "__gt", "<": "__lt", ">=": "__gte", "<=": "__lte"}


def _value(text: str) -> Any:
    """Numbers stay numbers; everything else is a string (Carbon coerces either way, docs/carbon.md §5.5)."""
    if re.fullmatch(r"-?\d{1,18}", text):
        return int(text)
    return text


def parse_filter(text: str | None, search_field: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(filter lookups, exclude lookups) from the filter text; plain words search ``search_field``."""
    lookups: dict[str, Any] = {}
    excludes: dict[str, Any] = {}
    for raw in (text or "").split(","):
        if not raw.strip():
            continue
        term = _TERM.match(raw)
        if term:
            name, op, value = term.groups()
            if op == "!=":
                excludes[name] = _value(value)
            else:
                lookups[name + _OPS[op]] = value if op == "~" else _value(value)
        elif search_field:
            lookups[f"{search_field}__icontains"] = raw.strip()
        else:
            raise ValidationFailed(f"write the filter as field=value; this model has no name to search "
                                   f"({raw.strip()!r})", field_errors={"filter": ["use field=value"]})
    return lookups, excludes


def search_field(info: ModelInfo) -> str | None:
    for name in ("name", "login", "comment", "comments"):
        if info.has(name) or (not info.fields and name in ("name",)):
            return name
    return None


# -- schema -----------------------------------------------------------------------------------------
def schema(info: ModelInfo) -> Schema | None:
    """The form fields from the listing. FKs keep the name reads use (``tarif``); the adapter sends them
    by attname (``tarif_id``), as Django's create and set expect a pk there."""
    if not info.fields:
        return None
    specs: list[FieldSpec] = []
    for f in info.fields:
        kind = _DJANGO_TYPES.get(f.type, FieldType.STRING)
        name = f.name
        read_only = f.read_only or f.type in ("AutoField", "BigAutoField")
        choices: tuple[tuple[str, str], ...] = ()
        if f.choices:
            kind = FieldType.CHOICE
            choices = tuple((str(c), {"0": "0 (no)", "1": "1 (yes)"}.get(str(c), str(c))) for c in f.choices)
        specs.append(FieldSpec(
            name=name, type=kind, required=f.required and not read_only, read_only=read_only, choices=choices,
            multiline=f.type == "TextField", help=f"{f.target} pk" if f.target else None,
            secret=bool(re.search(r"passw|psw", f.name)),
        ))
    return Schema(fields=tuple(specs), source="Carbon model listing")
