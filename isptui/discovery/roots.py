"""Root link maps: ISPCRM ``{"list_users": url, …}`` (possibly in a ``{"success","data"}`` envelope) and DRF
API roots ``{"isp": "http://host/api/v2/isp/", …}`` into Links the explorer tree starts from.
"""

from __future__ import annotations

from isptui.discovery._common import expect_dict, guarded, title_for, usable_name
from isptui.discovery.pages import unwrap_ispcrm
from isptui.discovery.urls import resolve, same_origin
from isptui.errors import MalformedResponse
from isptui.model import Link

__all__ = ["parse_root_links", "title_for"]

def _looks_like_url(value: str) -> bool:
    # Only absolute http(s) URLs and root-relative paths count: a bare word ("1.0", "ok") next to the
    # links is metadata, not a relative link.
    return value.startswith(("http://", "https://", "/")) and not value.startswith("//")


@guarded("root document")
def parse_root_links(doc: object, *, base_url: str) -> list[Link]:
    """Links of a root document, in server order, with derived titles; values that are not URLs are ignored.

    ``{"href": …}`` objects are accepted too (HAL-ish roots). Off-origin URLs come back ``external=True``.
    The rel is the key as given, so an adapter can map ``list_users`` or ``isp`` to what it knows.
    """
    data = unwrap_ispcrm(expect_dict(doc, "root document"))
    data = expect_dict(data, "root document")
    links: list[Link] = []
    for key, value in data.items():
        rel = usable_name(key)
        if rel is None or rel in ("_links", "self"):
            continue
        href = value.get("href") if isinstance(value, dict) else value
        if not isinstance(href, str) or not _looks_like_url(href.strip()):
            continue
        try:
            url = resolve(href, base_url)
        except MalformedResponse:
            continue
        links.append(Link(rel=rel, href=url, title=title_for(rel), external=not same_origin(url, base_url)))
    return links
