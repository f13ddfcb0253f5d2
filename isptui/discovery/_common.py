"""Helpers shared by the discovery parsers: bounded descriptions, text cleaning, lenient scalars, the guard.

Every public parser is wrapped in :func:`guarded`, so a surprise deep inside (a huge integer that cannot be
printed, a pydantic refusal) still reaches the caller as ``MalformedResponse`` and never as a traceback.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from isptui.errors import BackendError, MalformedResponse

P = ParamSpec("P")
R = TypeVar("R")

MAX_DEPTH = 16
"""Nesting deeper than this in a schema is refused: no real serializer nests so deep, a hostile body might."""
MAX_LABEL = 200
MAX_HELP = 1000
MAX_NAME = 256
"""Longer field names or rels are not names a server meant for people; such entries are skipped."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|pwd|psw|secret|token|api_?key|private_?key|pin|otp_secret|psk|wpa_?key"
    r"|pre_?shared_?key|passphrase)(?:$|_)",
    re.IGNORECASE,
)
_MULTILINE_NAMES = frozenset({"notes", "note", "comment", "comments", "description", "memo", "message"})
_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f", ""})


def describe(value: object) -> str:
    """A short, bounded description of a JSON value for error messages (never a full repr of hostile data)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        head = _CONTROL.sub("?", value[:40])
        return f"a string {head!r}" + ("…" if len(value) > 40 else "")
    if isinstance(value, dict):
        keys = [k if isinstance(k, str) else "?" for k in list(value)[:5]]
        shown = ", ".join(_CONTROL.sub("?", k[:30]) for k in keys)
        more = ", …" if len(value) > 5 else ""
        return f"an object with keys ({shown}{more})" if value else "an empty object"
    if isinstance(value, list | tuple):
        return f"an array of {len(value)} items"
    return f"a {type(value).__name__}"


def clean_text(value: object, limit: int = MAX_LABEL) -> str | None:
    """A server string fit for a label: control characters removed, length bounded, None if not a string."""
    if not isinstance(value, str):
        return None
    text = _CONTROL.sub("", value[: limit * 2]).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


def usable_name(value: object) -> str | None:
    """A field name or rel as given, or None when it is not a sensible one (empty, huge, control chars)."""
    if not isinstance(value, str) or not value or len(value) > MAX_NAME or _CONTROL.search(value):
        return None
    return value


def as_bool(value: object) -> bool:
    """Vendor flags come as true/1/"1"/"true"; anything unrecognised counts as False (the safe default)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return False


def as_flag(value: object) -> bool | None:
    """Like :func:`as_bool` but None when the value is not recognisably a flag at all."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def as_int(value: object) -> int | None:
    """A non-negative integer from an int or a digit string (lengths); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and 0 < len(value) <= 18 and value.isdigit():
        return int(value)
    return None


def as_number(value: object) -> float | None:
    """A finite number from a JSON number or a numeric string (DRF may render Decimal bounds as strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str) and 0 < len(value) <= 64:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def choice_value(value: object) -> str | None:
    """A choice value as the string FieldSpec holds; None when it is not a scalar."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)[:MAX_NAME]
    return None


def secret_name(name: str) -> bool:
    """Field names that hold secrets (``pppoe_password``, ``api_key``…) so the UI masks them."""
    return bool(_SECRET_NAME.search(name))


def multiline_name(name: str) -> bool:
    """Free-text fields that deserve a text area rather than one line."""
    return name.lower() in _MULTILINE_NAMES


def guarded(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn any unexpected failure of a parser into ``MalformedResponse`` naming ``what`` was being parsed.

    Expected problems are raised as ``BackendError`` subclasses inside the parsers and pass through; the
    catch below is the last line for what hostile input can still trigger (recursion, unprintable ints).
    """

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except BackendError:
                raise
            except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError,
                    OverflowError) as exc:
                raise MalformedResponse(f"Could not read the {what}: {type(exc).__name__}") from exc

        return inner

    return wrap


def malformed(what: str, problem: str) -> MalformedResponse:
    """``MalformedResponse`` with a one-line, bounded message: what was being read and what was wrong."""
    return MalformedResponse(f"The {what} is malformed: {problem}"[:400])


def expect_dict(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else a ``MalformedResponse`` saying what came instead."""
    if not isinstance(value, dict):
        raise malformed(what, f"expected an object, got {describe(value)}")
    return value


# Verb prefixes of ISPCRM-style keys that say nothing about the resource: list_users -> Users.
_PREFIXES = ("list_", "get_", "all_", "view_", "show_")
# Abbreviations that read wrong when merely capitalised (isp -> ISP, cpes -> CPEs).
_ACRONYMS = {
    "isp": "ISP", "pbx": "PBX", "api": "API", "crm": "CRM", "cpe": "CPE", "cpes": "CPEs", "ip": "IP",
    "ipv4": "IPv4", "ipv6": "IPv6", "ipdr": "IPDR", "gpon": "GPON", "acs": "ACS", "voip": "VoIP",
    "dhcp": "DHCP", "pots": "POTS", "onu": "ONU", "onus": "ONUs", "olt": "OLT", "olts": "OLTs",
    "nas": "NAS", "sms": "SMS", "vat": "VAT", "tr069": "TR-069", "docsis": "DOCSIS", "wimax": "WiMAX",
    "cdr": "CDR", "cdrs": "CDRs", "cwmp": "CWMP", "mac": "MAC", "id": "ID", "sn": "SN",
}


def title_for(key: str) -> str:
    """A human title for a root key: ``list_users`` -> ``Users``, ``cpe-profiles`` -> ``CPE profiles``."""
    name = key
    for prefix in _PREFIXES:
        if name.lower().startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
            break
    words = [w for w in re.split(r"[_\-\s]+", name) if w]
    if not words:
        return key
    shown = [_ACRONYMS.get(w.lower(), w) for w in words]
    first = shown[0]
    shown[0] = first if first in _ACRONYMS.values() else first[:1].upper() + first[1:]
    return " ".join(shown)
