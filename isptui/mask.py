"""The one personal-data mask: names, emails, phones, street addresses, IPs and MACs, partly hidden.

Used wherever a person can see or copy data (tables, record views, raw JSON, the request log, clipboard
copies, screenshots, exports), so screens can be shared and pasted into tickets. Personal data is found
by field name (``email``, ``PhoneNumber``, ``street_1``, …; per backend where its schema names it) and by
value shape (emails, IPv4/IPv6 addresses, MACs anywhere in a string, including free text and URLs).

A masked value keeps a little of its shape (``Ol•••``, ``10.0.•.•``, ``•••@example.net``) plus a short
tag derived from the value with a key made for this session, so the same value masks the same way all
session long (rows stay tellable apart) while another session's tags cannot be matched against it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from typing import Any

DOT = "•"
ENV = "ISPTUI_MASK"

# Field names (lower-cased, without separators) and the kind of data they hold.
_NAME_KEYS = {"name", "fullname", "firstname", "lastname", "surname", "middlename", "contactname",
              "contactperson", "billingname", "fio", "ownername", "customername", "displayname"}
_EMAIL_KEYS = {"email", "mail", "billingemail", "emailaddress", "contactemail"}
_PHONE_KEYS = {"phone", "phonenumber", "altphonenumber", "mobile", "mobilephone", "telephone", "tel", "fax",
               "sms", "cell", "contactphone", "ahomenumber"}
_ADDRESS_KEYS = {"address", "street", "street1", "street2", "addressline1", "addressline2", "zip", "zipcode",
                 "postalcode", "postcode", "gps", "latitude", "longitude", "housenumber", "apartment",
                 "billingaddress", "installationaddress"}
_IP_KEYS = {"ip", "ipv4", "ipv6", "ipaddress", "framedip", "framedipaddress", "remoteip", "ipaddr", "wanip"}
_MAC_KEYS = {"mac", "macaddress", "hwaddr", "callingstationid"}

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+(?:@|%40)([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
"""Also URL-encoded (``%40``), as an email sits in a query string or a copied curl command."""
IPV4_RE = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
MAC_RE = re.compile(r"(?<![0-9A-Fa-f:\-])([0-9A-Fa-f]{2}[:\-][0-9A-Fa-f]{2}[:\-][0-9A-Fa-f]{2})"
                    r"(?:[:\-][0-9A-Fa-f]{2}){3}(?![0-9A-Fa-f:\-])")
IPV6_RE = re.compile(r"(?<![0-9A-Fa-f:])([0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}):(?:[0-9A-Fa-f]{0,4}:){1,6}"
                     r"[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])")
PHONE_RE = re.compile(r"(?<![\w+])\+\d[\d ()\-]{6,}\d(?!\w)")
"""International numbers in free text (a ``+`` and at least eight digits); local ones are found by name."""
_SHAPES = {"email": EMAIL_RE.pattern, "mac": MAC_RE.pattern, "ipv6": IPV6_RE.pattern, "ipv4": IPV4_RE.pattern,
           "phone": PHONE_RE.pattern}
# Inner groups renamed away: the alternation only needs to know which shape matched.
_ANY_RE = re.compile("|".join(f"(?P<{k}>{re.sub(r'[(](?![?])', '(?:', v)})" for k, v in _SHAPES.items()))


def _kind(key: str) -> str | None:
    norm = re.sub(r"[^a-z0-9]", "", key.lower())
    for kind, keys in (("name", _NAME_KEYS), ("email", _EMAIL_KEYS), ("phone", _PHONE_KEYS),
                       ("address", _ADDRESS_KEYS), ("ip", _IP_KEYS), ("mac", _MAC_KEYS)):
        if norm in keys:
            return kind
    if norm.endswith(("email", "phone", "address")):
        return "email" if norm.endswith("email") else "phone" if norm.endswith("phone") else "address"
    return None


def env_wants_mask(environ: Mapping[str, str] | None = None) -> bool:
    """``ISPTUI_MASK=1`` (or true/yes/on) asks for the mask from the start."""
    value = (environ if environ is not None else os.environ).get(ENV, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


class Masker:
    """Masks personal data in records, JSON values and text; stable for this instance (one session)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(16)

    def tag(self, value: str) -> str:
        """Five characters that tell masked values apart (a clash among 200 rows: about 2 %), stable all session."""
        digest = hmac.new(self._key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        return digest[:5]

    # -- one value of a known kind -------------------------------------------------------------------
    def _email(self, match: re.Match[str]) -> str:
        return f"{DOT * 3}{self.tag(match.group(0))}@{match.group(1)}"

    def _ipv4(self, match: re.Match[str]) -> str:
        return f"{match.group(1)}.{match.group(2)}.{DOT}.{DOT}~{self.tag(match.group(0))}"

    def _ipv6(self, match: re.Match[str]) -> str:
        return f"{match.group(1)}:{DOT}~{self.tag(match.group(0))}"

    def _mac(self, match: re.Match[str]) -> str:
        sep = match.group(0)[2]
        return f"{match.group(1)}{sep}{DOT * 2}{sep}{DOT * 2}{sep}{DOT * 2}~{self.tag(match.group(0))}"

    def _phone(self, match: re.Match[str]) -> str:
        text = match.group(0)
        return f"{text[:3]}{DOT * 3}{self.tag(text)}"

    def text(self, text: str) -> str:
        """Free text with every email, IP, MAC and international phone number in it masked.

        One pass over one alternation, so masked output is never scanned again (a MAC is also a valid
        IPv6 shape; the first alternative that matches at a position wins).
        """
        if not text:
            return text
        return _ANY_RE.sub(self._one, text)

    def _one(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        inner = re.fullmatch(_SHAPES[kind], match.group(0))  # type: ignore[index]
        assert inner is not None
        return {"email": self._email, "mac": self._mac, "ipv6": self._ipv6, "ipv4": self._ipv4,
                "phone": self._phone}[kind](inner)  # type: ignore[index]

    def scalar(self, kind: str, value: str) -> str:
        """A string value of a field known to hold ``kind`` of personal data."""
        if not value.strip():
            return value
        if kind == "name":
            return f"{value.strip()[:2]}{DOT * 3}{self.tag(value)}"
        if kind == "phone":
            return f"{value.strip()[:3]}{DOT * 3}{self.tag(value)}"
        if kind == "address":
            return f"{DOT * 3}{self.tag(value)}"
        masked = self.text(value)
        if masked == value:  # the field says email/IP/MAC but the shape is unusual: hide it all
            return f"{DOT * 3}{self.tag(value)}"
        return masked

    # -- structures ----------------------------------------------------------------------------------
    def value(self, value: Any, key: str | None = None) -> Any:
        """A JSON value with personal data masked; ``key`` is the field it sits under, if any."""
        kind = _kind(key) if key else None
        if isinstance(value, Mapping):
            # A nested object under a personal key (an address object) is masked field by field.
            return {k: self.value(v, str(k) if kind is None else key if _kind(str(k)) is None else str(k))
                    for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v, key) for v in value]
        if isinstance(value, str):
            return self.scalar(kind, value) if kind else self.text(value)
        if kind is not None and value is not None and not isinstance(value, bool):
            return self.scalar(kind, str(value))  # numbers under a personal key (coordinates, phone digits)
        return value

    def fields(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A record's fields, masked."""
        return {k: self.value(v, k) for k, v in fields.items()}

    def title(self, title: str, fields: Mapping[str, Any]) -> str:
        """A record's title (often its person's name) with each personal field value in it masked.

        Titles are made by adapters from fields (``name``, ``name`` + ``surname``), so the personal values
        of the record's own fields are what to look for; longest first, so a full name wins over a part.
        """
        found = sorted(((str(v), kind) for k, v in fields.items() if isinstance(v, str | int) and
                        not isinstance(v, bool) and (kind := _kind(k)) and len(str(v).strip()) > 1),
                       key=lambda pair: -len(pair[0]))
        for value, kind in found:
            if value in title:
                title = title.replace(value, self.scalar(kind, value))
        return self.text(title)

    def json_text(self, text: str) -> str:
        """A body that may be JSON: masked by field name when it parses, by shape otherwise."""
        import json

        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            return self.text(text)
        return json.dumps(self.value(data), ensure_ascii=False, indent=2 if "\n" in text else None)


class MaskState:
    """Whether the mask is on for this session, and the session's Masker; ``m`` toggles it."""

    def __init__(self, on: bool = False, masker: Masker | None = None) -> None:
        self.on = on
        self.masker = masker or Masker()

    def toggle(self) -> bool:
        self.on = not self.on
        return self.on

    def fields(self, fields: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.masker.fields(fields) if self.on else fields

    def value(self, value: Any, key: str | None = None) -> Any:
        return self.masker.value(value, key) if self.on else value

    def text(self, text: str) -> str:
        return self.masker.text(text) if self.on else text

    def json_text(self, text: str) -> str:
        return self.masker.json_text(text) if self.on else text

    def title(self, title: str, fields: Mapping[str, Any]) -> str:
        return self.masker.title(title, fields) if self.on else title
