"""The Krill adapter: walks the DRF API root and app roots, follows ``next`` as given, reads ``_links``.

Collections are keyed by their path under ``/api/v2/`` (``isp/cpes``), so a link the server gives and an
entry point the root lists name the same thing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from isptui.backends.base import BackendSettings, WriteRequest
from isptui.backends.http_backend import BODY_VERBS, HttpBackend
from isptui.backends.krill import mapping
from isptui.backends.krill.auth import KrillJWTAuth
from isptui.backends.krill.descriptor import DESCRIPTOR
from isptui.discovery import allow_to_capabilities, drf_options_to_schema, infer_schema, parse_page
from isptui.discovery.roots import parse_root_links, title_for
from isptui.discovery.urls import resolve
from isptui.errors import (
    AuthFailed,
    BackendError,
    MalformedResponse,
    NotFound,
    NotSupported,
    ReadOnlyViolation,
)
from isptui.model import Action, Capabilities, EntryPoint, FilterSpec, Link, Page, PageRequest, Record, ResourceRef, Schema

API_PREFIX = "/api/v2/"


LINKED_RECORD = Capabilities(can_list=False, can_get=True, can_update=True, partial_update=True)
"""What a record reached through a link is offered when its server does not say (no Allow header)."""


class KrillBackend(HttpBackend):
    """Krill by Phicus, REST API v2 (``{url}/api/v2/``)."""

    descriptor = DESCRIPTOR
    vendor = "Krill"
    api_path = API_PREFIX

    def __init__(self, settings: BackendSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings)
        self._clock = clock
        parts = urlsplit(self.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}/"
        self._schemas: dict[str, Schema] = {}
        self._caps: dict[str, Capabilities] = {}
        self._collections: set[str] = set()
        """The collection keys discovery found (a nested route's record is read again in one of them)."""
        self._probed_root: httpx.Response | None = None
        self._record_caps: dict[str, Capabilities] = {}  # collection -> what a record's Allow said

    # -- connection -------------------------------------------------------------------------------
    def _make_auth(self) -> httpx.Auth:
        creds = self.settings.credentials
        if not creds.get("username") or not creds.get("password"):
            raise AuthFailed("Krill needs a username and password (--username, --password)")
        return KrillJWTAuth(creds["username"], creds["password"], self.base_url, clock=self._clock,
                            on_token=self._redactor.add)

    async def _probe(self) -> None:
        """Log in (JWT) and read the API root, which proves the URL and the credentials."""
        response = await self._send("GET", "", check=False)
        if response.status_code in (401, 403):
            raise self._error(response)
        # The probe's root read is discovery's too: one root read per session (issue 14 item 6).
        self._probed_root = response if response.status_code < 400 else None
        # Any other answer (even a 404 root) is tolerated: discovery falls back to the known catalogue.

    def _error(self, response: httpx.Response) -> BackendError:
        return mapping.error_from_response(response, self._redactor)

    async def _send(self, method: str, url: str, *, check: bool = True, **kw: Any) -> httpx.Response:
        """Every path gets DRF's trailing slash before it is sent.

        Krill is Django REST Framework: its router's routes end in ``/`` and Django's APPEND_SLASH answers a
        slashless path with a 301 (a 500 under DEBUG for a write, whose body a redirect would lose), yet the
        guide's ``_links`` and some servers' roots are slashless (docs/krill.md §7.4). Adding the slash here
        means a write reaches the view and a read costs one exchange, not two.
        """
        return await super()._send(method, _with_slash(url, self.origin), check=check, **kw)

    def _url(self, ref: ResourceRef) -> str:
        """The absolute URL of a ref: its href resolved against the API base, or ``{collection}/{id}/``."""
        if ref.href:
            return resolve(ref.href, self.base_url)
        if not ref.collection:
            raise NotFound(f"{ref.label()} names nothing Krill knows")
        path = ref.collection.strip("/") + "/"
        return self.base_url + (path if ref.id is None else f"{path}{ref.id}/")

    def _key(self, url: str) -> str | None:
        """The collection key (``isp/cpes``) of a collection URL under the API base, else None."""
        path = urlsplit(url).path
        prefix = urlsplit(self.base_url).path
        return path[len(prefix):].strip("/") or None if path.startswith(prefix) else None

    # -- discovery --------------------------------------------------------------------------------
    async def _root(self, url: str) -> list[Link] | None:
        """The links of a DRF root map, or None when it does not answer as one."""
        try:
            probed, self._probed_root = self._probed_root, None
            if probed is not None and url == self.base_url:
                response = probed
            else:
                response = await self._send("GET", url, check=False)
            if response.status_code >= 400:
                return None
            return parse_root_links(self._json(response), base_url=url)
        except (MalformedResponse, NotFound):
            return None

    async def discover(self) -> list[EntryPoint]:
        apps = await self._root(self.base_url)
        if apps is None:
            app_urls = [(app, self.base_url + app + "/") for app in mapping.FALLBACK_CATALOGUE]
        else:
            app_urls = [(link.rel, link.href) for link in apps
                        if not link.external and link.rel not in mapping.SKIP_APPS]
        roots = await asyncio.gather(*(self._root(url) for _, url in app_urls))
        entries: list[EntryPoint] = []
        for (app, _), links in zip(app_urls, roots, strict=True):
            group = title_for(app)
            if links is None:
                for name, title in mapping.FALLBACK_CATALOGUE.get(app, ()):
                    entries.append(self._entry_point(f"{app}/{name}", title, group, "fallback catalogue"))
                continue
            for link in links:
                key = self._key(link.href)
                if key and not link.external:
                    entries.append(self._entry_point(key, link.title or title_for(link.rel), group, ""))
        self._collections = {e.key for e in entries}
        return entries

    def _entry_point(self, key: str, title: str, group: str, note: str) -> EntryPoint:
        return EntryPoint(key=key, title=title, group=group, ref=ResourceRef(collection=key),
                          capabilities=self.capabilities(ResourceRef(collection=key)),
                          description=f"{API_PREFIX}{key}/" + (f" ({note})" if note else ""))

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        known = self._caps.get(ref.collection or "")
        if known is not None:
            return known
        # Until an Allow header says more: read only (filtering on the server is filter_spec's to say).
        return Capabilities()

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        known = self._schemas.get(ref.collection or "")
        return FilterSpec(server_side=True, fields=known.names if known else (), hint=mapping.FILTER_HINT)

    def _remember_allow(self, key: str | None, response: httpx.Response) -> None:
        if key and "allow" in response.headers:
            caps = allow_to_capabilities(response.headers["allow"], detail=False)
            self._caps[key] = caps

    # -- reading ----------------------------------------------------------------------------------
    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        key = ref.collection if ref.href is None else self._key(self._url(ref).split("?", 1)[0])
        offset = request.offset
        if request.cursor:
            # ``next`` exactly as the server gave it (absolute or relative); its offset tells where we are.
            url = resolve(request.cursor, self.base_url)
            query = dict(parse_qsl(urlsplit(url).query))
            offset = int(query["offset"]) if query.get("offset", "").isdigit() else offset
            response = await self._send("GET", url)
        else:
            # A link's own query (``events?type=cdr``) is kept; httpx would drop it when given params.
            url, _, own_query = self._url(ref).partition("?")
            params = [(k, v) for k, v in parse_qsl(own_query, keep_blank_values=True)
                      if k not in ("limit", "offset")]
            params += [("limit", str(request.limit)), ("offset", str(request.offset))]
            attrs = mapping.LIST_ATTRS.get(key or "")
            if attrs:
                params.append(("attrs", ",".join(attrs)))
            params += mapping.filter_params(request.filter)
            if request.order_by:
                params.append(("sort", ("-" if request.descending else "") + request.order_by))
            response = await self._send("GET", url, params=params)
        self._remember_allow(key, response)
        body = self._json(response)
        parsed = parse_page(body, base_url=str(response.request.url))
        rows, total = parsed.items, parsed.total
        url = self._redactor.url(response.request.url)
        caps = self._caps.get(key or "")
        list_url = str(response.request.url)

        def to_record(row: Any) -> Record:
            return mapping.to_record(row, ref=self._item_ref(key, row, list_url), url=url, origin=self.origin,
                                     capabilities=caps)

        if isinstance(body, list) or (len(rows) > request.limit and parsed.next is None):
            # An unpaginated resource (v1 style), or more rows than asked and no next link (the server
            # ignored limit/offset): everything was sent. Every row is kept, a page at a time.
            return self.keep_unpaged(ref, request, rows, to_record)
        items = tuple(to_record(row) for row in rows)
        return Page(items=items, offset=offset, total=total, next_cursor=parsed.next)

    def _item_ref(self, key: str | None, row: Mapping[str, Any], list_url: str) -> ResourceRef:
        rid = None if row.get("id") is None else str(row["id"])
        if isinstance(row.get("url"), str):
            return ResourceRef(href=row["url"], collection=key, id=rid)
        if key is not None and rid is not None:
            return ResourceRef(collection=key, id=rid)
        if rid is not None:
            return ResourceRef(href=list_url.split("?", 1)[0].rstrip("/") + f"/{rid}/", id=rid)
        return ResourceRef(href=list_url, collection=key)

    async def get(self, ref: ResourceRef) -> Record:
        if ref.id is None and ref.href is None:
            raise NotFound(f"{ref.label()} is a collection, not a record")
        response = await self._send("GET", self._url(ref))
        caps = None
        if "allow" in response.headers:
            caps = allow_to_capabilities(response.headers["allow"], detail=True)
            self._record_caps[ref.collection or self._key(self._url(ref).rsplit("/", 2)[0]) or ""] = caps
        return mapping.to_record(self._json(response), ref=ref, url=self._redactor.url(response.request.url),
                                 origin=self.origin, capabilities=caps)

    async def follow(self, link: Link) -> Record | Page:
        """GET the link; a DRF page (or array) becomes a Page, an object a Record."""
        if link.external:
            raise NotSupported(f"{link.href} is on another server; isptui does not follow it with your token")
        if link.target is not None:
            return await (self.get(link.target) if link.target.id else self.list(link.target))
        url = resolve(link.href, self.base_url)
        response = await self._send("GET", url)
        body = self._json(response)
        if isinstance(body, list) or (isinstance(body, dict) and isinstance(body.get("results"), list)):
            parsed = parse_page(body, base_url=url)
            key = self._key(url.split("?", 1)[0])
            items = tuple(mapping.to_record(row, ref=self._item_ref(key, row, url), url=url, origin=self.origin)
                          for row in parsed.items)
            return Page(items=items, total=parsed.total if parsed.total is not None else (
                len(items) if parsed.next is None else None), next_cursor=parsed.next)
        canonical = await self._canonical(link.rel, url, body)
        if canonical is not None:
            return canonical
        # A record reached through a link (``cpes/1/customer``) has no collection to learn what it allows from:
        # its own Allow says, and when it says nothing, editing is offered and the server decides (a 405
        # answers it, and the write path tries the other verb) — never refused on a guess.
        caps = (allow_to_capabilities(response.headers["allow"], detail=True) if "allow" in response.headers
                else LINKED_RECORD)
        return mapping.to_record(body, ref=ResourceRef(href=url, id=_id_of(body)), url=url, origin=self.origin,
                                 capabilities=caps)

    async def _canonical(self, rel: str, url: str, body: Any) -> Record | None:
        """The record a nested route (``isp/cpes/1/customer``) answered, read at its own URL in the collection
        the link names (``isp/customers/1``), so it can be edited there as any customer; None unless that
        URL answers the same record (same id, same values)."""
        rid = _id_of(body) if isinstance(body, dict) else None
        app = (self._key(url) or "").split("/", 1)[0]
        key = next((k for k in (f"{app}/{rel}s", f"{app}/{rel}es", f"{app}/{rel}") if k in self._collections), None)
        if rid is None or key is None:
            return None
        try:
            record = await self.get(ResourceRef(collection=key, id=rid))
        except BackendError:
            return None
        same = all(record.raw.get(k) == v for k, v in body.items() if not k.startswith("_"))
        return record if same else None

    async def schema(self, ref: ResourceRef) -> Schema:
        key = ref.collection or self._key(self._url(ref))
        if key and key in self._schemas:
            return self._schemas[key]
        url = self._url(ResourceRef(collection=key)) if key else self._url(ref)
        response = await self._send("OPTIONS", url, check=False)
        self._remember_allow(key, response)
        schema: Schema | None = None
        if response.status_code < 400:
            schema = drf_options_to_schema(self._json(response))
        page: Page | None = None
        # A record reached through a nested route (``isp/cpes/1/customer``) is no collection to list.
        nested = bool(ref.href) and key not in self._collections
        if (schema is None or not schema.fields) and not nested:
            # DRF may publish the write schema only on the detail URL (actions.PUT there, none on the list:
            # docs/krill.md §7.4): ask a record's OPTIONS before guessing from rows.
            page = await self.list(ResourceRef(collection=key) if key else ref, PageRequest(limit=20))
            if page.items:
                detail = await self._send("OPTIONS", self._url(page.items[0].ref), check=False)
                if detail.status_code < 400:
                    schema = drf_options_to_schema(self._json(detail))
        if (schema is None or not schema.fields) and nested:
            # A record reached through a link, whose OPTIONS says nothing: its fields are its own.
            schema = infer_schema([(await self.get(ref)).fields])
        if schema is None or not schema.fields:
            # No actions in OPTIONS (the user may not write here): infer columns from a few records.
            page = page or await self.list(ResourceRef(collection=key) if key else ref, PageRequest(limit=20))
            schema = infer_schema([item.fields for item in page.items])
        if key:
            self._schemas[key] = schema
        return schema

    # -- writing ----------------------------------------------------------------------------------
    def prepare(self, kind: str, ref: ResourceRef, values: Mapping[str, Any] | None = None, *,
                partial: bool = True, action: Action | None = None, record: Record | None = None,
                method: str | None = None) -> WriteRequest:
        """PATCH (partial) or PUT (full) on the record URL, POST to the collection, an action's own verb.

        Actions are POST as discovered (a GET would pass the read-only guard); when the server answers
        405 the write path offers GET, as the vendor guide shows, with a fresh preview.
        """
        values = dict(values or {})
        if kind == "action":
            if action is None or record is None or not action.href:
                raise NotSupported(f"action {action.name if action else '?'!r} has no URL")
            verb = (method or action.method).upper()
            url = resolve(action.href, self.base_url)
            if verb == "GET" and values:
                url = str(httpx.URL(url).copy_merge_params({k: str(v) for k, v in values.items()}))
            # The slash _send would add goes in here, so the preview shows the URL that is sent.
            return self._request(kind, verb, _with_slash(url, self.origin), record.ref, values,
                                 body=values if verb in BODY_VERBS else None, action=action, record=record)
        if kind == "create":
            verb, url = method or "POST", self._url(ResourceRef(collection=ref.collection, href=ref.href))
        elif kind == "update":
            verb, url = method or ("PATCH" if partial else "PUT"), self._url(ref)
        else:
            if ref.id is None and ref.href is None:
                raise NotFound(f"{ref.label()} names no record")
            verb, url = method or "DELETE", self._url(ref)
        return self._request(kind, verb, _with_slash(url, self.origin), ref, values,
                             body=values if verb in BODY_VERBS else None, partial=partial)

    async def execute(self, request: WriteRequest) -> Any:
        ref, values = request.ref, request.values
        if request.kind == "action" and self.settings.writes_refused:
            # An action sent as GET would pass the HTTP guard; it is a write all the same.
            raise ReadOnlyViolation(f"read-only profile: refused action {request.action.name if request.action else ''!r}; "
                                    "nothing was sent", method=request.method, url=self._redactor.url(request.url))
        response = await self._send(request.method, request.url, **self._body_of(request))
        if request.kind == "update":
            return await self.read_back(ref, values)
        if request.kind == "delete":
            await self.confirm_deleted(ref)
            return None
        if request.kind == "action":
            if not response.content:
                return None
            try:
                return response.json()
            except (ValueError, RecursionError):
                return response.text[:1000]
        body = self._json(response) if response.content else {}
        new_id = _id_of(body)
        if new_id is None:
            raise MalformedResponse("Krill created the record but sent no id to read it back", method="POST",
                                    url=self._redactor.url(request.url), status=response.status_code)
        return await self.read_back(ResourceRef(collection=ref.collection, id=new_id) if ref.collection
                                    else ResourceRef(href=request.url.split("?", 1)[0] + f"{new_id}/", id=new_id),
                                    values)

    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        return await self.execute(self.prepare("create", ref, values))  # type: ignore[no-any-return]

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        """PATCH, or PUT of the whole record when the records' ``Allow`` left PATCH out (docs/krill.md §7.4).

        With no Allow seen yet the PATCH is offered and the server decides: its 405 names the verbs, and the
        write path offers PUT (edit/editor.py). PUT replaces, so it carries the current writable fields.
        """
        known = self._record_caps.get(ref.collection or "")
        if partial and known is not None and known.can_update and not known.partial_update:
            current = await self.get(ref)
            # What DRF marks read_only (the record's OPTIONS when the list's has none) never goes in the PUT,
            # even when no form asked for the schema first.
            try:
                schema: Schema | None = await self.schema(
                    ResourceRef(collection=ref.collection) if ref.collection else ref)
            except BackendError:
                schema = None
            locked = {f.name for f in schema.fields if f.read_only} if schema else set()
            body = {k: v for k, v in current.fields.items()
                    if k not in locked and k not in ("id", "url", "created", "updated") and not k.startswith("_")}
            values, partial = {**body, **values}, False
        return await self.execute(self.prepare("update", ref, values, partial=partial))  # type: ignore[no-any-return]

    async def delete(self, ref: ResourceRef) -> None:
        await self.execute(self.prepare("delete", ref))

    async def invoke(self, record: Record, action: Action, params: Mapping[str, Any] | None = None) -> Any:
        """Run a ``_links.actions`` entry with its own verb (see ``prepare``)."""
        return await self.execute(self.prepare("action", record.ref, params, action=action, record=record))


def _with_slash(url: str, origin: str) -> str:
    """``url`` with a trailing slash on its path, when it is on this server (relative or same origin)."""
    if url.startswith(("http://", "https://")) and not url.startswith(origin):
        return url
    head, sep, query = url.partition("?")
    if head.endswith("/") or (not head and not url.startswith(origin)):
        return url
    return f"{head}/{sep}{query}"


def _id_of(body: Any) -> str | None:
    if isinstance(body, dict) and body.get("id") not in (None, ""):
        return str(body["id"])
    return None
