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

from isptui.backends.base import BackendSettings
from isptui.backends.http_backend import HttpBackend
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
from isptui.model import (
    Action,
    Capabilities,
    EntryPoint,
    FilterSpec,
    Link,
    Page,
    PageRequest,
    Record,
    ResourceRef,
    Schema,
)

API_PREFIX = "/api/v2/"


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
        # Any other answer (even a 404 root) is tolerated: discovery falls back to the known catalogue.

    def _error(self, response: httpx.Response) -> BackendError:
        return mapping.error_from_response(response, self._redactor)

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
        if isinstance(body, list):
            # An unpaginated resource (v1 style) sends everything: page it here.
            total, rows = len(rows), rows[offset:offset + request.limit]
        url = self._redactor.url(response.request.url)
        caps = self._caps.get(key or "")
        items = tuple(mapping.to_record(row, ref=self._item_ref(key, row, str(response.request.url)),
                                        url=url, origin=self.origin, capabilities=caps) for row in rows)
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
        return mapping.to_record(body, ref=ResourceRef(href=url, id=_id_of(body)), url=url, origin=self.origin)

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
        if schema is None or not schema.fields:
            # No actions in OPTIONS (the user may not write here): infer columns from a few records.
            page = await self.list(ResourceRef(collection=key) if key else ref, PageRequest(limit=20))
            schema = infer_schema([item.fields for item in page.items])
        if key:
            self._schemas[key] = schema
        return schema

    # -- writing ----------------------------------------------------------------------------------
    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        url = self._url(ResourceRef(collection=ref.collection, href=ref.href))
        response = await self._send("POST", url, json=dict(values))
        body = self._json(response) if response.content else {}
        new_id = _id_of(body)
        if new_id is None:
            raise MalformedResponse("Krill created the record but sent no id to read it back", method="POST",
                                    url=self._redactor.url(url), status=response.status_code)
        return await self.read_back(ResourceRef(collection=ref.collection, id=new_id) if ref.collection
                                    else ResourceRef(href=url.split("?", 1)[0] + f"{new_id}/", id=new_id), values)

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        """PATCH (partial) or PUT (full), then read back what the server now holds."""
        await self._send("PATCH" if partial else "PUT", self._url(ref), json=dict(values))
        return await self.read_back(ref, values)

    async def delete(self, ref: ResourceRef) -> None:
        if ref.id is None and ref.href is None:
            raise NotFound(f"{ref.label()} names no record")
        await self._send("DELETE", self._url(ref))
        await self.confirm_deleted(ref)

    async def invoke(self, record: Record, action: Action, params: Mapping[str, Any] | None = None) -> Any:
        """Run a ``_links.actions`` entry: GET as the guide documents, POST when the server answers 405.

        The guide's GET would pass the read-only guard, so read-only connections refuse actions here.
        """
        if not action.href:
            raise NotSupported(f"action {action.name!r} has no URL")
        url = resolve(action.href, self.base_url)
        if self.settings.writes_refused:
            raise ReadOnlyViolation(f"read-only profile: refused action {action.name!r}; nothing was sent",
                                    method="GET", url=self._redactor.url(url))
        response = await self._send("GET", url, check=False, params=dict(params or {}))
        if response.status_code == 405:
            response = await self._send("POST", url, json=dict(params or {}), check=False)
        if response.status_code >= 400:
            raise self._error(response)
        if not response.content:
            return None
        try:
            return response.json()
        except (ValueError, RecursionError):
            return response.text[:1000]

    def describe_write(self, method: str, ref: ResourceRef, values: Mapping[str, Any]) -> list[str]:
        target = ResourceRef(collection=ref.collection, href=ref.href) if method == "POST" else ref
        lines = [f"{method} {self._redactor.url(self._url(target))}"]
        if method in ("POST", "PUT", "PATCH"):
            lines += self._json_lines(values)
        return lines


def _id_of(body: Any) -> str | None:
    if isinstance(body, dict) and body.get("id") not in (None, ""):
        return str(body["id"])
    return None
