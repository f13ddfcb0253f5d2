"""Splynx JSON to the resource model, the filter syntax to ``main_attributes``, error bodies to errors."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from isptui.backends.http_backend import maybe_json, retry_after, where_of
from isptui.backends.splynx.catalogue import Entry, customer_links
from isptui.backends.splynx.descriptor import DESCRIPTOR
from isptui.errors import (
    AuthFailed,
    BackendError,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationFailed,
    error_for_status,
)
from isptui.http.redact import Redactor
from isptui.model import Action, FieldSpec, Lazy, Link, Record, ResourceRef

UPLOAD_PARAMETERS = (
    FieldSpec(name="path", label="File", required=True, help="a local file, at most 20 MB"),
    FieldSpec(name="title", label="Title"),
    FieldSpec(name="description", label="Description", multiline=True),
)
NOT_PERMITTED = "not permitted for this API key"

FILTER_HINT = DESCRIPTOR.filter_help  # declared with the backend (plug-in contract)
_TERM = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(!=|>=|<=|~|=|>|<)\s*(.*?)\s*$")
_OPS = {"=": None, "!=": "!=", ">=": ">=", "<=": "<=", ">": ">", "<": "<", "~": "LIKE"}


def parse_filter(text: str | None, search_field: str) -> list[tuple[str, str | None, str]]:
    """``status=active, name~durden`` → ``[("status", None, "active"), ("name", "LIKE", "durden")]``."""
    terms: list[tuple[str, str | None, str]] = []
    for raw in (text or "").split(","):
        if not raw.strip():
            continue
        match = _TERM.match(raw)
        if match:
            terms.append((match.group(1), _OPS[match.group(2)], match.group(3)))
        else:
            terms.append((search_field, "LIKE", raw.strip()))
    return terms


def filter_params(terms: list[tuple[str, str | None, str]]) -> list[tuple[str, str]]:
    """Bracketed query pairs as PHP's ``http_build_query`` writes them (the form Splynx parses)."""
    params: list[tuple[str, str]] = []
    for field, op, value in terms:
        group = "main_attributes"
        if field.startswith(("af.", "additional_attributes.")):
            group, field = "additional_attributes", field.split(".", 1)[1]
        if op is None:
            params.append((f"{group}[{field}]", value))
        else:
            params += [(f"{group}[{field}][0]", op), (f"{group}[{field}][1]", value)]
    return params


def record_id(data: Mapping[str, Any]) -> str | None:
    """Ids arrive as strings on older servers and ints on newer ones; the model keeps strings."""
    value = data.get("id")
    return None if value is None or value == "" else str(value)


def record_title(entry: Entry, data: Mapping[str, Any], rid: str | None) -> str:
    for name in entry.title_fields:
        value = data.get(name)
        if value not in (None, ""):
            return str(value)
    return f"{entry.title} #{rid}" if rid else entry.title


UPLOAD_DOCUMENT = Action(name="upload-document", method="POST", title="Upload a document",
                         href="admin/customers/customer-documents", parameters=UPLOAD_PARAMETERS)
"""Shared by every customer record: actions are immutable and the same for all of them."""
_SUB_KEYS = {"documents": "customer-documents"}


def customer_links_of(rid: str) -> tuple[Link, ...]:
    """The sub-collection links of one customer, built without validation: the adapter made every value."""
    return tuple(Link.trusted(rel=rel, href=link_href, title=title,
                              target=ResourceRef.trusted(href=link_href, collection=_SUB_KEYS.get(rel, rel)))
                 for rel, title, link_href in customer_links(rid))


