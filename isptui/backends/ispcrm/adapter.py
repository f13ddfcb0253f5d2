"""The ISPCRM adapter: pure HATEOAS. Collections come only from the root's links, records bring their own.

Paths are never guessed except in one place, stated there: a record asked for by collection and id alone
(no href) is fetched at ``{collection href}/{id}``, the REST convention, when no link for it was seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from isptui.backends.base import BackendSettings, WriteRequest
from isptui.backends.http_backend import BODY_VERBS, HttpBackend
from isptui.backends.ispcrm import mapping
from isptui.backends.ispcrm.auth import IspcrmTokenAuth
from isptui.backends.ispcrm.descriptor import DESCRIPTOR
from isptui.discovery import allow_to_capabilities, infer_schema, parse_root_links, resolve, unwrap_ispcrm
from isptui.errors import (
    AuthFailed,
    BackendError,
    MalformedResponse,
    NotFound,
    NotSupported,
)
from isptui.http import json_body
from isptui.model import Action, Capabilities, EntryPoint, FilterSpec, Link, Page, PageRequest, Record, ResourceRef, Schema

API_PATH = "/api/v1"
# Until OPTIONS says otherwise, a record with a self link is assumed editable: the API offers no other
# signal, and the server's 405 would still be reported as NotSupported.
RECORD_DEFAULT = Capabilities(can_update=True, can_delete=True, partial_update=True)


class IspcrmBackend(HttpBackend):
    """ISPCRM API v1 (``{url}/api/v1``)."""

    descriptor = DESCRIPTOR
    vendor = "ISPCRM"
    api_path = API_PATH

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self._collections: dict[str, mapping.Collection] = {}
        self._bases: tuple[tuple[str, str], ...] = ()
        self._schemas: dict[str, Schema] = {}
        self._allow: dict[tuple[str, bool], Capabilities] = {}
        self._cursor_offsets: dict[str, int] = {}

    # -- connection -------------------------------------------------------------------------------
    def _make_auth(self) -> httpx.Auth:
        creds = self.settings.credentials
        if not creds.get("token"):
            raise AuthFailed("ISPCRM needs an API token (--token)")
        return IspcrmTokenAuth(creds["token"], creds.get("token_header") or "authorization")

    async def _probe(self) -> None:
        """Read the root document: it proves the token and is the only map of the API there is."""
        _, doc = await self._exchange("GET", self.base_url)
        links = parse_root_links(doc, base_url=self.base_url + "/")
        self._collections = mapping.collections_from_root(links)
        # Each collection's path without query or trailing slash, computed once: every link is located by it.
        self._bases = tuple((c.key, c.href.split("?", 1)[0].rstrip("/")) for c in self._collections.values())

    async def _exchange(self, method: str, url: str, **kw: Any) -> tuple[httpx.Response, Any]:
        """Send; HTTP errors and ``{"status": "error"}`` bodies become typed errors; the body is unwrapped
        later by the caller (lists need the envelope's ``links``/``meta``). None for an empty body."""
        response = await self._send(method, url, **kw)
        if not response.content.strip():
            return response, None
        doc = json_body(response, self._redactor)
        try:
            if isinstance(doc, dict):
                unwrap_ispcrm(doc, status=response.status_code)
        except BackendError as exc:
            # An error envelope with a 2xx status: keep the class the message chose, add where it happened.
            raise type(exc)(f"ISPCRM: {exc.message}", method=method, url=self._redactor.url(response.request.url),
                            status=response.status_code) from exc
        return response, doc

    # -- where things are -------------------------------------------------------------------------
    def _collection(self, ref: ResourceRef) -> mapping.Collection | None:
        return self._collections.get(ref.collection or "")

    def _locate(self, href: str) -> tuple[str | None, str | None]:
        """(collection key, record id) of a URL under a known collection: ``…/x/u`` or ``…/x/u/7``."""
        path = href.split("?", 1)[0].rstrip("/")
        for key, base in self._bases:
            if path == base:
                return key, None
            rest = path[len(base) + 1:] if path.startswith(base + "/") else None
            if rest and "/" not in rest:
                return key, rest
        return None, None

    def _list_url(self, ref: ResourceRef) -> str:
        if ref.href and ref.id is None:
            return resolve(ref.href, self.base_url + "/")
        coll = self._collection(ref)
        if coll is None:
            raise NotFound(f"ISPCRM's root links to no collection {ref.label()!r}")
        return coll.href

    def _record_url(self, ref: ResourceRef) -> str:
        if ref.href:
            return resolve(ref.href, self.base_url + "/")
        coll = self._collection(ref)
        if coll is None or ref.id is None:
            raise NotFound(f"{ref.label()} names no ISPCRM record")
        # The one guess (see the module doc): the REST convention for an id without a link.
        return coll.href.split("?", 1)[0].rstrip("/") + "/" + ref.id

    def _target(self, link: Link) -> Link:
        key, rid = self._locate(link.href)
        if key is None:
            return link
        # What ``model_copy(update={"target": …})`` gives (same fields, same fields set), at a fraction of
        # the cost: this runs for every link of every listed record.
        return Link.trusted(rel=link.rel, href=link.href, title=link.title, method=link.method,
                            external=link.external,
                            target=ResourceRef.trusted(collection=key, id=rid, href=link.href))

    # -- reading ----------------------------------------------------------------------------------
    async def discover(self) -> list[EntryPoint]:
        return [EntryPoint(key=c.key, title=c.title, group="ISPCRM", ref=ResourceRef(collection=c.key),
                           capabilities=self.capabilities(ResourceRef(collection=c.key)),
                           description=urlsplit(c.href).path) for c in self._collections.values()]

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        coll = self._collection(ref)
        known = self._allow.get((ref.collection or "", False))
        # Without OPTIONS, create is offered whether or not the root has a create_* link (a server may omit
        # it and still accept POST on the collection): the server decides, and its 405 is reported.
        return known or Capabilities(can_create=coll is not None)

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        known = self._schemas.get(ref.collection or "")
        return FilterSpec(server_side=True, fields=known.names if known else (), hint=mapping.FILTER_HINT)

    def _params(self, request: PageRequest) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        words: list[str] = []
        for term in (request.filter or "").split(","):
            name, eq, value = term.partition("=")
            if eq and name.strip():
                params.append((name.strip(), value.strip()))
            elif term.strip():
                words.append(term.strip())
        if words:
            params.append(("search", " ".join(words)))
        if request.order_by:
            # Unknown (docs/ispcrm.md §3): sort syntax; the common "sort=-field" is sent.
            params.append(("sort", ("-" if request.descending else "") + request.order_by))
        return params

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        if request.cursor:
            # The server's own next link, exactly as given.
            url = resolve(request.cursor, self.base_url + "/")
            response, doc = await self._exchange("GET", url)
            asked = self._cursor_offsets.get(request.cursor, mapping.offset_of(url))
        else:
            url, _, own = self._list_url(ref).partition("?")
            own_params = [(k, v) for k, v in parse_qsl(own, keep_blank_values=True) if k not in ("limit", "offset")]
            # Unknown (docs/ispcrm.md §3): paging parameters; limit/offset are sent, and whatever the server
            # answers (meta, links.next) is believed over them.
            params = [*own_params, *self._params(request), ("limit", str(request.limit)),
                      ("offset", str(request.offset))]
            response, doc = await self._exchange("GET", url, params=params)
            asked = request.offset
        got = mapping.parse_list(doc, url=str(response.request.url))
        offset = got.offset if got.offset is not None else asked if asked is not None else request.offset
        items = got.items
        key = ref.collection or self._locate(url)[0]
        page_url = self._redactor.url(response.request.url)

        def to_record(row: Any) -> Record:
            return self._record(row, self._row_ref(key, row, url), page_url)

        if len(items) > request.limit and got.next is None:
            # More rows than asked and no next link: the server ignored paging and sent the whole collection.
            # Every row is kept, a page at a time; the rows start at 0 unless the server said where.
            return self.keep_unpaged(ref, request, items, to_record, start=got.offset or 0)
        records = tuple(to_record(row) for row in items)
        if got.next is not None:
            # Where the next page starts, for servers whose next link says only ``page=2``.
            self._cursor_offsets[got.next] = offset + len(records)
        # A total without a next link still pages: the UI asks by offset.
        return Page(items=records, offset=offset, total=got.total, next_cursor=got.next)

    @staticmethod
    def _row_ref(key: str | None, row: Any, list_url: str) -> ResourceRef:
        """A row's ref before its own self link (if any) replaces the href: by key, else under the list."""
        rid = mapping.record_id(row) if isinstance(row, dict) else None
        if key is not None:
            return ResourceRef(collection=key, id=rid)
        href = list_url.split("?", 1)[0].rstrip("/") + (f"/{rid}" if rid else "")
        return ResourceRef(href=href, id=rid)

    def _record(self, data: Any, ref: ResourceRef, url: str, capabilities: Capabilities | None = None) -> Record:
        return mapping.to_record(data, ref=ref, base_url=self.base_url + "/", url=url,
                                 capabilities=capabilities or self._allow.get((ref.collection or "", True))
                                 or RECORD_DEFAULT, retarget=self._target)

    async def get(self, ref: ResourceRef) -> Record:
        if ref.id is None and ref.href is None:
            raise NotFound(f"{ref.label()} is a collection, not a record")
        url = self._record_url(ref)
        response, doc = await self._exchange("GET", url)
        data = unwrap_ispcrm(doc) if isinstance(doc, dict) else doc
        key = ref.collection or self._locate(url)[0]
        caps = await self._record_allow(key, url)
        return self._record(data, ResourceRef(collection=key, id=ref.id, href=ref.href or url),
                            self._redactor.url(response.request.url), caps)

    async def _record_allow(self, key: str | None, url: str) -> Capabilities | None:
        """What records of a collection allow, from one OPTIONS per collection; None when it says nothing."""
        if key is None:
            return None
        if (key, True) not in self._allow:
            try:
                response = await self._send("OPTIONS", url, check=False)
            except BackendError:
                return None  # capabilities are a nicety; the record itself loaded
            if response.status_code >= 400 or "allow" not in response.headers:
                return None
            self._allow[(key, True)] = allow_to_capabilities(response.headers["allow"], detail=True)
        return self._allow[(key, True)]

    async def follow(self, link: Link) -> Record | Page:
        """GET the link: a list becomes a Page, an object a Record."""
        if link.external:
            raise NotSupported(f"{link.href} is on another server; isptui does not send your token there")
        target = self._target(link).target
        if target is not None and target.id is not None:
            return await self.get(target)
        url = resolve(link.href, self.base_url + "/")
        response, doc = await self._exchange("GET", url)
        data = unwrap_ispcrm(doc) if isinstance(doc, dict) else doc
        if isinstance(data, list) or (isinstance(data, dict) and mapping.record_id(data) is None):
            return await self.list(target or ResourceRef(href=url), PageRequest())
        if not isinstance(data, dict):
            raise MalformedResponse(f"ISPCRM sent {type(data).__name__} where a record or a list was expected",
                                    method="GET", url=self._redactor.url(url), status=response.status_code)
        return self._record(data, ResourceRef(href=url, id=mapping.record_id(data)),
                            self._redactor.url(response.request.url))

    async def schema(self, ref: ResourceRef) -> Schema:
        """Inferred from a sample page (ISPCRM declares no schema), with server-computed fields locked."""
        key = ref.collection or ref.href or ""
        if key in self._schemas:
            return self._schemas[key]
        list_ref = ResourceRef(collection=ref.collection, href=None if ref.collection else ref.href)
        page = await self.list(list_ref, PageRequest(limit=20))
        schema = mapping.knowledge(infer_schema([dict(item.raw) for item in page.items
                                                 if isinstance(item.raw, dict)]))
        await self._collection_allow(ref)
        self._schemas[key] = schema
        return schema

    async def _collection_allow(self, ref: ResourceRef) -> None:
        coll = self._collection(ref)
        if coll is None or (coll.key, False) in self._allow:
            return
        try:
            response = await self._send("OPTIONS", coll.href, check=False)
        except BackendError:
            return
        if response.status_code < 400 and "allow" in response.headers:
            self._allow[(coll.key, False)] = allow_to_capabilities(response.headers["allow"], detail=False)

    # -- writing ----------------------------------------------------------------------------------
    def _create_url(self, ref: ResourceRef) -> str:
        coll = self._collection(ref)
        if coll is not None:
            return coll.create_href or coll.href.split("?", 1)[0]
        return self._list_url(ref).split("?", 1)[0]

    async def _written(self, response: httpx.Response, doc: Any, ref: ResourceRef) -> Record:
        """The record a write answered with, or a read-back when the answer carries none."""
        data = unwrap_ispcrm(doc) if isinstance(doc, dict) else None
        if isinstance(data, dict) and mapping.record_id(data) is not None:
            return self._record(data, ResourceRef(collection=ref.collection, id=mapping.record_id(data),
                                                  href=ref.href), self._redactor.url(response.request.url))
        location = response.headers.get("location")
        if location:
            return await self.read_back(ResourceRef(collection=ref.collection,
                                                    href=resolve(location, self.base_url)), {})
        return await self.read_back(ref, {})

    def prepare(self, kind: str, ref: ResourceRef, values: Mapping[str, Any] | None = None, *,
                partial: bool = True, action: Action | None = None, record: Record | None = None,
                method: str | None = None) -> WriteRequest:
        """POST to the collection's create link, PATCH (partial) or PUT (full) and DELETE on the record."""
        if kind == "action":
            return super().prepare(kind, ref, values, partial=partial, action=action, record=record, method=method)
        values = dict(values or {})
        if kind == "delete" and ref.id is None and ref.href is None:
            raise NotFound(f"{ref.label()} names no record")
        if kind == "update" and partial:
            # A record whose Allow lacks PATCH (learnt from OPTIONS or a 405) takes the change as a PUT.
            key = ref.collection or self._locate(self._record_url(ref))[0]
            known = self._allow.get((key or "", True))
            partial = not (known is not None and known.can_update and not known.partial_update)
        verb = method or {"create": "POST", "update": "PATCH" if partial else "PUT", "delete": "DELETE"}[kind]
        url = self._create_url(ref) if kind == "create" else self._record_url(ref)
        header = (self.settings.credentials.get("token_header") or "authorization").lower()
        token = "X-Auth-Token: ***" if header == "x-auth-token" else "Authorization: Bearer ***"
        return self._request(kind, verb, url, ref, values, body=values if verb in BODY_VERBS else None,
                             partial=partial, headers=(token,))

    async def execute(self, request: WriteRequest) -> Any:
        if request.kind == "action":
            return await super().execute(request)
        response, doc = await self._exchange(request.method, request.url, **self._body_of(request))
        if request.kind == "delete":
            return None
        ref = ResourceRef(collection=request.ref.collection) if request.kind == "create" else request.ref
        return await self._written(response, doc, ref)

    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        return await self.execute(self.prepare("create", ref, values))  # type: ignore[no-any-return]

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        """PATCH (partial) or PUT (full); the server answers with the record, else it is read back.

        Unknown (docs/ispcrm.md §3): whether PATCH exists. When the record's Allow (OPTIONS) lacks PATCH, or
        PATCH answers 405, the change goes as a PUT of the whole record (current fields, changes applied),
        and the record's capabilities say ``partial_update=False`` from then on, so the write path previews
        and journals the PUT it will really send.
        """
        key = ref.collection or self._locate(self._record_url(ref))[0]
        known = self._allow.get((key or "", True))
        if partial and known is not None and known.can_update and not known.partial_update:
            partial = False
        if not partial:
            return await self._put_whole(ref, values)
        try:
            response, doc = await self._exchange("PATCH", self._record_url(ref), json=dict(values))
        except BackendError as exc:
            if exc.status != 405:
                raise
            allow = self._allow.get((key or "", True)) or RECORD_DEFAULT
            self._allow[(key or "", True)] = allow.model_copy(update={"partial_update": False,
                                                                       "can_update": True})
            return await self._put_whole(ref, values)
        return await self._written(response, doc, ref)

    async def _put_whole(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        """PUT replaces: send the record's current writable fields with ``values`` applied."""
        current = await self.get(ref)
        body = {k: v for k, v in current.fields.items() if k not in mapping.READ_ONLY}
        body.update(values)
        response, doc = await self._exchange("PUT", self._record_url(ref), json=body)
        return await self._written(response, doc, ref)

    async def delete(self, ref: ResourceRef) -> None:
        await self.execute(self.prepare("delete", ref))
