"""Resolving hrefs the servers give us and telling whether they stay on the API's origin."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from isptui.discovery._common import describe, guarded, malformed

MAX_URL = 8192
"""Longer hrefs are refused: servers and proxies reject them anyway, and they only bloat the model."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host or port is None:
        return None
    return scheme, host, port


@guarded("link")
def resolve(href: object, base_url: str) -> str:
    """The absolute http(s) URL for ``href`` (absolute, root-relative or relative) against ``base_url``.

    Raises ``MalformedResponse`` for anything that is not a usable http(s) URL: not a string, empty, longer
    than ``MAX_URL``, holding control characters (header injection), or another scheme (``mailto:``,
    ``javascript:``), since isptui only ever follows links over HTTP. The href is kept as given otherwise:
    Krill's relative action paths without a trailing slash stay without one, the adapter knows its server.
    """
    if not isinstance(href, str):
        raise malformed("link", f"expected an href string, got {describe(href)}")
    href = href.strip()
    if not href:
        raise malformed("link", "the href is empty")
    if len(href) > MAX_URL:
        raise malformed("link", f"the href is {len(href)} characters long")
    if _CONTROL.search(href):
        raise malformed("link", "the href contains control characters")
    if _origin(base_url) is None:
        raise malformed("link", f"the base URL {base_url[:100]!r} is not an http(s) URL")
    try:
        url = urljoin(base_url, href)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        url = ""
    if _origin(url) is None:
        raise malformed("link", f"{href[:100]!r} is not an http(s) URL")
    return url


def same_origin(url: str, base_url: str) -> bool:
    """True when ``url`` has the scheme, host and (effective) port of ``base_url``; False if either is bad."""
    if not isinstance(url, str) or not isinstance(base_url, str):
        return False
    mine, theirs = _origin(base_url), _origin(url)
    return mine is not None and mine == theirs


def rebase(url: str, base_url: str) -> str:
    """``url``'s path and query on ``base_url``'s origin.

    Why: DRF builds absolute ``next`` links from the Host header it sees, so behind a reverse proxy they
    name an internal host (docs/krill.md §2.3 shows ``http://pre1:4280/...``). Rewriting them onto the
    origin we talk to fetches the page the server meant without sending credentials anywhere else.
    """
    base = urlsplit(base_url)
    target = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, target.path, target.query, ""))
