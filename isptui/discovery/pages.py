"""Page envelopes and vendor error envelopes: DRF ``count/next/previous/results``, bare arrays, ISPCRM
``{"success","data"}``, Carbon ``{"call","result"|"error"}`` and Trisul's HTTP-200 errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

from isptui.discovery._common import as_int, clean_text, describe, expect_dict, guarded, malformed
from isptui.discovery.urls import rebase, resolve, same_origin
from isptui.errors import (
    AuthFailed,
    BackendError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    error_for_status,
)

_MAX_MESSAGE = 300
# ISPCRM's data may hold the list under one of these keys (its envelope is unverified, docs/ispcrm.md §3).
_LIST_KEYS = ("results", "items", "records", "rows")
_TOTAL_KEYS = ("count", "total")
_TRISUL_ERROR_STATUSES = frozenset({"error", "failed", "failure", "not found"})


@dataclass(frozen=True)
class ParsedPage:
    """One page as the wire gave it: raw item objects, the total when known, absolute next/previous URLs."""

    items: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    next: str | None = None
    previous: str | None = None


def error_for_message(message: str, status: int | None = None) -> type[BackendError]:
    """The BackendError class for a vendor error text, by HTTP status when it says more, else by wording.

    Why wording: Trisul and ISPCRM report errors with HTTP 200, so the text is all there is.
    """
    if status is not None and status >= 400:
        return error_for_status(status)
    text = message.lower()
    if any(w in text for w in ("token", "unauthori", "authenticat", "credential")):
        return AuthFailed
    if any(w in text for w in ("not allowed", "permission", "forbidden", "access denied")):
        return PermissionDenied
    if any(w in text for w in ("not found", "does not exist", "doesnotexist", "no such", "invalid context")):
        return NotFound
    if any(w in text for w in ("already exists", "duplicate", "multipleobjectsreturned")):
        return Conflict
    if any(w in text for w in ("required", "invalid", "validation", "must be", "too long")):
        return ValidationFailed
    return BackendError


def _message(value: object, default: str) -> str:
    if isinstance(value, dict | list):
        value = next((v for v in (value.values() if isinstance(value, dict) else value)
                      if isinstance(v, str)), None)
    return clean_text(value, _MAX_MESSAGE) or default


def _raise(message: str, status: int | None) -> NoReturn:
    raise error_for_message(message, status)(message, status=status)


def _success(value: object) -> bool | None:
    if value is True or value in (1, "1") or (isinstance(value, str) and value.lower() == "true"):
        return True
    if value is False or value in (0, "0") or (isinstance(value, str) and value.lower() == "false"):
        return False
    return None


@guarded("ISPCRM response")
def unwrap_ispcrm(doc: object, *, status: int | None = None) -> Any:
    """``data`` of an ISPCRM ``{"success": true|"true", "data": …}`` envelope.

    Raises the matching BackendError for ``{"status": "error", "message": …}`` or ``success`` false
    (class chosen by ``status`` when given, else by the message). A body without envelope keys is returned
    unchanged: the envelope is unverified (docs/ispcrm.md §3), so an unwrapped body is not called malformed.
    """
    doc = expect_dict(doc, "ISPCRM response")
    if isinstance(doc.get("status"), str) and doc["status"].strip().lower() == "error":
        _raise(_message(doc.get("message"), "The server reported an error"), status)
    if "success" not in doc:
        return doc
    ok = _success(doc["success"])
    if ok is None:
        raise malformed("ISPCRM response", f"'success' is {describe(doc['success'])}")
    if not ok:
        _raise(_message(doc.get("message", doc.get("error")), "The server reported failure"), status)
    return doc.get("data")


@guarded("Carbon response")
def unwrap_carbon(doc: object, *, status: int | None = None) -> Any:
    """``result`` of a Carbon ``{"call": …, "result": …}`` envelope; raises for a non-empty ``error``.

    A non-empty ``error`` means failure (docs/carbon.md §5.2); Django's "matching query does not exist"
    becomes NotFound, other texts are classified by :func:`error_for_message`. ``result`` may legitimately be
    false or null (``check_pass``), so only its absence is malformed.
    """
    doc = expect_dict(doc, "Carbon response")
    error = doc.get("error")
    if error not in (None, "", False, [], {}):
        _raise(_message(error if not isinstance(error, bool) else None, "Carbon reported an error"), status)
    if "result" not in doc:
        raise malformed("Carbon response", f"no 'result' and no 'error' in {describe(doc)}")
    return doc["result"]


def trisul_error(doc: object) -> str | None:
    """The message of a Trisul error body (``{"status": "ERROR"|"Error", "message": …}``), else None.

    Case-insensitive; "failed" and "not found" (Trisul's user API) count too. Errors come with HTTP 200
    (docs/trisul.md §4.3), so the adapter must ask this of every body.
    """
    if not isinstance(doc, dict):
        return None
    state = doc.get("status")
    if not isinstance(state, str) or state.strip().lower() not in _TRISUL_ERROR_STATUSES:
        return None
    return _message(doc.get("message"), "Trisul reported an error")


def _items(value: list[Any]) -> list[dict[str, Any]]:
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            # A row that is not an object cannot become a record; failing beats silently dropping rows.
            raise malformed("page", f"item {index} is {describe(item)}, expected an object")
    return list(value)


def _page_url(value: object, base_url: str, key: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        url = resolve(value, base_url)
    except BackendError as exc:
        raise malformed("page", f"'{key}' is not a usable URL ({exc.message})") from exc
    return url if same_origin(url, base_url) else rebase(url, base_url)


def _total(doc: dict[str, Any]) -> int | None:
    for key in _TOTAL_KEYS:
        if key in doc and doc[key] is not None:
            total = as_int(doc[key])
            if total is None:
                raise malformed("page", f"'{key}' is {describe(doc[key])}, expected a count")
            return total
    return None


def _from_object(doc: dict[str, Any], base_url: str) -> ParsedPage:
    for key in _LIST_KEYS:
        if isinstance(doc.get(key), list):
            return ParsedPage(items=_items(doc[key]), total=_total(doc),
                              next=_page_url(doc.get("next"), base_url, "next"),
                              previous=_page_url(doc.get("previous"), base_url, "previous"))
    return ParsedPage(items=[doc], total=1)


@guarded("page")
def parse_page(doc: object, *, base_url: str) -> ParsedPage:
    """Items, total and next/previous of one list response, whatever envelope the vendor uses.

    Accepts a bare array (Splynx, Trisul; total unknown), DRF ``count/next/previous/results`` with
    absolute or relative links (resolved against ``base_url``; absolute ones naming another host are
    rebased onto ``base_url``'s origin, see :func:`urls.rebase`), ISPCRM ``{"success","data"}`` (a data
    object without a list is one item) and Carbon ``{"call","result"}``. Error envelopes raise their
    BackendError; anything else raises ``MalformedResponse``.
    """
    if isinstance(doc, list):
        return ParsedPage(items=_items(doc))
    doc = expect_dict(doc, "page")
    if (message := trisul_error(doc)) is not None:
        _raise(message, None)
    if "call" in doc and ("result" in doc or "error" in doc):
        result = unwrap_carbon(doc)
        if isinstance(result, dict):
            return ParsedPage(items=[result], total=1)
        if not isinstance(result, list):
            raise malformed("page", f"Carbon result is {describe(result)}, expected a list")
        return ParsedPage(items=_items(result), total=len(result))
    if "success" in doc:
        data = unwrap_ispcrm(doc)
        if isinstance(data, list):
            return ParsedPage(items=_items(data))
        if isinstance(data, dict):
            return _from_object(data, base_url)
        raise malformed("page", f"'data' is {describe(data)}, expected a list or an object")
    if isinstance(doc.get("results"), list):
        return _from_object(doc, base_url)
    raise malformed("page", f"expected an array or a page object, got {describe(doc)}")