def to_record(entry: Entry, data: Any, url: str, *, href: str | None = None) -> Record:
    """One Splynx object as a Record; ``href`` is set for records of per-customer sub-collections."""
    if not isinstance(data, dict):
        raise MalformedResponse(f"Splynx sent {type(data).__name__} where a record was expected",
                                url=url, method="GET")
    rid = record_id(data)
    links: Sequence[Link] = ()
    actions: tuple[Action, ...] = ()
    if entry.key == "customers":
        if rid is not None:
            # Built when the record is read, not for every listed row (see model.Lazy).
            links, actions = Lazy(customer_links_of, rid), (UPLOAD_DOCUMENT,)
    elif data.get("customer_id") not in (None, "", 0, "0"):
        cid = str(data["customer_id"])
        links = (Link.trusted(rel="customer", href=f"admin/customers/customer/{cid}", title="Customer",
                              target=ResourceRef.trusted(collection="customers", id=cid)),)
    # Every value below is a str or None made here (record_id, record_title) or the row itself, so the
    # checks the constructor would run are already true; a ref always has its collection.
    ref = ResourceRef.trusted(collection=entry.key, id=rid, href=href)
    return Record.trusted(ref=ref, title=record_title(entry, data, rid), fields=dict(data), links=links,
                          actions=actions, raw=data, capabilities=entry.capabilities())


# -- errors ----------------------------------------------------------------------------------------
def field_errors(body: Any) -> dict[str, list[str]]:
    """Per-field messages from whatever 422/400 body Splynx sends (its shape is undocumented).

    Accepted: Yii2's ``[{"field", "message"}]``, ``{"field": ["msg"]}`` / ``{"field": "msg"}``, and either
    nested under ``errors``, ``fields`` or the ``error`` envelope.
    """
    if isinstance(body, dict):
        for key in ("errors", "fields", "field_errors", "error"):
            if isinstance(body.get(key), (dict, list)):
                found = field_errors(body[key])
                if found:
                    return found
    out: dict[str, list[str]] = {}
    if isinstance(body, list):
        for item in body:
            if isinstance(item, dict) and "field" in item:
                out.setdefault(str(item["field"]), []).append(str(item.get("message", "invalid")))
        return out
    if isinstance(body, dict):
        # Yii2's exception body is {name, message, code, status, type}: those keys are not fields there.
        meta = {"message", "code", "internal_code", "status"}
        skip = meta | {"name", "type"} if meta & set(body) else set()
        for key, value in body.items():
            if key in skip:
                continue
            if isinstance(value, list) and all(isinstance(v, str) for v in value) and value:
                out[str(key)] = list(value)
            elif isinstance(value, str):
                out[str(key)] = [value]
    return out


def error_from_response(response: httpx.Response, redactor: Redactor | None = None) -> BackendError:
    """The typed error for a failed Splynx exchange, with its message from the error envelope."""
    redactor = redactor or Redactor()
    where = where_of(response, redactor)
    status = response.status_code
    body = maybe_json(response)
    envelope = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
    message = redactor.message(envelope.get("message") or "", 200)
    code = str(envelope.get("internal_code") or "")
    if status == 403:
        detail = f": {message}" if message else ""
        return PermissionDenied(f"This endpoint is {NOT_PERMITTED}{detail}", **where)
    if status == 401:
        return AuthFailed(f"Splynx refused the credentials ({code or message or 'unauthorized'}); "
                          "check the API key and secret", **where)
    if status == 404:
        return NotFound(f"Splynx has no such record or endpoint{': ' + message if message else ''}", **where)
    if status in (400, 422):
        errors = {redactor.message(k, 100): [redactor.message(m, 200) for m in v]
                  for k, v in field_errors(body).items()}
        summary = message or "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()) or "invalid input"
        return ValidationFailed(f"Splynx rejected the input: {summary}", field_errors=errors, **where)
    if status == 429:
        return RateLimited("Splynx asks to slow down; try again shortly",
                           retry_after=retry_after(response), **where)
    if status >= 500:
        return ServerError(f"Splynx failed with {status}{': ' + message if message else ''}; "
                           "try again or check the server log", **where)
    cls = error_for_status(status)
    return cls(f"Splynx answered {status}{': ' + message if message else ''}", **where)
