"""RFC 8288 ``Link`` headers: ``<url>; rel="next last"; title="…", <url2>; rel=prev`` into Links.

Lenient by design: a link-value that cannot be read is skipped up to the next comma and parsing goes on,
so one bad entry does not hide the others. Links without ``rel`` are skipped (nothing to call them).
A ``rel`` with several values gives one Link per value. ``title*`` (RFC 8187) wins over ``title``.
``anchor`` is ignored: isptui shows a header's links on the resource that sent it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from isptui.discovery._common import clean_text, describe, guarded, malformed, usable_name
from isptui.discovery.urls import resolve, same_origin
from isptui.errors import MalformedResponse
from isptui.model import Link

MAX_HEADER = 65536
"""Longer values are refused outright; HTTP stacks cap header sizes well below this."""

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_TARGET = re.compile(r"\s*<([^<>]*)>")
_PARAM = re.compile(
    rf"\s*;\s*({_TOKEN})\s*(?:=\s*(?:\"((?:[^\"\\]|\\.)*)\"|([^\s;,\"]*)))?"
)
_END = re.compile(r"\s*(?:,|$)")
_QUOTED_PAIR = re.compile(r"\\(.)")
_EXT_VALUE = re.compile(r"(?P<charset>[A-Za-z0-9!#$%&+^_`{}~-]*)'[A-Za-z0-9-]*'(?P<value>.*)", re.DOTALL)


def _decode_ext(value: str) -> str | None:
    """RFC 8187 ``UTF-8''%E2%82%AC%20rates`` -> ``€ rates``; None when it is not such a value."""
    match = _EXT_VALUE.fullmatch(value)
    if match is None:
        return None
    charset = match["charset"].lower() or "utf-8"
    if charset not in ("utf-8", "iso-8859-1"):
        return None
    return unquote(match["value"], encoding=charset, errors="replace")


def _skip_to_comma(value: str, pos: int) -> int:
    # Skip a broken link-value; commas inside a quoted string do not end it.
    in_quotes = False
    while pos < len(value):
        char = value[pos]
        if char == "\\" and in_quotes:
            pos += 2
            continue
        if char == '"':
            in_quotes = not in_quotes
        elif char == "," and not in_quotes:
            return pos + 1
        pos += 1
    return pos


def _links(target: str, params: dict[str, str], base_url: str) -> list[Link]:
    rels = params.get("rel", "").split()
    if not rels:
        return []
    try:
        url = resolve(target, base_url)
    except MalformedResponse:
        return []
    title = None
    if "title*" in params:
        title = clean_text(_decode_ext(params["title*"]))
    title = title or clean_text(params.get("title"))
    external = not same_origin(url, base_url)
    out = []
    for rel in rels:
        # Registered relation types are case-insensitive; extension relations are URIs and keep case.
        name = usable_name(rel if ":" in rel else rel.lower())
        if name is not None:
            out.append(Link(rel=name, href=url, title=title, external=external))
    return out


@guarded("Link header")
def parse_link_header(value: object, *, base_url: str) -> list[Link]:
    """All usable links of a ``Link`` header value, hrefs absolute; ``None`` or empty gives ``[]``."""
    if value is None:
        return []
    if not isinstance(value, str):
        raise malformed("Link header", f"expected text, got {describe(value)}")
    if len(value) > MAX_HEADER:
        raise malformed("Link header", f"{len(value)} characters is too long for a header")
    links: list[Link] = []
    pos = 0
    while pos < len(value):
        target = _TARGET.match(value, pos)
        if target is None:
            if value[pos:].strip(" \t,") == "":
                break
            pos = _skip_to_comma(value, pos)
            continue
        pos = target.end()
        params: dict[str, str] = {}
        while (param := _PARAM.match(value, pos)) is not None:
            pos = param.end()
            name = param[1].lower()
            raw = param[2] if param[2] is not None else (param[3] or "")
            text = _QUOTED_PAIR.sub(r"\1", raw) if param[2] is not None else raw
            params.setdefault(name, text)  # RFC 8288: only the first occurrence of a parameter counts
        end = _END.match(value, pos)
        if end is None:
            pos = _skip_to_comma(value, pos)
            continue
        pos = end.end()
        links.extend(_links(target[1], params, base_url))
    return links
