"""The Trisul IPDR customers adapter: body auth, ``UserID`` keys, HTTP-200 errors, a locally paged list.

The API has one unpaged list and no GET-one endpoint (docs/trisul.md §4.2), so the adapter keeps the list
it last fetched: pages after the first come from that copy; the first page (a refresh), ``get`` and
every write fetch or update it, so what the UI shows after a write or a re-read is what the server holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from isptui.backends.base import BackendSettings
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
from isptui.model import (
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


class TrisulBackend(HttpBackend):
    """Trisul Network Analytics, IPDR customers API (``{url}/api/ipdrcustomers``)."""

    descriptor = DESCRIPTOR
    vendor = "Trisul"
    api_path = API_PATH

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self._rows: list[dict[str, Any]] | None = None
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
        """Fetch the customer list: the only call there is, it proves the URL, token and context."""
        await self._fetch_all()

    async def close(self) -> None:
        self._rows = None
        await super().close()

    def _member_url(self, user_id: str) -> str:
        return f"{self.base_url}/{quote(user_id, safe='')}"

    async def _call(self, method: str, url: str, values: Mapping[str, Any] | None = None,
                    user_id: str | None = None) -> Any:
        """One exchange: credentials go in by the auth flow; HTTP and body-level errors become typed errors."""
        # Every request has a JSON body, even an empty GET: the auth flow adds the credentials to it.
        response = await self._send(method, url, check=False, json=dict(values or {}))
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

    async def _fetch_all(self) -> list[dict[str, Any]]:
        body = await self._call("GET", self.base_url)
        if not isinstance(body, list) or not all(isinstance(row, dict) for row in body):
            raise MalformedResponse("Trisul sent something other than a list of customers", method="GET",
                                    url=self._redactor.url(self.base_url))
        self._rows = body
        return body

    async def _cached(self) -> list[dict[str, Any]]:
        return self._rows if self._rows is not None else await self._fetch_all()

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
        rows = await (self._fetch_all() if offset == 0 and not request.cursor else self._cached())
        if request.filter:
            rows = [row for row in rows if mapping.matches(row, request.filter)]
        if request.order_by:
            key = request.order_by
            rows = sorted(rows, key=lambda r: (r.get(key) is None, str(r.get(key) or "").casefold()),
                          reverse=request.descending)
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
        row = mapping.find(await self._fetch_all(), ref.id)
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

    def _remember(self, row: dict[str, Any], replaces: str | None) -> None:
        """Keep the cached list in step with a write, so later pages show it without a refetch."""
        if self._rows is None:
            return
        index = next((i for i, r in enumerate(self._rows) if str(r.get(mapping.KEY)) == replaces), None)
        if index is None:
            self._rows.append(row)
        else:
            self._rows[index] = row

    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        """POST; Trisul answers 200 with the created object (docs/trisul.md §4.2)."""
        self._check(ref)
        body = self._accept(await self._call("POST", self.base_url, values), "POST", self.base_url)
        self._remember(body, None)
        return mapping.to_record(body, url=self._redactor.url(self.base_url))

    def _method(self, values: Mapping[str, Any]) -> str:
        return "PUT" if all(name in values for name in mapping.FIELDS) else "PATCH"

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        """PATCH for edits; PUT when all six fields are given (a full update fills in the others first)."""
        self._check(ref)
        if ref.id is None:
            raise NotFound(f"{ref.label()} names no record")
        new_key = values.get(mapping.KEY)
        if new_key is not None and str(new_key) != ref.id:
            raise ValidationFailed("Trisul's UserID is the customer's key and cannot be changed here",
                                   field_errors={mapping.KEY: ["cannot be changed after create"]})
        body = dict(values)
        if not partial and self._method(body) == "PATCH":
            current = await self.get(ref)
            body = {name: current.fields.get(name) for name in mapping.FIELDS} | body
        url = self._member_url(ref.id)
        method = "PUT" if self._no_patch else self._method(body)
        if method == "PUT" and self._method(body) == "PATCH":
            current = await self.get(ref)
            body = {name: current.fields.get(name) for name in mapping.FIELDS} | body
        try:
            answer = await self._call(method, url, body, user_id=ref.id)
        except BackendError as exc:
            # Unknown (docs/trisul.md §4): whether PATCH is served. A 405 means it is not: send the whole
            # record with PUT, and from now on edits are full updates (the capabilities say so).
            if method != "PATCH" or exc.status != 405:
                raise
            self._no_patch = True
            return await self.update(ref, values, partial=False)
        row = self._accept(answer, method, url)
        self._remember(row, ref.id)
        return mapping.to_record(row, url=self._redactor.url(self.base_url))

    async def delete(self, ref: ResourceRef) -> None:
        """DELETE; Trisul answers 200 with the deleted object."""
        self._check(ref)
        if ref.id is None:
            raise NotFound(f"{ref.label()} names no record")
        await self._call("DELETE", self._member_url(ref.id), user_id=ref.id)
        if self._rows is not None:
            self._rows = [r for r in self._rows if str(r.get(mapping.KEY)) != ref.id]

    def describe_write(self, method: str, ref: ResourceRef, values: Mapping[str, Any]) -> list[str]:
        """The request as sent, credentials included but masked (they travel in the body)."""
        creds = self.settings.credentials
        if method in ("PUT", "PATCH"):
            method = "PUT" if self._no_patch else self._method(values)
        url = self.base_url if method == "POST" or ref.id is None else self._member_url(ref.id)
        body = {**(dict(values) if method != "DELETE" else {}), "api_token": creds.get("api_token", ""),
                "username": creds.get("username", ""), "contextname": creds.get("context") or DEFAULT_CONTEXT}
        return [f"{method} {self._redactor.url(url)}", "Content-Type: application/json",
                json.dumps(self._redactor.data(body), ensure_ascii=False, indent=2)]
