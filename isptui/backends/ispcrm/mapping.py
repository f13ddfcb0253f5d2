"""ISPCRM JSON to the resource model: root rels to collections, records with their links, list pages.

Everything past the base URL and the Bearer header is unverified (docs/ispcrm.md §3), so each reader here
accepts several plausible shapes and says which one it chose where it had to choose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from isptui.backends.ispcrm.descriptor import DESCRIPTOR
from isptui.discovery import parse_links, parse_page, resolve, title_for
from isptui.discovery._common import as_int
from isptui.errors import MalformedResponse
from isptui.model import Capabilities, FieldSpec, Link, Record, ResourceRef, Schema

# Root rels are verbs plus a noun (``list_users``); these prefixes name what the link does to the noun.
LIST_PREFIXES = ("list_", "get_", "all_", "view_", "show_")
CREATE_PREFIXES = ("create_", "add_", "new_")
TITLE_FIELDS = ("fullname", "full_name", "name", "title", "username", "number", "invoice_number", "login",
                "email")
# Adapter knowledge: fields a server computes. Marked read-only in the inferred schema so forms lock them.
READ_ONLY = frozenset({"id", "created", "created_at", "updated", "updated_at", "links", "_links"})
LINK_KEYS = ("links", "_links")
NO_CAPABILITIES = Capabilities()
FILTER_HINT = DESCRIPTOR.filter_help  # declared with the backend (plug-in contract)


def singular(word: str) -> str:
    """``users`` -> ``user``: how a collection rel's noun names one of its records."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def rel_key(rel: str) -> tuple[str, str]:
    """(collection key, role) of a root rel: ``list_users`` -> (``users``, ``list``), ``create_user`` ->
    (``user``, ``create``); other rels are collections named as they are."""
    low = rel.lower()
    for prefix in CREATE_PREFIXES:
        if low.startswith(prefix) and len(low) > len(prefix):
            return rel[len(prefix):], "create"
    for prefix in LIST_PREFIXES:
        if low.startswith(prefix) and len(low) > len(prefix):
            return rel[len(prefix):], "list"
    return rel, "list"


@dataclass(frozen=True)
class Collection:
    """A collection the root (or a record) linked to."""

    key: str
    title: str
    href: str
    create_href: str | None = None


def collections_from_root(links: list[Link]) -> dict[str, Collection]:
    """Collections keyed by noun, in root order; ``create_x`` rels mark the collection ``x``/``xs`` creatable."""
    found: dict[str, Collection] = {}
    creates: list[tuple[str, str]] = []
    for link in links:
        if link.external:
            continue  # never follow a root link with our token to another origin
        key, role = rel_key(link.rel)
        if role == "create":
            creates.append((key, link.href))
        elif key not in found:
            found[key] = Collection(key=key, title=title_for(link.rel), href=link.href)
    for noun, href in creates:
        match = next((c for c in found.values() if c.href.split("?")[0] == href.split("?")[0]), None)
        match = match or found.get(noun) or next((c for c in found.values() if singular(c.key) == noun), None)
        if match is not None:
            found[match.key] = Collection(match.key, match.title, match.href, create_href=href)
    return found


def record_title(data: Mapping[str, Any], rid: str | None, noun: str) -> str:
    for key in TITLE_FIELDS:
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return f"{noun} #{rid}" if rid else noun


def record_links(data: Mapping[str, Any], base_url: str) -> tuple[list[Link], str | None]:
    """A record's links (``links`` or ``_links``, rel -> href) without ``self``, and its self href."""
    links: list[Link] = []
    self_href: str | None = None
    for key in LINK_KEYS:
        block = data.get(key)
        if not isinstance(block, dict):
            continue
        found, _ = parse_links(block, base_url=base_url)
        for link in found:
            if link.rel == "self":
                self_href = self_href or link.href
            else:
                links.append(link)
    return links, self_href


