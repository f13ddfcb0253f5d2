"""The Trisul IPDR customers adapter: body auth, ``UserID`` keys, HTTP-200 errors, a locally paged list.

The API has one unpaged list and no GET-one endpoint (docs/trisul.md §4.2), so the adapter keeps the list
it last fetched: pages after the first come from that copy; the first page (a refresh), ``get`` and
every write fetch or update it, so what the UI shows after a write or a re-read is what the server holds.
The connection check's list is the first open's (one request for both), and page 0 asked ``again`` (Home
after paging far) comes from the copy. A big list is kept as the body's bytes and where each row starts
(``stepjson.JsonRows``), a row parsed when a page shows it: 100,000 customers cost about the 18 MB sent,
not the ~300 MB of parsed dicts (issue 15 item 9).
"""

from __future__ import annotations

import asyncio
import heapq
import json
import time
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from isptui.backends.base import BackendSettings, WriteRequest
from isptui.backends.http_backend import HttpBackend, maybe_json
from isptui.backends.trisul import mapping
from isptui.backends.trisul.auth import TrisulBodyAuth
from isptui.backends.trisul.descriptor import DESCRIPTOR
from isptui.errors import (
    AuthFailed,
    BackendError,
    MalformedResponse,
    NotFound,
    ValidationFailed,
)
from isptui.http import json_body
from isptui.http.recording import ROWS_KEY
from isptui.http.stepjson import STEP, JsonRows
from isptui.model import (
    Action,
    Capabilities,
    EntryPoint,
    FilterSpec,
    Page,
    PageRequest,
    Record,
    ResourceRef,
    Schema,
)

API_PATH = "/api/ipdrcustomers"
DEFAULT_CONTEXT = "default"
PROBE_REUSED_FOR = 60.0
"""Seconds during which the first open of the collection shows the list the connection check fetched (an
open later than that asks for the list anew)."""


