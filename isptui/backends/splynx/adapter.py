"""The Splynx adapter: a catalogue of entry points, OPTIONS schemas, HEAD totals, main_attributes filters.

Every write is followed by a read-back, because Splynx answers a create with ``{id}`` only and an update
with 202 and no body: the Record the UI shows after a write is what the server now holds.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from isptui.backends.base import BackendSettings, WriteRequest
from isptui.backends.http_backend import BODY_VERBS, HttpBackend
from isptui.backends.splynx import mapping
from isptui.backends.splynx.auth import (
    NonceCounter,
    SplynxBasicAuth,
    SplynxSignatureAuth,
    SplynxTokenAuth,
)
from isptui.backends.splynx.catalogue import BY_KEY, CATALOGUE, Entry, entry_for_path
from isptui.backends.splynx.descriptor import DESCRIPTOR
from isptui.discovery import infer_schema, splynx_options_to_schema
from isptui.errors import (
    AuthFailed,
    BackendError,
    ConnectionFailed,
    MalformedResponse,
    NotFound,
    NotSupported,
)
from isptui.http import send
from isptui.model import Action, Capabilities, EntryPoint, FilterSpec, Link, Page, PageRequest, Record, ResourceRef, Schema

API_PREFIX = "/api/2.0/"
AUTH_SCHEMES = ("basic", "signature", "token")
UPLOAD_ACTION = "upload-document"


class SplynxBackend(HttpBackend):
    """Splynx REST API v2.0 (``{url}/api/2.0/``)."""

    descriptor = DESCRIPTOR
    vendor = "Splynx"
    api_path = API_PREFIX

    def __init__(self, settings: BackendSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings)
        self._clock = clock
        self._schemas: dict[str, Schema] = {}
        self._totals: dict[tuple[str, str], int] = {}

    # -- connection -------------------------------------------------------------------------------
    def _make_auth(self) -> httpx.Auth:
        creds = self.settings.credentials
        key, secret = creds.get("api_key", ""), creds.get("api_secret", "")
        login, password = creds.get("admin_login", ""), creds.get("admin_password", "")
        if login and not key:
            # An administrator's login (auth_type "admin"): always a token session, never basic/signature.
            if not password:
                raise AuthFailed("Splynx admin login needs its password (--admin-password or SPLYNX_ADMIN_PASSWORD)")
            return SplynxTokenAuth(login, password, self.base_url, clock=self._clock, on_token=self._redactor.add,
                                   admin=True)
        if not key or not secret:
            raise AuthFailed("Splynx needs an API key and its secret (--api-key, --api-secret), "
                             "or an administrator login (--admin-login, --admin-password)")
        scheme = (creds.get("auth") or "token").lower()
        if scheme not in AUTH_SCHEMES:
            raise AuthFailed(f"unknown Splynx auth scheme {scheme!r}; use one of {', '.join(AUTH_SCHEMES)}")
        if scheme == "basic":
            return SplynxBasicAuth(key, secret)
        nonce = NonceCounter(self._clock)
        if scheme == "signature":
            return SplynxSignatureAuth(key, secret, nonce)
        return SplynxTokenAuth(key, secret, self.base_url, clock=self._clock, nonce=nonce,
                               on_token=self._redactor.add)

    async def _probe(self) -> None:
        """Authenticate (token login happens on the first request) and check this is a Splynx API."""
        response = await self._send("HEAD", BY_KEY["customers"].path, check=False)
        if response.status_code == 403:
            return  # authenticated; this key just may not see customers
        if response.status_code == 404:
            raise ConnectionFailed(f"{self.settings.url} does not look like a Splynx server "
                                   "(no /api/2.0/admin/customers/customer)", method="HEAD",
                                   url=self._redactor.url(response.request.url), status=404)
        if response.status_code >= 400:
            raise self._error(response)

    async def _on_close(self, client: httpx.AsyncClient) -> None:
        if self.read_only:
            return  # logout is a DELETE: a read-only session lets its token expire instead
        try:
            logout = self._auth.logout_request() if isinstance(self._auth, SplynxTokenAuth) else None
            if logout is not None:
                await send(client, "DELETE", str(logout.url))
        except (httpx.HTTPError, BackendError):
            pass  # logging out is a courtesy; the token expires on its own

    def _error(self, response: httpx.Response) -> BackendError:
        return mapping.error_from_response(response, self._redactor)

    # -- reading ----------------------------------------------------------------------------------
    async def discover(self) -> list[EntryPoint]:
        return [entry.entry_point() for entry in CATALOGUE if entry.listed]

    def _entry(self, ref: ResourceRef) -> Entry:
        entry = BY_KEY.get(ref.collection or "") or (entry_for_path(ref.href) if ref.href else None)
        if entry is None:
            raise NotFound(f"Splynx has no collection {ref.label()!r} in isptui's catalogue")
        return entry

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        entry = BY_KEY.get(ref.collection or "")
        return entry.capabilities() if entry else Capabilities()

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        entry = BY_KEY.get(ref.collection or "")
        field = entry.search_field if entry else "name"
        known = self._schemas.get(entry.key) if entry else None
        return FilterSpec(server_side=True, fields=known.names if known else (),
                          hint=mapping.FILTER_HINT.format(field=field))

    async def _total(self, path: str, params: list[tuple[str, str]]) -> int | None:
        key = (path, json.dumps(params))
        if key in self._totals:
            return self._totals[key]
        try:
            response = await self._send("HEAD", path, params=params, check=False)
        except BackendError:
            return None  # a total is a nicety; the page itself still loads
        value = response.headers.get("X-total-count")
        if response.status_code >= 400 or value is None or not value.strip().isdigit():
            return None
        self._totals[key] = int(value)
        return self._totals[key]

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        if request.cursor and request.cursor.isdigit():
            # Our own cursor is the next offset: Splynx pages by limit/offset only.
            request = request.model_copy(update={"offset": int(request.cursor), "cursor": None})
        entry = self._entry(ref)
        # A link's own query (a customer's invoices: main_attributes[customer_id]=N) is kept: httpx would
        # drop it when given params.
        path, _, own_query = (ref.href or entry.path).partition("?")
        params = parse_qsl(own_query, keep_blank_values=True)
        params += mapping.filter_params(mapping.parse_filter(request.filter, entry.search_field))
        if request.order_by:
            params.append((f"order[{request.order_by}]", "DESC" if request.descending else "ASC"))
        paged = [*params, ("limit", str(request.limit)), ("offset", str(request.offset))]
        response, total = await asyncio.gather(self._send("GET", path, params=paged),
                                               self._total(path, params))
        body = self._json(response)
        url = self._redactor.url(response.request.url)
        if isinstance(body, dict):
            body = [body] if "id" in body else list(body.values()) if all(
                isinstance(v, dict) for v in body.values()) else None
        if not isinstance(body, list):
            raise MalformedResponse("Splynx sent something other than a list for a collection", url=url,
                                    method="GET", status=response.status_code)
        def to_record(row: Any) -> Record:
            return mapping.to_record(entry, row, url, href=self._item_href(entry, row, ref))

        if len(body) > request.limit:
            # The server ignored limit (some endpoints do, some servers always): every row is kept, a page at
            # a time. If it sent at least the count, it ignored offset too and the rows start at 0.
            start = 0 if total is None or len(body) >= total else request.offset
            return self.keep_unpaged(ref, request, body, to_record, start=start)
        items = tuple(to_record(row) for row in body)
        return Page(items=items, offset=request.offset, total=total,
                    next_cursor=None if len(body) < request.limit else str(request.offset + len(body)))

    def _item_href(self, entry: Entry, row: Any, ref: ResourceRef) -> str | None:
        """Where a sub-collection record lives; None for records addressed as ``{collection}/{id}``."""
        if not isinstance(row, dict) or row.get("id") in (None, ""):
            return None
        if entry.key == "internet-services":
            cid = row.get("customer_id")
            if cid in (None, "") and ref.href:
                cid = ref.href.split("/customer/", 1)[-1].split("/", 1)[0]
            return f"admin/customers/customer/{cid}/internet-services--{row['id']}"
        if entry.key == "customer-documents":
            cid = row.get("customer_id")
            return f"{entry.path}/{cid}" if cid not in (None, "") else ref.href
        return None

    async def get(self, ref: ResourceRef) -> Record:
        entry = self._entry(ref)
        if ref.id is None and ref.href is None:
            raise NotFound(f"{ref.label()} is a collection, not a record")
        path = ref.href or entry.item_path(str(ref.id))
        response = await self._send("GET", path)
        body = self._json(response)
        url = self._redactor.url(response.request.url)
        if isinstance(body, list):
            # Documents are read through their customer's list (GET customer-documents/{customer_id}).
            body = next((r for r in body if isinstance(r, dict) and mapping.record_id(r) == ref.id), None)
            if body is None:
                raise NotFound(f"Splynx has no {entry.title.lower()} record {ref.id}", method="GET", url=url)
        return mapping.to_record(entry, body, url, href=ref.href or self._item_href(entry, body, ref))

    async def follow(self, link: Link) -> Record | Page:
        return await self._follow_target(link)

    async def schema(self, ref: ResourceRef) -> Schema:
        entry = self._entry(ref)
        if entry.key in self._schemas:
            return self._schemas[entry.key]
        response = await self._send("OPTIONS", entry.path, check=False)
        if response.status_code < 400:
            schema = splynx_options_to_schema(self._json(response))
        elif response.status_code == 403:
            raise self._error(response)
        else:
            schema = await self._inferred(entry)
        self._schemas[entry.key] = schema
        return schema

    async def _inferred(self, entry: Entry) -> Schema:
        """A schema guessed from sample records, for endpoints whose OPTIONS fails (some answer 405/500)."""
        page = await self.list(ResourceRef(collection=entry.key), PageRequest(limit=20))
        return infer_schema([item.fields for item in page.items])

    # -- writing ----------------------------------------------------------------------------------
    def _collection_path(self, ref: ResourceRef, entry: Entry) -> str:
        if ref.href and entry.key == "internet-services":
            return ref.href.split("--", 1)[0]
        return entry.path

    def _record_path(self, ref: ResourceRef, entry: Entry) -> str:
        if ref.id is None:
            raise NotFound(f"{ref.label()} names no record")
        if ref.href and entry.key == "internet-services":
            return ref.href
        return entry.item_path(ref.id)

    def prepare(self, kind: str, ref: ResourceRef, values: Mapping[str, Any] | None = None, *,
                partial: bool = True, action: Action | None = None, record: Record | None = None,
                method: str | None = None) -> WriteRequest:
        """Splynx updates are PUT (and PUT is partial there), creates POST to the collection."""
        if kind == "action":
            return super().prepare(kind, ref, values, partial=partial, action=action, record=record, method=method)
        entry = self._entry(ref)
        values = dict(values or {})
        verb = method or {"create": "POST", "update": "PUT", "delete": "DELETE"}[kind]
        path = self._collection_path(ref, entry) if kind == "create" else self._record_path(ref, entry)
        return self._request(kind, verb, self.base_url + path, ref, values,
                             body=values if verb in BODY_VERBS else None, partial=partial)

    async def execute(self, request: WriteRequest) -> Any:
        if request.kind == "action":
            return await super().execute(request)
        ref, values = request.ref, request.values
        response = await self._send(request.method, request.url, **self._body_of(request))
        if request.kind == "update":
            return await self.read_back(ref, values)
        self._totals.clear()
        if request.kind == "delete":
            # A record still there afterwards was archived, not removed.
            await self.confirm_deleted(ref)
            return None
        entry = self._entry(ref)
        body = self._json(response) if response.content else {}
        new_id = mapping.record_id(body) if isinstance(body, dict) else None
        if new_id is None:
            raise MalformedResponse("Splynx created the record but sent no id to read it back",
                                    method="POST", url=self._redactor.url(response.request.url), status=response.status_code)
        href = None
        if entry.key == "internet-services":
            href = f"{self._collection_path(ref, entry)}--{new_id}"
        elif entry.key == "customer-documents" and values.get("customer_id") is not None:
            href = f"{entry.path}/{values['customer_id']}"
        return await self.read_back(ResourceRef(collection=entry.key, id=new_id, href=href), values)

    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        return await self.execute(self.prepare("create", ref, values))  # type: ignore[no-any-return]

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        return await self.execute(self.prepare("update", ref, values, partial=partial))  # type: ignore[no-any-return]

    async def delete(self, ref: ResourceRef) -> None:
        await self.execute(self.prepare("delete", ref))

    async def upload_document(self, customer_id: str, path: str | Path, *, title: str | None = None,
                              description: str = "") -> Record:
        """Attach a file to a customer: create the document record, then upload the file (multipart)."""
        file = Path(path)
        try:
            content = file.read_bytes()  # in memory, so a resend after a token renewal has the same body
        except OSError as exc:
            raise NotSupported(f"cannot read {file.name}: {exc.strerror or exc}") from exc
        entry = BY_KEY["customer-documents"]
        values = {"customer_id": customer_id, "type": "uploaded", "title": title or file.name,
                  "description": description, "visible_by_customer": "0"}
        response = await self._send("POST", entry.path, json=values)
        doc_id = mapping.record_id(self._json(response) or {})
        if doc_id is None:
            raise MalformedResponse("Splynx created the document but sent no id", method="POST",
                                    url=self._redactor.url(response.request.url), status=response.status_code)
        await self._send("POST", f"{entry.path}/{doc_id}--upload",
                         files={"file": (file.name, content, "application/octet-stream")})
        return await self.get(ResourceRef(collection=entry.key, id=doc_id, href=f"{entry.path}/{customer_id}"))

    async def invoke(self, record: Record, action: Action, params: Mapping[str, Any] | None = None) -> Any:
        if action.name != UPLOAD_ACTION or record.ref.collection != "customers" or record.id is None:
            return await super().invoke(record, action, params)
        params = params or {}
        if not params.get("path"):
            raise NotSupported("choose a file to upload")
        return await self.upload_document(record.id, str(params["path"]), title=params.get("title") or None,
                                          description=str(params.get("description") or ""))

