"""Django REST Framework behaviour the Krill emulator reproduces: responses, paging, OPTIONS, validation.

Krill's own error bodies and metadata are not published (docs/krill.md §2.6, §7.4), so where Krill is silent
these follow DRF 3.x defaults exactly: the same messages, key order and header set a DRF server sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from urllib import parse

from starlette.requests import Request
from starlette.responses import Response

Row = dict[str, Any]

# Observed on Krill responses (docs/krill.md §2.4); Vary: Cookie comes from Django's session middleware.
COMMON_HEADERS = {
    "Vary": "Accept, Cookie",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Credentials": "True",
    "Access-Control-Allow-Methods": "*",
    "Access-Control-Expose-Headers": "*",
}
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")  # DRF http_method_names order
RENDERS = ["application/json", "text/html"]
PARSES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
NOT_FOUND = {"detail": "Not found."}


def allow_header(methods: Sequence[str]) -> str:
    """DRF's Allow value: the view's methods plus HEAD (with GET) and OPTIONS, in DRF's order."""
    wanted = set(methods) | {"OPTIONS"}
    if "GET" in wanted:
        wanted.add("HEAD")
    return ", ".join(m for m in METHOD_ORDER if m in wanted)


def drf_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON as DRF's JSONRenderer writes it: compact separators, UTF-8 kept unescaped."""
    body = b"" if data is None else json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(body, status_code=status, media_type="application/json")
    for key, value in {**COMMON_HEADERS, **(headers or {})}.items():
        response.headers[key] = value
    return response


# -- paging --------------------------------------------------------------------------------------


class Listing(Protocol):
    """A sized, sliceable source of rows; collections give O(page) slices, filters give lists."""

    def count(self) -> int: ...

    def rows(self, offset: int, limit: int) -> list[Row]: ...


class RowsListing:
    """A listing over rows already in memory (the result of a scanning filter or sort)."""

    def __init__(self, rows: list[Row]) -> None:
        self._rows = rows

    def count(self) -> int:
        return len(self._rows)

    def rows(self, offset: int, limit: int) -> list[Row]:
        return self._rows[offset : offset + limit]


def _positive_int(text: str, *, strict: bool = False, cutoff: int | None = None) -> int:
    value = int(text)
    if value < 0 or (value == 0 and strict):
        raise ValueError(text)
    return min(value, cutoff) if cutoff else value


def replace_query_param(url: str, key: str, value: object) -> str:
    """DRF's helper: keys come back sorted, which is why Krill's `next` reorders `offset` and `limit`."""
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    query_dict = parse.parse_qs(query, keep_blank_values=True)
    query_dict[key] = [str(value)]
    return parse.urlunsplit((scheme, netloc, path, parse.urlencode(sorted(query_dict.items()), doseq=True), fragment))


def remove_query_param(url: str, key: str) -> str:
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    query_dict = parse.parse_qs(query, keep_blank_values=True)
    query_dict.pop(key, None)
    return parse.urlunsplit((scheme, netloc, path, parse.urlencode(sorted(query_dict.items()), doseq=True), fragment))


def paginate(
    request: Request,
    listing: Listing,
    *,
    default_limit: int,
    absolute: bool,
    shape: Callable[[Row], Row] = lambda row: row,
    whole: bool = False,
    ignore_offset: bool = False,
) -> Row:
    """A LimitOffsetPagination page; ``absolute`` picks full URLs (isp) or path-only ones (rubik).

    ``whole`` (quirk ignores-paging): limit and offset are ignored and every row is sent, with no next link.
    ``ignore_offset`` (quirk ignores-offset): the first ``limit`` rows whatever offset was asked; count and
    links are built from the request as if the offset were honoured.
    """
    params = request.query_params
    try:
        limit = _positive_int(params["limit"], strict=True)
    except (KeyError, ValueError):
        limit = default_limit
    try:
        offset = _positive_int(params["offset"])
    except (KeyError, ValueError):
        offset = 0
    count = listing.count()
    if whole:
        offset, limit = 0, max(count, 1)
    results = [shape(row) for row in listing.rows(0 if ignore_offset else offset, limit)]
    query = request.url.query
    here = request.url.path + (f"?{query}" if query else "")
    if absolute:
        here = f"{request.url.scheme}://{request.url.netloc}{here}"
    next_url = previous = None
    if offset + limit < count:
        next_url = replace_query_param(replace_query_param(here, "limit", limit), "offset", offset + limit)
    if offset > 0:
        previous = replace_query_param(here, "limit", limit)
        previous = (
            remove_query_param(previous, "offset")
            if offset - limit <= 0
            else replace_query_param(previous, "offset", offset - limit)
        )
    return {"count": count, "next": next_url, "previous": previous, "results": results}


# -- fields, OPTIONS metadata and validation -----------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One serializer field: what OPTIONS describes and what validation enforces."""

    name: str
    type: str  # DRF metadata type: string, integer, boolean, decimal, date, datetime, choice, field, list
    required: bool = False
    read_only: bool = False
    label: str | None = None
    help_text: str | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    allow_null: bool = False
    allow_blank: bool = True
    unique: bool = False
    related: str | None = None  # name of the collection a primary-key related field points into
    default: Any = None

    @property
    def title(self) -> str:
        """Django's verbose name with capfirst, as DRF uses it for ``label``."""
        return self.label or self.name.replace("_", " ").strip().capitalize()


