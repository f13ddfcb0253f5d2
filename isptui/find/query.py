"""Recognise what a Find query is (id, email, MAC, IP, phone, login, name) and normalise it.

One normaliser per kind, used both for the query and for the values records carry, so that a MAC
written ``AA-BB-CC-DD-EE-FF`` in one system matches ``aabb.ccdd.eeff`` in another.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

KINDS = ("id", "email", "mac", "ip", "phone", "login", "name")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEX = re.compile(r"[0-9a-f]")
_MAC_SHAPES = (
    re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$"),  # aa:bb:.. or aa-bb-..
    re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$"),  # Cisco aabb.ccdd.eeff
    re.compile(r"^[0-9a-f]{12}$"),  # bare
)
_PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
_LOGIN = re.compile(r"^[\w.@+-]{2,64}$")
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['’.-][^\W\d_]*)*$")
"""One word of a person's name: letters (any script), with an apostrophe, hyphen or dot inside (O'Neil)."""


def normalize_mac(text: str) -> str | None:
    t = text.strip().lower()
    if not any(p.match(t) for p in _MAC_SHAPES):
        return None
    digits = "".join(_HEX.findall(t))
    if len(digits) != 12 or digits.isdigit():  # twelve decimal digits is a phone or an id, not a MAC
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def normalize_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def normalize_email(text: str) -> str | None:
    t = text.strip()
    return t.lower() if _EMAIL.match(t) else None


def normalize_phone(text: str) -> str | None:
    t = text.strip()
    if not _PHONE.match(t):
        return None
    digits = re.sub(r"\D", "", t)
    return digits if 7 <= len(digits) <= 15 else None


def normalize_id(text: str) -> str | None:
    t = text.strip()
    return t.lstrip("0") or "0" if t.isdigit() and len(t) <= 9 else None


def normalize_login(text: str) -> str | None:
    t = text.strip()
    return t.lower() if _LOGIN.match(t) else None


def normalize_name(text: str) -> str | None:
    """A free-text person's name: words of letters separated by spaces, two letters or more in all; compared
    case-insensitively with its whitespace collapsed (``"  olivia   TAYLOR"`` -> ``"olivia taylor"``)."""
    words = text.split()
    if not words or len(words) > 8 or not all(_NAME_WORD.match(w) for w in words):
        return None
    joined = " ".join(words)
    if sum(c.isalpha() for c in joined) < 2 or len(joined) > 120:
        return None
    return joined.casefold()


def name_text(text: str) -> str:
    """A record's name field as Find compares it: whitespace collapsed, case folded (any characters kept)."""
    return " ".join(str(text).split()).casefold()


NORMALIZERS = {
    "id": normalize_id,
    "email": normalize_email,
    "mac": normalize_mac,
    "ip": normalize_ip,
    "phone": normalize_phone,
    "login": normalize_login,
    "name": normalize_name,
}


@dataclass(frozen=True)
class Query:
    text: str
    kinds: tuple[str, ...]
    """Every kind the text could be, most specific first; empty when it is none of them."""
    values: dict[str, str]
    """The normalised value per kind in ``kinds``."""

    @property
    def kind(self) -> str | None:
        return self.kinds[0] if self.kinds else None


def recognize(text: str) -> Query:
    """Every kind ``text`` can be read as. ``42`` is an id (and a login); ``+44 20 7946 0000`` a phone;
    ``Olivia Taylor`` a name; ``Popova`` both a login and a name; ``isp00042`` a login only."""
    values: dict[str, str] = {}
    for kind in ("email", "mac", "ip", "id", "phone", "login", "name"):
        value = NORMALIZERS[kind](text)
        if value is not None:
            values[kind] = value
    if "mac" in values or "ip" in values:
        values.pop("phone", None)
    if "mac" in values:  # twelve hex letters (``deadbeefcafe``) are a MAC, not anyone's name
        values.pop("name", None)
    kinds = tuple(values)
    return Query(text=text, kinds=kinds, values=values)
