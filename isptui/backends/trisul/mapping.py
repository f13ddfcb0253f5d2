"""Trisul IPDR customer JSON to the resource model, its HTTP-200 error bodies to typed errors, local filters.

Customer object (docs/trisul.md §4.2): ``{"id", "Name", "Address", "Email", "PhoneNumber",
"AltPhoneNumber", "UserID"}``; ``UserID`` is the key used in paths, ``id`` an integer surrogate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from isptui.backends.trisul.descriptor import DESCRIPTOR
from isptui.discovery import trisul_error
from isptui.errors import (
    AuthFailed,
    BackendError,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from isptui.http.redact import Redactor
from isptui.model import Capabilities, FieldSpec, FieldType, Record, ResourceRef, Schema

COLLECTION = "ipdrcustomers"
KEY = "UserID"
FIELDS = ("UserID", "Name", "Address", "Email", "PhoneNumber", "AltPhoneNumber")
"""The six writable fields; PUT needs all of them (docs/trisul.md §4.2)."""
CAPABILITIES = Capabilities(can_create=True, can_update=True, can_delete=True, partial_update=True)
FILTER_HINT = DESCRIPTOR.filter_help  # declared with the backend (plug-in contract)

SCHEMA = Schema(source="adapter knowledge (Trisul IPDR customers API)", fields=(
    FieldSpec(name="id", label="ID", type=FieldType.INTEGER, read_only=True,
              help="Trisul's internal number; the key is UserID"),
    FieldSpec(name="UserID", label="User ID", required=True, min_length=1,
              help="The customer's key in paths; required on create and cannot be changed afterwards"),
    FieldSpec(name="Name", required=True, min_length=1),
    FieldSpec(name="Address", multiline=True),
    FieldSpec(name="Email"),
    FieldSpec(name="PhoneNumber", label="Phone number", help="Text: keep leading + and zeros"),
    FieldSpec(name="AltPhoneNumber", label="Alternate phone number"),
))

_TERM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=|~)\s*(.*?)\s*$")


def record_title(row: Mapping[str, Any]) -> str:
    """The customer's name, else its UserID: what an operator recognises in a list."""
    for key in ("Name", KEY):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return f"IPDR customer #{row.get('id')}"


def to_record(row: Any, *, url: str) -> Record:
    """One customer as a Record keyed by ``UserID``; ``raw`` is the object as received."""
    if not isinstance(row, dict) or row.get(KEY) in (None, ""):
        raise MalformedResponse("Trisul sent a customer without a UserID", method="GET", url=url)
    # Built without validation: the key is made a str here and the title by record_title.
    ref = ResourceRef.trusted(collection=COLLECTION, id=str(row[KEY]))
    return Record.trusted(ref=ref, title=record_title(row), fields=dict(row), raw=row, capabilities=CAPABILITIES)


def matches(row: Mapping[str, Any], text: str | None) -> bool:
    """Whether a customer passes a filter text (case-insensitive; every term must hold)."""
    for raw in (text or "").split(","):
        if not raw.strip():
            continue
        term = _TERM.match(raw)
        if term and term.group(1) in row:
            have = str(row.get(term.group(1)) or "").casefold()
            want = term.group(3).casefold()
            if (term.group(2) == "=" and have != want) or (term.group(2) == "~" and want not in have):
                return False
        elif not any(raw.strip().casefold() in str(v or "").casefold() for v in row.values()):
            return False
    return True


def _field_errors(message: str) -> dict[str, list[str]]:
    """Fields a validation message names (Rails full messages: "Name can't be blank, UserID …")."""
    named = [f for f in FIELDS if re.search(rf"\b{f}\b", message)]
    return {f: [message] for f in named} or {"non_field_errors": [message]}


def body_error(body: Any, *, method: str, url: str, status: int, redactor: Redactor,
               user_id: str | None = None) -> BackendError | None:
    """The typed error for a Trisul error body (``{"status": "ERROR"|"Error", "message"}``), else None.

    Classified by wording, since the documented errors come with HTTP 200 (docs/trisul.md §4.3).
    """
    said = trisul_error(body)
    if said is None:
        return None
    text = redactor.message(said, 200)
    low = text.lower()
    where: dict[str, Any] = {"method": method, "url": url, "status": status}
    if "token" in low or "unauthori" in low or "authenticat" in low:
        return AuthFailed(f"Trisul refused the credentials: {text}; check --username and --api-token", **where)
    if "not allowed" in low or "permission" in low:
        return PermissionDenied(f"Trisul: {text}; ask for access or choose another --context", **where)
    if "context" in low:
        return AuthFailed(f"Trisul: {text}; check --context", "Unknown context", **where)
    if "not found" in low or "doesn't exist" in low or "does not exist" in low:
        what = f" {user_id}" if user_id else ""
        return NotFound(f"Trisul has no IPDR customer{what}: {text}; refresh the list", **where)
    if any(w in low for w in ("taken", "duplicate", "already", "blank", "missing", "required",
                              "validation", "invalid", "must be")):
        return ValidationFailed(f"Trisul rejected the input: {text}", field_errors=_field_errors(text), **where)
    return BackendError(f"Trisul reported an error: {text}", **where)


def find(rows: Sequence[Mapping[str, Any]], user_id: str) -> Mapping[str, Any] | None:
    """The customer whose UserID is ``user_id`` (exact, as paths use it)."""
    return next((row for row in rows if str(row.get(KEY)) == user_id), None)