def record_id(data: Mapping[str, Any]) -> str | None:
    value = data.get("id")
    return None if value in (None, "") or isinstance(value, dict | list | bool) else str(value)


def to_record(data: Any, *, ref: ResourceRef, base_url: str, url: str,
              capabilities: Capabilities | None = None,
              retarget: Callable[[Link], Link] | None = None) -> Record:
    """An ISPCRM object as a Record; ``raw`` is the unwrapped ``data`` as received.

    ``retarget`` may replace each link (the adapter resolves links to the collections it knows).
    """
    if not isinstance(data, dict):
        raise MalformedResponse(f"ISPCRM sent {type(data).__name__} where a record was expected", url=url)
    links, self_href = record_links(data, base_url)
    rid = ref.id or record_id(data)
    ref = ResourceRef(collection=ref.collection, id=rid, href=self_href or ref.href)
    noun = singular(ref.collection or "record").replace("_", " ").capitalize()
    fields = {k: v for k, v in data.items() if k not in LINK_KEYS}
    # Links come from parse_links, the rest from here: nothing left for the constructor to check.
    return Record.trusted(ref=ref, title=record_title(data, rid, noun), fields=fields,
                          links=tuple(map(retarget, links) if retarget else links), raw=data,
                          capabilities=capabilities or NO_CAPABILITIES)


@dataclass(frozen=True)
class ListBody:
    """One list response: its rows, the total and next link when the server gave them, its offset."""

    items: list[dict[str, Any]]
    total: int | None
    next: str | None
    offset: int | None


def _href(value: Any) -> Any:
    return value.get("href") if isinstance(value, dict) else value


def parse_list(doc: Any, *, url: str) -> ListBody:
    """Rows, total and next of a list, whatever paging the server uses.

    Unknown (docs/ispcrm.md §3): the sandbox puts Laravel-style ``links`` (next …) and ``meta`` (total,
    offset) beside ``data``; a ``total``/``next`` at the top level or inside a ``data`` object, and a
    ``count``/``next`` page object are read too. No total -> None, no next -> the last page.
    """
    parsed = parse_page(doc, base_url=url)
    total, nxt, offset = parsed.total, parsed.next, None
    if isinstance(doc, dict):
        meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
        pagination = doc.get("pagination") if isinstance(doc.get("pagination"), dict) else {}
        for source in (meta, pagination, doc):
            for key in ("total", "total_count", "count_all"):
                if total is None and as_int(source.get(key)) is not None:
                    total = as_int(source.get(key))
            if offset is None and as_int(source.get("offset")) is not None:
                offset = as_int(source.get("offset"))
        links = doc.get("links") if isinstance(doc.get("links"), dict) else {}
        candidate = _href(links.get("next")) or _href(doc.get("next")) or _href(meta.get("next"))
        if nxt is None and isinstance(candidate, str) and candidate.strip():
            nxt = resolve(candidate, url)
    return ListBody(items=parsed.items, total=total, next=nxt, offset=offset)


def offset_of(url: str) -> int | None:
    """The ``offset`` (or ``page``×``per_page``/``limit``) a page URL asks for, if it says."""
    query = dict(parse_qsl(urlsplit(url).query))
    if as_int(query.get("offset")) is not None:
        return as_int(query["offset"])
    page, size = as_int(query.get("page")), as_int(query.get("per_page") or query.get("limit"))
    if page is not None and size is not None and page >= 1:
        return (page - 1) * size
    return None


def knowledge(schema: Schema) -> Schema:
    """Inferred fields plus what the adapter knows: server-computed fields are read-only."""
    fields: list[FieldSpec] = []
    for spec in schema.fields:
        if spec.name in LINK_KEYS:
            continue
        if spec.name in READ_ONLY:
            spec = spec.model_copy(update={"read_only": True})
        fields.append(spec)
    return Schema(fields=tuple(fields), inferred=True, source=f"{schema.source} (no schema endpoint)")
