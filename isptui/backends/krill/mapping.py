"""Krill (DRF) JSON to the resource model, the filter syntax to query parameters, DRF errors to errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from isptui.backends.http_backend import maybe_json, retry_after, where_of
from isptui.backends.krill.descriptor import DESCRIPTOR
from isptui.discovery.links import parse_links
from isptui.errors import (
    AuthFailed,
    BackendError,
    MalformedResponse,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationFailed,
    error_for_status,
)
from isptui.http.redact import Redactor
from isptui.model import Capabilities, Record, ResourceRef

# When a root does not answer (404, HTML, garbage), these collections are offered instead. From the guide
# (docs/krill.md §2.5): the ISP resources, monitoring, oratio accounting and rubik services and tickets.
FALLBACK_CATALOGUE: dict[str, tuple[tuple[str, str], ...]] = {
    "isp": (("cpes", "CPEs"), ("customers", "Customers"), ("potses", "POTS lines"),
            ("cpe-profiles", "CPE profiles")),
    "oratio": (("accounting", "Accounting"),),
    "rubik": (("services", "Services"), ("tickets", "Tickets")),
}
# Apps under the root that are not resources to browse.
SKIP_APPS = frozenset({"auth", "me"})

# Columns fetched for list pages (``attrs``), so a page of 50 CPEs does not carry 50 ``_links`` blocks.
# Chosen from the guide's field lists; unknown resources get the full objects.
LIST_ATTRS: dict[str, tuple[str, ...]] = {
    "isp/cpes": ("id", "cpename", "sn", "customer", "model", "tech", "active", "realm", "external_id"),
    "isp/customers": ("id", "name", "surname", "external_id", "city", "realm"),
    "isp/potses": ("id", "lineid", "label", "cli", "username"),
}
NO_CAPABILITIES = Capabilities()
"""Shared by records whose collection has not said what it allows (frozen, so sharing is safe)."""
TITLE_FIELDS = ("cpename", "lineid", "name", "title", "label", "username", "sn", "external_id")

FILTER_HINT = DESCRIPTOR.filter_help  # declared with the backend (plug-in contract)
_TERM = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*=\s*(.*?)\s*$")


def filter_params(text: str | None) -> list[tuple[str, str]]:
    """``realm=pim, sn=X`` → DRF filter params; plain words → ``search`` (DRF SearchFilter; Rubik uses it)."""
    params: list[tuple[str, str]] = []
    words: list[str] = []
    for raw in (text or "").split(","):
        if not raw.strip():
            continue
        match = _TERM.match(raw)
        if match:
            params.append((match.group(1), match.group(2)))
        else:
            words.append(raw.strip())
    if words:
        params.append(("search", " ".join(words)))
    return params


def record_title(data: Mapping[str, Any], rid: str | None, fallback: str) -> str:
    name, surname = data.get("name"), data.get("surname")
    if isinstance(name, str) and name and isinstance(surname, str) and surname:
        return f"{name} {surname}"
    for key in TITLE_FIELDS:
        value = data.get(key)
        if value not in (None, "") and not isinstance(value, dict | list):
            return str(value)
    return f"{fallback} #{rid}" if rid else fallback


def to_record(data: Any, *, ref: ResourceRef, url: str, origin: str,
              capabilities: Capabilities | None = None) -> Record:
    """A Krill object as a Record: ``_links.links`` become Links, ``_links.actions`` Actions."""
    if not isinstance(data, dict):
        raise MalformedResponse(f"Krill sent {type(data).__name__} where a record was expected",
                                method="GET", url=url)
    links, actions = parse_links(data.get("_links"), base_url=origin)
    fields = {k: v for k, v in data.items() if k != "_links"}
    rid = ref.id
    if rid is None and data.get("id") is not None:
        rid = str(data["id"])
    if ref.id is None and rid is not None:
        ref = ResourceRef(collection=ref.collection, id=rid, href=ref.href)
    label = (ref.collection or "record").rsplit("/", 1)[-1]
    # The links were built (and checked) by parse_links, the rest here: nothing left to validate.
    return Record.trusted(ref=ref, title=record_title(data, rid, label), fields=fields, links=tuple(links),
                          actions=tuple(actions), raw=data, capabilities=capabilities or NO_CAPABILITIES)


# -- errors ----------------------------------------------------------------------------------------
def _flatten(value: Any, prefix: str, out: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, inner in enumerate(value):
            _flatten(inner, f"{prefix}[{i}]", out)
    elif isinstance(value, list):
        out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
    elif value is not None:
        out.setdefault(prefix or "non_field_errors", []).append(str(value))


def field_errors(body: Any) -> dict[str, list[str]]:
    """DRF's 400 body ``{"field": ["msg"], "non_field_errors": [...]}`` (nested serializers as ``a.b``)."""
    out: dict[str, list[str]] = {}
    if isinstance(body, dict) and set(body) != {"detail"}:
        _flatten(body, "", out)
    elif isinstance(body, list):
        _flatten(body, "non_field_errors", out)
    return out


def _detail(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"].strip()[:300]
    return ""


def error_from_response(response: httpx.Response, redactor: Redactor | None = None) -> BackendError:
    """The typed error for a failed Krill exchange; DRF ``{"detail"}`` gives the message."""
    redactor = redactor or Redactor()
    where = where_of(response, redactor)
    status = response.status_code
    body = maybe_json(response)
    detail = redactor.message(_detail(body), 200)
    suffix = f": {detail}" if detail else ""
    if status == 400:
        errors = {redactor.message(k, 100): [redactor.message(m, 200) for m in v]
                  for k, v in field_errors(body).items()}
        summary = detail or "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()) or "invalid input"
        return ValidationFailed(f"Krill rejected the input: {summary}", field_errors=errors, **where)
    if status == 401:
        return AuthFailed(f"Krill refused the session{suffix}; log in again", **where)
    if status == 403:
        return PermissionDenied(f"This Krill user may not do that{suffix}", **where)
    if status == 404:
        return NotFound(f"Krill has no such record or endpoint{suffix}", **where)
    if status == 405:
        return NotSupported(f"Krill does not allow {response.request.method} here{suffix}", **where)
    if status == 429:
        return RateLimited(f"Krill asks to slow down{suffix}; try again shortly",
                           retry_after=retry_after(response), **where)
    if status >= 500:
        return ServerError(f"Krill failed with {status}{suffix}; try again or check the server", **where)
    return error_for_status(status)(f"Krill answered {status}{suffix}", **where)
