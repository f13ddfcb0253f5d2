"""The async Backend contract and the registry that finds adapters by entry point.

The UI talks only to this class. Every method may raise a ``BackendError`` subclass and nothing else for an
expected failure. Vendor differences live in the adapters; here are only the shapes the UI relies on.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from isptui.backends import registry
from isptui.backends.registry import BackendDescriptor, ScanWay, SearchWay
from isptui.errors import BackendError, MalformedResponse, NotFound, NotSupported, WriteUnconfirmed
from isptui.http.guard import ReadOnlyPolicy
from isptui.model import Action, Capabilities, EntryPoint, FilterSpec, Link, Page, PageRequest, Record, ResourceRef, Schema

if TYPE_CHECKING:
    import httpx

    from isptui.find.group import Hit
    from isptui.http.log import RequestLog

WRITE_VERB = {"create": "POST", "update": "PATCH", "delete": "DELETE", "action": "POST"}


@dataclass(frozen=True)
class WriteRequest:
    """One write exactly as it will be sent: the diff preview shows it, ``Backend.execute`` sends it.

    Built once by ``Backend.prepare``; nothing between the preview and the wire may change it, so the
    method, URL and body the user confirmed are the ones the server receives and the journal records.
    ``url`` is absolute and unredacted (it is sent); ``preview`` is the same request as the user sees it,
    secrets masked. ``body`` is the JSON value sent (None: no body). ``other_verb`` is the update verb the
    API may take instead (PUT for PATCH and back), offered by the write path when the server answers 405.
    """

    kind: str
    method: str
    url: str
    ref: ResourceRef
    values: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    preview: tuple[str, ...] = ()
    partial: bool = True
    action: Action | None = None
    record: Record | None = None
    other_verb: str | None = None


@dataclass
class Elevation:
    """Whether a read-only profile was elevated for this session; shared by the HTTP guards and the UI.

    Mutable on purpose: the guard asks on every request, so elevating reaches the HTTP layer without
    rebuilding the client (and without logging in again).
    """

    elevated: bool = False


@dataclass(frozen=True)
class BackendSettings:
    """Everything an adapter needs to connect. Secrets are plain strings here, held only in memory.

    ``credentials`` keys are per backend, as its descriptor declares them (``CredentialField.setting_key``).
    ``transport`` lets tests and the demo inject ``httpx.ASGITransport(app=sandbox)``.
    """

    url: str
    credentials: Mapping[str, str] = field(default_factory=dict)
    read_only: bool = False
    verify: bool | str = True
    timeout: float = 15.0
    transport: httpx.AsyncBaseTransport | None = None
    request_log: RequestLog | None = None
    retries: int = 2
    profile_name: str = ""
    elevation: Elevation = field(default_factory=Elevation, compare=False)

    @property
    def writes_refused(self) -> bool:
        """Read-only and not elevated: what every read-only guard checks, request by request."""
        return self.read_only and not self.elevation.elevated

    def secrets(self) -> list[str]:
        """Values that must never reach the screen, logs or the journal."""
        return registry.secret_values(self.credentials)


class Backend(abc.ABC):
    """An ISP system as seen by isptui: discover, list, get, follow, schema, write, act."""

    descriptor: ClassVar[BackendDescriptor | None] = None
    """What the backend declares about itself (``isptui.backends.registry``); name and title come from it."""
    name: str = ""
    """Registry key: ``splynx``, ``krill``, …"""
    title: str = ""
    """What the UI shows: ``Splynx``, ``Krill (Phicus)``, …"""
    READ_ONLY_READ_CALLS: tuple[tuple[str, str], ...] = ()
    """Writes by method that are reads by meaning (Carbon's POST method chains); the adapter must check
    the body itself before they pass."""

    def __init__(self, settings: BackendSettings) -> None:
        self.settings = settings
        self._chains: dict[str, dict[str, str]] = {}
        self._unpaged: dict[tuple[str, str | None, str | None, bool], _Unpaged] = {}
        self._first_rows: dict[tuple[str, str | None, str | None, bool], tuple[str, int]] = {}
        """Per collection walk (ref, filter, order): the first page's first row and its size, to tell a server
        that ignores ``offset`` (every page is the first again) from one that pages."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # One source for name and title: a subclass that sets a descriptor gets them from it.
        if cls.descriptor is not None:
            cls.name = cls.name or cls.descriptor.name
            cls.title = cls.title or cls.descriptor.title
        # Every adapter's ``list`` is wrapped once here, so the page contract holds for all five (and for
        # plug-ins) without each adapter repeating it: never more rows than asked, no endless next chain.
        if "list" in cls.__dict__ and not getattr(cls.__dict__["list"], "_bounded", False):
            cls.list = _bounded_list(cls.__dict__["list"])  # type: ignore[method-assign]

    def keep_unpaged(self, ref: ResourceRef, request: PageRequest, rows: Sequence[Any],
                     to_record: Callable[[Any], Record], *, start: int = 0, total: int | None = None,
                     next_cursor: str | None = None, sorted_locally: bool = False) -> Page:
        """The page asked for, out of ``rows``: the whole collection a server sent though a page was asked.

        A server that ignores paging (issue 14) must not lose rows, and a huge answer (issue 12: a million
        rows) must not freeze the UI: the rows are kept as sent (the parsed JSON), and each page asked for
        afterwards is cut from them and turned into records then, a page at a time, without another
        request. Opening the collection again (offset 0, no cursor) asks the server anew. ``start`` is the
        position of the first row (a server that honoured offset but not limit starts there); ``total`` and
        ``next_cursor`` are the server's when it sent a big page that is not the end (the pages after the
        kept rows are asked of the server again).
        """
        entry = _Unpaged(tuple(rows), to_record, start, total, next_cursor, sorted_locally)
        key = _walk_key(ref, request)
        self._unpaged.pop(key, None)
        self._unpaged[key] = entry
        while len(self._unpaged) > UNPAGED_KEPT:  # each may be a whole 64 MiB answer: the oldest walk goes
            del self._unpaged[next(iter(self._unpaged))]
        return entry.page(max(request.offset, start), request.limit) or Page(offset=request.offset, total=total)

    def _unpaged_page(self, ref: ResourceRef, request: PageRequest) -> Page | None:
        """A later page of rows kept by ``keep_unpaged``, or None when the server is to be asked."""
        key = _walk_key(ref, request)
        if request.offset == 0 and request.cursor is None and not request.again:
            self._unpaged.pop(key, None)  # a fresh open or a refresh: what the server holds now
            return None
        entry = self._unpaged.get(key)
        if entry is None:
            return None
        offset = int(request.cursor) if request.cursor and request.cursor.isdigit() else request.offset
        return entry.page(offset, request.limit)  # None past the kept rows: the server is asked

    def _page_checked(self, ref: ResourceRef, request: PageRequest, page: Page) -> Page:
        """``page`` as the adapter built it; MalformedResponse when its next cursor leads back to a page already
        read in this walk through the collection (a ``next`` chain that loops would otherwise page forever).
        A later page that starts with the first page's first row again means the server ignores ``offset``:
        see ``_offset_checked``.

        A server that ignores paging is handled before this, by ``keep_unpaged``: no page is larger than asked."""
        page = self._offset_checked(ref, request, page)
        if request.cursor is None or page.next_cursor is None:
            return page
        # The cursor graph seen so far for this collection: following it from the new next cursor back to
        # the one just asked for is a cycle. (Re-reading a page is not: its edge leads on, not back.)
        edges = self._chains.setdefault(ref.label(), {})
        edges[request.cursor] = page.next_cursor
        step, hops = page.next_cursor, 0
        while step in edges and step != request.cursor and hops <= len(edges):
            step, hops = edges[step], hops + 1
        if step == request.cursor:
            raise MalformedResponse(f"the server's next link for {ref.label()} leads back to a page already "
                                    "read (a loop); stopped paging here")
        return page

    def _offset_checked(self, ref: ResourceRef, request: PageRequest, page: Page) -> Page:
        """The first page of a walk is remembered; a later page (an offset or a cursor) whose first row is
        that page's first row again came from a server that honours ``limit`` but ignores ``offset``.

        Such a page is cut to the rows from its offset on (the server sent rows 0…limit-1, so those are the
        rows really at that offset, and new), says ``offset_ignored`` and has no more: the walk stops there
        instead of repeating the first page, and ``total`` keeps the server's count for the UI to say so."""
        if page.whole or not page.items:
            return page
        walk = _walk_key(ref, request)
        later = request.cursor is not None or page.offset > 0
        if not later:
            self._first_rows[walk] = (_row_key(page.items[0]), len(page.items))
            return page
        first = self._first_rows.get(walk)
        if first is None or _row_key(page.items[0]) != first[0]:
            return page
        start = page.offset if page.offset > 0 else first[1]
        return page.model_copy(update={"items": page.items[start:], "offset": start, "next_cursor": None,
                                       "offset_ignored": True})

    def read_only_calls(self) -> tuple[tuple[str, str], ...]:
        """The writes a read-only connection may still send: the descriptor's ``read_only_auth_calls`` (log
        in, refresh; never logout — the README's "Security model" lists them) and READ_ONLY_READ_CALLS."""
        declared = self.descriptor.read_only_auth_calls if self.descriptor is not None else ()
        return tuple(declared) + self.READ_ONLY_READ_CALLS

    @property
    def read_only_policy(self) -> ReadOnlyPolicy:
        """The one read-only policy: the HTTP guard enforces it, the UI hides write keys by it."""
        return ReadOnlyPolicy(lambda: self.settings.writes_refused, self.read_only_calls())

    @property
    def read_only(self) -> bool:
        """Whether writes are refused right now (a read-only profile, not elevated)."""
        return self.read_only_policy.writes_refused

    def elevate(self) -> None:
        """Allow writes for the rest of this session; the HTTP guard sees it on the next request."""
        self.settings.elevation.elevated = True

    # -- connection -------------------------------------------------------------------------------
    @abc.abstractmethod
    async def connect(self) -> None:
        """Authenticate and check that the server is the system we think it is."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the HTTP client (and log out where the API has a logout)."""

    async def __aenter__(self) -> Backend:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- reading ----------------------------------------------------------------------------------
    @abc.abstractmethod
    async def discover(self) -> list[EntryPoint]:
        """Top-level collections, with titles and groups, in the order the UI should show them."""

    @abc.abstractmethod
    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        """One page of a collection. ``Page.total`` is set when the API can tell."""

    @abc.abstractmethod
    async def get(self, ref: ResourceRef) -> Record:
        """One record with its links and actions."""

    async def follow(self, link: Link) -> Record | Page:
        """Fetch what a link points at: a record, or the first page of a collection."""
        raise NotSupported(f"{self.title} cannot follow link {link.rel!r}")

    async def fetch_external(self, link: Link) -> Record:
        """GET an off-origin link the user confirmed opening, without any credential (read-only view)."""
        raise NotSupported(f"{self.title or self.name} cannot open links on other origins")

    @abc.abstractmethod
    async def schema(self, ref: ResourceRef) -> Schema:
        """The fields of records in a collection (cached per connection by the adapter)."""

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        """What a collection allows, as far as known without a request."""
        return Capabilities()

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        """How a collection can be filtered; ``server_side=False`` means the UI filters locally."""
        return FilterSpec()

    # -- find -------------------------------------------------------------------------------------
    def search_way(self, kind: str) -> SearchWay | None:
        """How this server searches ``kind`` (the descriptor's declaration), or None: not searchable here."""
        return (self.descriptor.search if self.descriptor is not None else {}).get(kind)

    async def search(self, kind: str, value: str, limit: int = 50) -> list[Hit]:
        """Records whose ``kind`` key equals ``value``, found the way the descriptor declares (one request).

        One implementation for every backend: the declared filter goes through the adapter's own ``list()``
        (or ``get()`` for an id), and each record's key values are read by the declared field names.
        ``contains`` matches are kept only when the record's key equals the query after normalising
        (phones: the same last nine digits; a name: the record's name contains the query, case and
        whitespace aside). NotSupported when the kind is not declared.
        """
        from isptui.find.query import NORMALIZERS

        way = self.search_way(kind)
        if way is None:
            raise NotSupported(f"{self.title or self.name} cannot search by {kind} on this server")
        want = NORMALIZERS[kind](value) if kind in NORMALIZERS else None
        if want is None:
            return []
        if way.by_id:
            try:
                records = [await self.get(ResourceRef(collection=way.collection, id=want))]
            except NotFound:
                records = []
        else:
            # Phones by their last nine digits; a name as typed (whitespace collapsed), the server folds case.
            term = want[-9:] if kind == "phone" else " ".join(value.split()) if kind == "name" else want
            page = await self.list(ResourceRef(collection=way.collection),
                                   PageRequest(limit=limit, filter=way.filter_text(term)))
            records = list(page.items)
            # Lists may carry only the table's columns (Krill's attrs, Carbon's fields): a record lacking a
            # declared key field is read whole, so grouping sees its keys. Find's hits are few.
            wanted = {name for names in way.keys.values() for name in names}
            partial = [i for i, r in enumerate(records) if r.id is not None and not wanted <= set(r.fields)]
            if partial and len(partial) <= limit:
                whole = await asyncio.gather(*(self.get(records[i].ref) for i in partial), return_exceptions=True)
                for i, got in zip(partial, whole, strict=True):
                    if isinstance(got, Record):
                        records[i] = got
        hits = [self._hit(record, way.collection, way.keys) for record in records]
        return [hit for hit in hits if kind == "id" or _same(kind, want, hit.keys.get(kind))][:limit]

    def scan_way(self, kind: str) -> ScanWay | None:
        """The collection a bounded local scan for ``kind`` reads (the descriptor's ``scan``), or None."""
        return (self.descriptor.scan if self.descriptor is not None else {}).get(kind)

    async def scan(self, kind: str, value: str, budget: int, limit: int = 50) -> tuple[list[Hit], int, bool]:
        """A bounded local scan, asked for by the user: at most ``budget`` records of the declared collection,
        read page by page, each compared with ``value`` locally (normalised, as ``search`` compares).

        Returns the hits (at most ``limit``), the number of records read and whether the collection ended
        before the budget did. NotSupported when no scan is declared for the kind.
        """
        from isptui.find.query import NORMALIZERS

        way = self.scan_way(kind)
        if way is None:
            raise NotSupported(f"{self.title or self.name} declares no scan for {kind}")
        want = NORMALIZERS[kind](value) if kind in NORMALIZERS else None
        if want is None or budget <= 0:
            return [], 0, False
        ref = ResourceRef(collection=way.collection)
        hits: list[Hit] = []
        read, offset, cursor, ended = 0, 0, None, False
        while read < budget:
            page = await self.list(ref, PageRequest(limit=min(SCAN_PAGE, budget - read), offset=offset,
                                                    cursor=cursor))
            items = page.items[: budget - read]
            read += len(items)
            for record in items:
                hit = self._hit(record, way.collection, way.keys)
                if len(hits) < limit and _same(kind, want, hit.keys.get(kind)):
                    hits.append(hit)
            if not page.items or not page.has_more:
                ended = len(items) == len(page.items)
                break
            offset, cursor = page.offset + len(page.items), page.next_cursor
        return hits, read, ended

    def _hit(self, record: Record, collection: str, declared: Mapping[str, tuple[str, ...]]) -> Hit:
        """A Find hit for ``record``: its key values read by the declared field names (``pk``: its id)."""
        from isptui.find.group import Hit

        return Hit(connection=self.settings.profile_name or self.name, collection=collection,
                   record_id=str(record.id or record.ref.href or ""), label=record.title,
                   keys=_key_values({**record.fields, "pk": record.id}, declared))

    # -- writing ----------------------------------------------------------------------------------
    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        raise NotSupported(f"{self.title} cannot create records in {ref.label()}")

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        raise NotSupported(f"{self.title} cannot update {ref.label()}")

    async def delete(self, ref: ResourceRef) -> None:
        raise NotSupported(f"{self.title} cannot delete {ref.label()}")

    async def invoke(self, record: Record, action: Action, params: Mapping[str, Any] | None = None) -> Any:
        raise NotSupported(f"{self.title} has no action {action.name!r}")

    async def read_back(self, ref: ResourceRef, sent: Mapping[str, Any]) -> Record:
        """The record after a write the server accepted; a failed read becomes WriteUnconfirmed."""
        try:
            return await self.get(ref)
        except BackendError as exc:
            raise WriteUnconfirmed(
                f"the server accepted the write to {ref.label()}, but reading it back failed ({exc.message}); "
                "press r to refresh before changing it again", ref=ref, sent=dict(sent),
                method=exc.method, url=exc.url, status=exc.status) from exc

    async def confirm_deleted(self, ref: ResourceRef) -> None:
        """After an accepted DELETE: a record still readable was archived, not removed; say so.

        A failed confirming read is not a failed delete, so only a successful read is reported.
        """
        try:
            await self.get(ref)
        except BackendError:
            return
        raise WriteUnconfirmed(f"the server accepted the delete of {ref.label()} but still returns it "
                               "(archived rather than removed?)", ref=ref, sent={})

    def describe_write(self, method: str, ref: ResourceRef, values: Mapping[str, Any]) -> list[str]:
        """The exact request lines a write would send (secrets redacted), for the diff preview."""
        return [f"{method} {ref.label()}"]

    # -- the one write path: prepare (the preview) → execute (the same object, sent) ------------------
    def prepare(self, kind: str, ref: ResourceRef, values: Mapping[str, Any] | None = None, *,
                partial: bool = True, action: Action | None = None, record: Record | None = None,
                method: str | None = None) -> WriteRequest:
        """The request a write will send. ``method`` forces the verb (the other one after a 405).

        This default serves adapters without an HTTP request of their own to show (third-party plug-ins):
        ``execute`` then hands the request to create/update/delete/invoke.
        """
        values = dict(values or {})
        verb = method or (action.method if action is not None else
                          ("PATCH" if partial else "PUT") if kind == "update" else WRITE_VERB[kind])
        target = record.ref if record is not None and kind == "action" else ref
        url = (action.href if action is not None and action.href else target.href) or target.label()
        preview = tuple(self.describe_write(verb, target, values)) if kind != "action" else (f"{verb} {url}",)
        return WriteRequest(kind, verb, url, target, values, values if verb in ("POST", "PUT", "PATCH") else None,
                            preview, partial, action, record)

    async def execute(self, request: WriteRequest) -> Any:
        """Send ``request`` and read the result back: a Record (create/update), None (delete), or an answer."""
        if request.kind == "create":
            return await self.create(request.ref, request.values)
        if request.kind == "update":
            return await self.update(request.ref, request.values, partial=request.partial)
        if request.kind == "delete":
            await self.delete(request.ref)
            return None
        if request.action is None or request.record is None:
            raise NotSupported("an action request names no action or record")
        return await self.invoke(request.record, request.action, request.values)


UNPAGED_KEPT = 4
"""Walks whose rows ``keep_unpaged`` holds at once (a collection, each filter or sort of it); an older one is
asked of the server again when paged."""


def _as_is(record: Record) -> Record:
    return record


def _walk_key(ref: ResourceRef, request: PageRequest) -> tuple[str, str | None, str | None, bool]:
    """One walk through a collection: the same rows in the same order (kept rows, the first page's row)."""
    return ref.href or ref.label(), request.filter, request.order_by, request.descending


@dataclass(frozen=True)
class _Unpaged:
    rows: tuple[Any, ...]
    to_record: Callable[[Any], Record]
    start: int = 0
    total: int | None = None
    next_cursor: str | None = None
    """The server's, when the rows kept are not the end of the collection."""
    sorted_locally: bool = False

    def page(self, offset: int, limit: int) -> Page | None:
        end_kept = self.start + len(self.rows)
        if not self.start <= offset < end_kept:
            return None
        chunk = self.rows[offset - self.start:offset - self.start + limit]
        end = offset + len(chunk)
        whole = self.next_cursor is None and self.total in (None, end_kept)
        total = end_kept if whole else self.total
        cursor = str(end) if end < end_kept else self.next_cursor
        return Page(items=tuple(self.to_record(row) for row in chunk), offset=offset, total=total, whole=whole,
                    next_cursor=cursor, sorted_locally=self.sorted_locally)


def _row_key(record: Record) -> str:
    """What identifies a row across pages: its ref and its body as sent."""
    try:
        body = json.dumps(record.raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(record.raw)
    return f"{record.ref.collection}|{record.ref.id}|{record.ref.href}|{body}"


SCAN_PAGE = 100
"""Records asked for per page by a bounded local scan (``Backend.scan``)."""


def _key_values(fields: Mapping[str, Any], declared: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """The first non-empty value of each key kind's declared fields, as text; a ``name`` is every declared
    name field joined (Krill's ``name`` and ``surname``)."""
    keys: dict[str, str] = {}
    for kind, names in declared.items():
        if kind == "name":
            parts = [str(fields[n]).strip() for n in names
                     if fields.get(n) not in (None, "") and not isinstance(fields[n], (dict, list))]
            if any(parts):
                keys[kind] = " ".join(p for p in parts if p)
            continue
        for name in names:
            value = fields.get(name)
            if value not in (None, "") and not isinstance(value, (dict, list)):
                keys[kind] = str(value)
                break
    return keys


def _same(kind: str, want: str, have: str | None) -> bool:
    """Whether a record's key value is the query's, compared normalised (phones by their last 9 digits)."""
    from isptui.find.query import NORMALIZERS, name_text

    if have is None:
        return False
    if kind == "name":  # contains, case and whitespace aside
        return want in name_text(have)
    got = NORMALIZERS[kind](have)
    if got is None:
        return False
    return got[-9:] == want[-9:] if kind == "phone" else got == want


def _bounded_list(method: Any) -> Any:
    @functools.wraps(method)
    async def list(self: Backend, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        kept = self._unpaged_page(ref, request)
        if kept is not None:
            return kept
        page = await method(self, ref, request)
        page = self._page_checked(ref, request, page)
        if len(page.items) > request.limit:
            # A page larger than asked (a server paging by its own size, a plug-in): kept the same way, and
            # what follows it is asked of the server as usual.
            return self.keep_unpaged(ref, request, page.items, _as_is, start=page.offset, total=page.total,
                                     next_cursor=page.next_cursor)
        return page

    list._bounded = True  # type: ignore[attr-defined]
    return list


def load_backend(name: str) -> type[Backend]:
    """The adapter class for ``name``, found through the registry (the ``isptui.backends`` entry points).

    ``KeyError`` naming the known backends when there is none or it cannot be imported: a broken
    third-party package must not crash the app with a traceback.
    """
    try:
        cls = registry.descriptor(name).load()
    except registry.RegistryError as exc:
        raise KeyError(str(exc)) from exc
    except (ImportError, AttributeError) as exc:
        raise KeyError(f"backend {name!r} could not be loaded ({type(exc).__name__}: {exc})") from exc
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise TypeError(f"backend {name!r}: {registry.descriptor(name).adapter} is not a Backend subclass")
    return cls