class TrisulBackend(HttpBackend):
    """Trisul Network Analytics, IPDR customers API (``{url}/api/ipdrcustomers``)."""

    descriptor = DESCRIPTOR
    vendor = "Trisul"
    api_path = API_PATH

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self._rows: _Rows | None = None
        self._probed: _Rows | None = None
        """The list the connection check fetched, until the first open of the collection shows it."""
        self._probed_at = 0.0
        self._views: dict[tuple[str | None, str | None, bool], _View] = {}
        """Filtered or sorted walks through ``_rows`` (row numbers), kept while the rows are the same."""
        self._no_patch = False  # the server answered PATCH with 405: edits go as full PUTs

    # -- connection -------------------------------------------------------------------------------
    def _make_auth(self) -> httpx.Auth:
        creds = self.settings.credentials
        if not creds.get("username") or not creds.get("api_token"):
            raise AuthFailed("Trisul needs a username and an API token (--username, --api-token)")
        return TrisulBodyAuth(creds["username"], creds["api_token"], creds.get("context") or DEFAULT_CONTEXT)

    def _client_options(self) -> dict[str, Any]:
        return {"headers": {"Content-Type": "application/json"}}

    async def _probe(self) -> None:
        """Fetch the customer list: the only call there is, it proves the URL, token and context. The first
        open of the collection shows this answer (one request for the check and the first page)."""
        self._probed = await self._fetch_all()
        self._probed_at = time.monotonic()

    async def close(self) -> None:
        self._rows = self._probed = None
        self._views.clear()
        await super().close()

    def _member_url(self, user_id: str) -> str:
        return f"{self.base_url}/{quote(user_id, safe='')}"

    async def _call(self, method: str, url: str, values: Mapping[str, Any] | None = None,
                    user_id: str | None = None, extensions: dict[str, Any] | None = None) -> Any:
        """One exchange: credentials go in by the auth flow; HTTP and body-level errors become typed errors."""
        # Every request has a JSON body, even an empty GET: the auth flow adds the credentials to it.
        response = await self._send(method, url, check=False, json=dict(values or {}),
                                    extensions=extensions or {})
        where_url = self._redactor.url(response.request.url)
        if response.status_code >= 400:
            error = mapping.body_error(maybe_json(response), method=method, url=where_url, status=response.status_code,
                                       redactor=self._redactor, user_id=user_id)
            # A recognised Trisul message says more than the status, except for throttling and server faults.
            if error is not None and type(error) is not BackendError and response.status_code < 500 \
                    and response.status_code != 429:
                raise error
            raise self._error(response)
        body = json_body(response, self._redactor)
        # Documented errors arrive with HTTP 200 (docs/trisul.md §4.3): the body decides.
        error = mapping.body_error(body, method=method, url=where_url, status=response.status_code,
                                   redactor=self._redactor, user_id=user_id)
        if error is not None:
            raise error
        return body

    async def _fetch_all(self) -> _Rows:
        # A big answer is kept as its text and where each row starts (rows parsed a page at a time), not as
        # 100,000 dicts: the list is held for paging, and it must stay within the memory budget.
        body = await self._call("GET", self.base_url, extensions={ROWS_KEY: True})
        if not isinstance(body, Sequence) or isinstance(body, str | bytes) or (
                isinstance(body, list) and not all(isinstance(row, dict) for row in body)):
            raise MalformedResponse("Trisul sent something other than a list of customers", method="GET",
                                    url=self._redactor.url(self.base_url))
        self._rows = _Rows(body)
        self._views.clear()
        return self._rows

    async def _cached(self) -> _Rows:
        return self._rows if self._rows is not None else await self._fetch_all()

    async def _view(self, request: PageRequest) -> _Rows | _View:
        """The rows of a walk: the whole list, or the rows passing its filter in its order, made in steps
        (each row parsed, tested, let go) and kept for the walk's later pages."""
        rows = self._rows if self._rows is not None else await self._fetch_all()
        if not request.filter and not request.order_by:
            return rows
        key = (request.filter, request.order_by, request.descending)
        if key in self._views:
            return self._views[key]
        steps = _Breather()
        picked: list[tuple[Any, int]] = []
        order = request.order_by
        for i in range(len(rows)):
            row = rows[i]
            if not request.filter or mapping.matches(row, request.filter):
                value = row.get(order) if order else None
                picked.append(((value is None, str(value or "").casefold()) if order else 0, i))
            await steps.breathe()
        if order:
            picked = await _sorted_in_steps(picked, request.descending)
        view = _View(rows, array("q", (i for _, i in picked)))
        self._views[key] = view
        while len(self._views) > 4:
            del self._views[next(iter(self._views))]
        return view

    # -- reading ----------------------------------------------------------------------------------
    async def discover(self) -> list[EntryPoint]:
        ref = ResourceRef(collection=mapping.COLLECTION)
        return [EntryPoint(key=mapping.COLLECTION, title="IPDR customers", group="IPDR", ref=ref,
                           capabilities=mapping.CAPABILITIES, description=API_PATH)]

    def _check(self, ref: ResourceRef) -> None:
        if (ref.collection or mapping.COLLECTION) != mapping.COLLECTION:
            raise NotFound(f"Trisul has no collection {ref.label()!r}; only {mapping.COLLECTION}")

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        return mapping.CAPABILITIES

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        # server_side: the adapter filters the complete list, which beats the UI filtering loaded pages.
        return FilterSpec(server_side=True, fields=mapping.FIELDS, hint=mapping.FILTER_HINT)

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        """A slice of the list; offset 0 without a cursor (open, refresh) fetches it anew."""
        self._check(ref)
        request = request or PageRequest()
        offset = int(request.cursor) if request.cursor and request.cursor.isdigit() else request.offset
        fresh = offset == 0 and not request.cursor and not request.again
        if fresh and self._probed is not None and not request.filter and not request.order_by \
                and time.monotonic() - self._probed_at < PROBE_REUSED_FOR:
            # The connection check fetched the list a moment ago and nothing has read it yet: the first
            # open shows that answer instead of asking for the whole list a second time. (A search or a
            # filtered or sorted open asks anew, as a refresh does.)
            self._rows, self._probed = self._probed, None
        elif fresh:
            self._probed = None
            await self._fetch_all()
        rows = await self._view(request)
        chunk = rows[offset:offset + request.limit]
        end = offset + len(chunk)
        url = self._redactor.url(self.base_url)
        return Page(items=tuple(mapping.to_record(row, url=url) for row in chunk), offset=offset,
                    total=len(rows), next_cursor=str(end) if end < len(rows) else None)

    async def get(self, ref: ResourceRef) -> Record:
        """Find the customer in a freshly fetched list: there is no GET-one endpoint, and a re-read
        before an update must see what the server holds now."""
        self._check(ref)
        if ref.id is None:
            raise NotFound(f"{ref.label()} is a collection, not a record")
        rows = await self._fetch_all()
        self._probed = None
        index = await rows.find(ref.id)
        row = rows[index] if index is not None else None
        if row is None:
            raise NotFound(f"Trisul has no IPDR customer with UserID {ref.id}; it may have been deleted, refresh",
                           method="GET", url=self._redactor.url(self._member_url(ref.id)))
        return mapping.to_record(row, url=self._redactor.url(self.base_url))

    async def schema(self, ref: ResourceRef) -> Schema:
        self._check(ref)
        return mapping.SCHEMA

    # -- writing ----------------------------------------------------------------------------------
    def _accept(self, body: Any, method: str, url: str) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get(mapping.KEY) in (None, ""):
            raise MalformedResponse("Trisul answered the write without the customer object", method=method,
                                    url=self._redactor.url(url))
        return body

    async def _remember(self, row: dict[str, Any], replaces: str | None) -> None:
        """Keep the cached list in step with a write, so later pages show it without a refetch."""
        if self._rows is None:
            return
        self._views.clear()
        index = await self._rows.find(replaces) if replaces is not None else None
        if index is None:
            self._rows.append(row)
        else:
            self._rows[index] = row

    def _method(self, values: Mapping[str, Any]) -> str:
        return "PUT" if all(name in values for name in mapping.FIELDS) else "PATCH"

    def prepare(self, kind: str, ref: ResourceRef, values: Mapping[str, Any] | None = None, *,
                partial: bool = True, action: Action | None = None, record: Record | None = None,
                method: str | None = None) -> WriteRequest:
        """POST to the collection, PATCH for edits, PUT when all six fields are given, DELETE.

        The preview shows the body with the credentials the auth flow adds to it (masked), as sent.
        """
        if kind == "action":
            return super().prepare(kind, ref, values, partial=partial, action=action, record=record, method=method)
        self._check(ref)
        values = dict(values or {})
        if kind != "create" and ref.id is None:
            raise NotFound(f"{ref.label()} names no record")
        if kind == "update":
            new_key = values.get(mapping.KEY)
            if new_key is not None and str(new_key) != ref.id:
                raise ValidationFailed("Trisul's UserID is the customer's key and cannot be changed here",
                                       field_errors={mapping.KEY: ["cannot be changed after create"]})
        update_verb = "PUT" if self._no_patch else self._method(values)
        verb = method or {"create": "POST", "update": update_verb, "delete": "DELETE"}[kind]
        url = self.base_url if kind == "create" else self._member_url(str(ref.id))
        creds = self.settings.credentials
        body = {} if verb == "DELETE" else values
        shown = {**body, "api_token": creds.get("api_token", ""), "username": creds.get("username", ""),
                 "contextname": creds.get("context") or DEFAULT_CONTEXT}
        request = self._request(kind, verb, url, ref, values, body=body, partial=partial)
        preview = (request.preview[0], "Content-Type: application/json",
                   json.dumps(self._redactor.data(shown), ensure_ascii=False, indent=2))
        return replace(request, preview=preview)

    async def execute(self, request: WriteRequest) -> Any:
        if request.kind == "action":
            return await super().execute(request)
        user_id = request.ref.id if request.kind != "create" else None
        body = await self._call(request.method, request.url, request.body, user_id=user_id)
        if request.kind == "delete":
            if self._rows is not None:
                self._views.clear()
                index = await self._rows.find(str(request.ref.id))
                if index is not None:
                    del self._rows[index]
            return None
        row = self._accept(body, request.method, request.url)
        await self._remember(row, user_id)
        return mapping.to_record(row, url=self._redactor.url(self.base_url))

    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        """POST; Trisul answers 200 with the created object (docs/trisul.md §4.2)."""
        return await self.execute(self.prepare("create", ref, values))  # type: ignore[no-any-return]

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        """PATCH for edits; PUT when all six fields are given (a full update fills in the others first)."""
        body = dict(values)
        if not partial and self._method(body) == "PATCH" and ref.id is not None:
            current = await self.get(ref)
            body = {name: current.fields.get(name) for name in mapping.FIELDS} | body
        if self._no_patch and self._method(body) == "PATCH" and ref.id is not None:
            current = await self.get(ref)
            body = {name: current.fields.get(name) for name in mapping.FIELDS} | body
        request = self.prepare("update", ref, body, partial=partial)
        try:
            return await self.execute(request)  # type: ignore[no-any-return]
        except BackendError as exc:
            # Unknown (docs/trisul.md §4): whether PATCH is served. A 405 means it is not: send the whole
            # record with PUT, and from now on edits are full updates (the capabilities say so).
            if request.method != "PATCH" or exc.status != 405:
                raise
            self._no_patch = True
            return await self.update(ref, values, partial=False)

    async def delete(self, ref: ResourceRef) -> None:
        """DELETE; Trisul answers 200 with the deleted object."""
        await self.execute(self.prepare("delete", ref))