def field_info(spec: FieldSpec) -> Row:
    """SimpleMetadata.get_field_info: keys in DRF's order, choices only for writable non-related fields."""
    info: Row = {"type": spec.type, "required": spec.required and not spec.read_only, "read_only": spec.read_only}
    info["label"] = spec.title
    for key in ("help_text", "max_length", "min_value", "max_value", "max_digits", "decimal_places"):
        value = getattr(spec, key)
        if value is not None and value != "":
            info[key] = value
    if spec.choices and not spec.read_only and spec.related is None:
        info["choices"] = [{"value": v, "display_name": d} for v, d in spec.choices]
    return info


def metadata(name: str, description: str, actions: dict[str, Sequence[FieldSpec]]) -> Row:
    """The OPTIONS body; ``actions`` is omitted when empty, as DRF does for read-only views."""
    body: Row = {"name": name, "description": description, "renders": RENDERS, "parses": PARSES}
    if actions:
        body["actions"] = {method: {f.name: field_info(f) for f in specs} for method, specs in actions.items()}
    return body


_TRUE = {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1", 1}
_FALSE = {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0", 0}


class FieldError(Exception):
    """A DRF field validation message."""


def _to_internal(spec: FieldSpec, value: Any, exists: Callable[[str, int], bool]) -> Any:
    """One field's DRF to_internal_value, raising FieldError with DRF's own message."""
    if spec.type in ("string", "choice") and (isinstance(value, bool) or not isinstance(value, str | int | float)):
        raise FieldError("Not a valid string.")
    if spec.type == "string":
        text = str(value).strip()
        if text == "" and not spec.allow_blank:
            raise FieldError("This field may not be blank.")
        if spec.max_length is not None and len(text) > spec.max_length:
            raise FieldError(f"Ensure this field has no more than {spec.max_length} characters.")
        return text
    if spec.type == "choice":
        if str(value) not in {v for v, _ in spec.choices}:
            raise FieldError(f'"{value}" is not a valid choice.')
        return str(value)
    if spec.type == "integer":
        try:
            if isinstance(value, bool):
                raise ValueError(value)
            number = int(Decimal(str(value).strip()).to_integral_exact())
        except (InvalidOperation, ValueError, ArithmeticError) as exc:
            raise FieldError("A valid integer is required.") from exc
        if spec.min_value is not None and number < spec.min_value:
            raise FieldError(f"Ensure this value is greater than or equal to {spec.min_value}.")
        if spec.max_value is not None and number > spec.max_value:
            raise FieldError(f"Ensure this value is less than or equal to {spec.max_value}.")
        return number
    if spec.type == "boolean":
        if not isinstance(value, str | int):  # also keeps unhashable JSON values out of the set lookups
            raise FieldError("Must be a valid boolean.")
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise FieldError("Must be a valid boolean.")
    if spec.type == "decimal":
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise InvalidOperation(value)
        except (InvalidOperation, ValueError) as exc:
            raise FieldError("A valid number is required.") from exc
        places = spec.decimal_places or 0
        _, digits, exponent = number.as_tuple()
        decimals = max(0, -int(exponent))
        whole = max(0, len(digits) - decimals)
        if spec.max_digits is not None and whole + places > spec.max_digits:
            raise FieldError(f"Ensure that there are no more than {spec.max_digits} digits in total.")
        if decimals > places:
            raise FieldError(f"Ensure that there are no more than {places} decimal places.")
        return f"{number:.{places}f}"  # COERCE_DECIMAL_TO_STRING, quantized like DRF's to_representation
    if spec.type == "date":
        text = str(value)
        if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.replace("-", "").isdigit():
            raise FieldError("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
        return text
    if spec.type == "field" and spec.related:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise FieldError(f"Incorrect type. Expected pk value, received {type(value).__name__}.")
        try:
            pk = int(value)
        except ValueError as exc:
            raise FieldError(f"Incorrect type. Expected pk value, received {type(value).__name__}.") from exc
        if not exists(spec.related, pk):
            raise FieldError(f'Invalid pk "{value}" - object does not exist.')
        return pk
    return value


def validate(
    specs: Sequence[FieldSpec],
    data: Any,
    *,
    partial: bool,
    exists: Callable[[str, int], bool],
    taken: Callable[[str, Any], bool],
    model_name: str,
) -> tuple[Row, Row]:
    """(validated values, errors) for a write body, like a ModelSerializer's is_valid().

    ``taken(field, value)`` says whether another record already holds a unique value. Fields missing
    from a PUT keep their value, as DRF's update() only sets what was validated.
    """
    if not isinstance(data, dict):
        kind = {list: "list", str: "str", int: "int", float: "float", bool: "bool"}.get(type(data), "NoneType")
        return {}, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
    clean: Row = {}
    errors: Row = {}
    for spec in specs:
        if spec.read_only:
            continue
        if spec.name not in data:
            if spec.required and not partial:
                errors[spec.name] = ["This field is required."]
            continue
        value = data[spec.name]
        if value is None or (value == "" and spec.allow_null and spec.type != "string"):
            if spec.allow_null:
                clean[spec.name] = None
            else:
                errors[spec.name] = ["This field may not be null."]
            continue
        try:
            clean[spec.name] = _to_internal(spec, value, exists)
        except FieldError as exc:
            errors[spec.name] = [str(exc)]
            continue
        if spec.unique and clean[spec.name] not in (None, "") and taken(spec.name, clean[spec.name]):
            errors[spec.name] = [f"{model_name} with this {spec.title.lower()} already exists."]
    return clean, errors