class _Breather:
    """Hands the loop back every ``stepjson.STEP`` seconds of a long walk over the rows."""

    def __init__(self) -> None:
        self.deadline = time.perf_counter() + STEP

    async def breathe(self) -> None:
        if time.perf_counter() > self.deadline:
            await asyncio.sleep(0)
            self.deadline = time.perf_counter() + STEP


async def _sorted_in_steps(items: list[tuple[Any, int]], descending: bool) -> list[tuple[Any, int]]:
    """``sorted(items, reverse=descending)`` by key, stable, in runs of 4,096 merged in steps (one sort of
    100,000 keys holds the loop for ~100 ms)."""
    if descending:  # stable and descending: sort the reversed keys' positions by key, then reverse
        items = items[::-1]
    runs = []
    steps = _Breather()
    for start in range(0, len(items), 4096):
        runs.append(sorted(items[start:start + 4096], key=lambda pair: pair[0]))
        await steps.breathe()
    out: list[tuple[Any, int]] = []
    for n, pair in enumerate(heapq.merge(*runs, key=lambda pair: pair[0])):
        out.append(pair)
        if n % 512 == 0:
            await steps.breathe()
    return out[::-1] if descending else out


class _Rows:
    """The customer list as the server sent it, with the writes made since: row ``i`` is parsed when read.

    ``base`` is what the list answer gave (``JsonRows`` for a big answer, a list of dicts for a small one);
    ``order`` holds which stored row is at each position (a delete takes one out, a create adds one)."""

    def __init__(self, base: Sequence[Any]) -> None:
        self.base = base
        self.added: list[dict[str, Any]] = []
        self.replaced: dict[int, dict[str, Any]] = {}
        self.order: array[int] | None = None  # None: position i is base row i (no write yet)

    def __len__(self) -> int:
        return len(self.base) if self.order is None else len(self.order)

    def _stored(self, index: int) -> int:
        return index if self.order is None else self.order[index]

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        at = self._stored(index)
        if at in self.replaced:
            return self.replaced[at]
        return self.base[at] if at < len(self.base) else self.added[at - len(self.base)]

    def _ordered(self) -> array[int]:
        if self.order is None:
            self.order = array("q", range(len(self.base)))
        return self.order

    def __setitem__(self, index: int, row: dict[str, Any]) -> None:
        self.replaced[self._stored(index)] = row

    def __delitem__(self, index: int) -> None:
        del self._ordered()[index]

    def append(self, row: dict[str, Any]) -> None:
        self._ordered().append(len(self.base) + len(self.added))
        self.added.append(row)

    async def find(self, user_id: str) -> int | None:
        """The position of the customer whose UserID is ``user_id`` (exact, as paths use it), or None.

        In a big answer the key is looked for in the text first (where it is written as a JSON string), and
        only the row found there is parsed; failing that, every row is read, in steps."""
        if isinstance(self.base, JsonRows) and not self.replaced and self.order is None:
            data, needle = self.base.data, json.dumps(user_id, ensure_ascii=False).encode("utf-8")
            pos = data.find(needle)
            while pos >= 0:
                index = self.base.index_at(pos)
                if 0 <= index < len(self.base) and str(self.base[index].get(mapping.KEY)) == user_id:
                    return index
                pos = data.find(needle, pos + 1)
        steps = _Breather()
        for index in range(len(self)):
            if str(self[index].get(mapping.KEY)) == user_id:
                return index
            await steps.breathe()
        return None


class _View:
    """The rows of a filtered or sorted walk: positions in ``_Rows``, the rows parsed when read."""

    def __init__(self, rows: _Rows, picked: array[int]) -> None:
        self.rows = rows
        self.picked = picked

    def __len__(self) -> int:
        return len(self.picked)

    def __getitem__(self, index: slice) -> list[Any]:
        return [self.rows[i] for i in self.picked[index]]
