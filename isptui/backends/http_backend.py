"""What every HTTP adapter shares: one client per connection, its redactor, sending, error mapping, JSON.

Each vendor adapter subclasses :class:`HttpBackend` and fills in small hooks: where its API lives
(``api_path``), its name in messages (``vendor``), how it authenticates (``_make_auth``), what else its
client needs (``_client_options``), the request that proves the connection (``_probe``), and how a failed
exchange reads (``_error``). The plumbing around them (connect, close, send, read JSON) is written once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

import httpx

from isptui.backends.base import Backend, BackendSettings, WriteRequest
from isptui.errors import BackendError, ConnectionFailed, MalformedResponse, MethodRefused
from isptui.http import make_client, raise_for_status, send
from isptui.http.errors import parsed
from isptui.http.origin import EXTERNAL
from isptui.http.redact import Redactor
from isptui.model import Action, Link, Page, Record, ResourceRef

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
BODY_VERBS = frozenset({"POST", "PUT", "PATCH"})
OTHER_VERB = {"PATCH": "PUT", "PUT": "PATCH", "GET": "POST", "POST": "GET"}
"""The verb to offer when the server answers 405 to an update (PUT/PATCH) or an action (GET/POST)."""
KIND_OF = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def where_of(response: httpx.Response, redactor: Redactor) -> dict[str, Any]:
    """``method``, redacted ``url`` and ``status`` of an exchange: the keyword arguments of a BackendError."""
    request = response.request
    return {"method": request.method, "url": redactor.url(request.url), "status": response.status_code}


def retry_after(response: httpx.Response) -> float | None:
    """A numeric ``Retry-After`` in seconds, else None (vendors that send one send seconds)."""
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def maybe_json(response: httpx.Response) -> Any:
    """The body as JSON, or None when it is not JSON: for error bodies, which are read for a message only."""
    try:
        return parsed(response)
    except (ValueError, RecursionError):
        return None


class HttpBackend(Backend):
    """A Backend that talks to its system over one ``httpx.AsyncClient`` built by ``make_client``."""

    vendor: ClassVar[str] = ""
    """The system's short name in messages: ``Splynx``, ``Krill``, …"""
    api_path: ClassVar[str] = ""
    """Appended to the profile's URL to give ``base_url`` (``/api/2.0/``)."""

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.base_url = settings.url.rstrip("/") + self.api_path
        self._client: httpx.AsyncClient | None = None
        self._auth: httpx.Auth | None = None
        self._redactor = Redactor(settings.secrets())
        self._etags: dict[str, str] = {}
        """ETag of each record URL (no query) as last read, for If-Match on the next write to it."""

    # -- hooks ------------------------------------------------------------------------------------
    def _make_auth(self) -> httpx.Auth | None:
        """The auth flow for the client; raises AuthFailed (before any request) when credentials lack."""
        return None

    def _client_options(self) -> dict[str, Any]:
        """More ``make_client`` arguments (``headers``); read-only allowances come from the descriptor."""
        return {}

    async def _probe(self) -> None:
        """The first exchange, proving the URL and the credentials; raises a BackendError when not."""

    async def _on_close(self, client: httpx.AsyncClient) -> None:
        """Said to the server before the client closes (a logout); must not raise."""

    def _error(self, response: httpx.Response) -> BackendError:
        """The typed error for a failed exchange (status >= 400); vendors read their error envelope."""
        try:
            raise_for_status(response, self._redactor)
        except BackendError as exc:
            return exc
        return BackendError(f"{self.vendor} answered {response.status_code}", **self._where(response))

    # -- connection -------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Build the client and send the probe; a failed probe closes the client again."""
        self._auth = self._make_auth()
        # The descriptor's read-only auth calls (and the adapter's reads-by-POST) are the one list the
        # read-only guard lets through: Backend.read_only_calls().
        options: dict[str, Any] = {"login_calls": self.read_only_calls()}
        options.update(self._client_options())
        # Made in a thread: httpx's transport imports httpcore on first use (and trio, when installed) and loads
        # the system's CA certificates into an SSL context — 50-100 ms, much of it C code holding the
        # interpreter, which stopped the UI's loop on every connect (the worst block while opening a
        # collection). Nothing made here is tied to a loop until first used.
        self._client = await asyncio.to_thread(partial(make_client, self.settings, base_url=self.base_url,
                                                       auth=self._auth, redactor=self._redactor, **options))
        try:
            await self._probe()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            await self._on_close(client)
        finally:
            await client.aclose()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise ConnectionFailed(f"not connected to {self.vendor}; connect first")
        return self._client

    @property
    def redactor(self) -> Redactor:
        """This connection's redactor (actions add secrets they send, like a new password)."""
        return self._redactor

    async def fetch_external(self, link: Link) -> Record:
        """The user confirmed opening an off-origin link: one GET with no auth flow and, by the origin
        policy (``EXTERNAL``), every credential-bearing header removed. Shown as a plain record."""
        url = link.href
        response = await send(self.client, "GET", url, auth=None, extensions={EXTERNAL: True})
        if response.status_code >= 400:
            raise self._error(response)
        data = self._json(response)
        fields = data if isinstance(data, dict) else {"value": data}
        return Record(ref=ResourceRef(href=url), title=f"{link.rel} (external)", fields=fields, raw=data)

    # -- exchanges --------------------------------------------------------------------------------
    async def _send(self, method: str, url: str, *, check: bool = True, write: bool = False,
                    **kw: Any) -> httpx.Response:
        """One exchange; transport failures are BackendErrors, and so is a status >= 400 when ``check``.

        ``write``: the exchange is a WriteRequest being sent, so a 405 becomes MethodRefused (with the
        verbs ``Allow`` names) for the write path to offer the other verb; reads keep their own 405 handling.
        """
        key = self._etag_key(url)
        if method in WRITE_METHODS and key in self._etags:
            # Where the server gave an ETag, a write is conditional: if someone changed the record since it
            # was read, the server refuses it (412) instead of one change silently overwriting the other.
            headers = dict(kw.pop("headers", None) or {})
            headers.setdefault("If-Match", self._etags[key])
            kw["headers"] = headers
        response = await send(self.client, method, url, **kw)
        if method == "GET" and response.headers.get("etag") and response.status_code < 300:
            self._etags[key] = response.headers["etag"]
        elif method in WRITE_METHODS:
            self._etags.pop(key, None)  # the read-back (or the next read) learns the new one
        if check and write and response.status_code == 405:
            raise self._method_refused(response)
        if check and response.status_code >= 400:
            raise self._error(response)
        return response

    def _method_refused(self, response: httpx.Response) -> MethodRefused:
        """A 405, with the verbs ``Allow`` names, so the write path can offer the other one."""
        allow = tuple(v.strip().upper() for v in response.headers.get("allow", "").split(",") if v.strip())
        method = response.request.method
        return MethodRefused(f"{self.vendor} does not take {method} here"
                             + (f" (it allows {', '.join(allow)})" if allow else ""), allow=allow,
                             **self._where(response))

    def _etag_key(self, url: str) -> str:
        """The record URL an ETag belongs to: absolute, without query (``?attrs=`` does not change it)."""
        try:
            full = httpx.URL(self.base_url).join(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return url
        return str(full.copy_with(query=None, fragment=None)).rstrip("/")

    def _where(self, response: httpx.Response) -> dict[str, Any]:
        return where_of(response, self._redactor)

    def _json(self, response: httpx.Response) -> Any:
        """The body as JSON, or MalformedResponse naming the vendor and the exchange."""
        try:
            return parsed(response)
        except (ValueError, RecursionError) as exc:
            raise MalformedResponse(f"{self.vendor} sent a body that is not JSON",
                                    **self._where(response)) from exc

    async def _follow_target(self, link: Link) -> Record | Page:
        """What a link names: its target (or href) as a record when it has an id, else as a collection."""
        target = link.target or ResourceRef(href=link.href)
        if target.id is not None:
            return await self.get(target)
        return await self.list(target)

    # -- the write path: one request object, previewed then sent ------------------------------------
    def describe_write(self, method: str, ref: ResourceRef, values: Mapping[str, Any]) -> list[str]:
        """The preview lines of the request ``prepare`` builds for this verb (secrets redacted)."""
        kind = KIND_OF.get(method.upper(), "update")
        return list(self.prepare(kind, ref, values, partial=method.upper() != "PUT").preview)

    def _request(self, kind: str, method: str, url: str, ref: ResourceRef, values: Mapping[str, Any], *,
                 body: Any = None, partial: bool = True, action: Action | None = None,
                 record: Record | None = None, headers: tuple[str, ...] = ()) -> WriteRequest:
        """A WriteRequest whose preview is rendered from exactly the method, URL and body it carries."""
        preview = [f"{method} {self._redactor.url(url)}", *headers]
        if body is not None:
            preview += self._json_lines(body)
        other = OTHER_VERB.get(method) if kind in ("update", "action") else None
        return WriteRequest(kind, method, url, ref, dict(values), body, tuple(preview), partial, action, record,
                            other)

    @staticmethod
    def _body_of(request: WriteRequest) -> dict[str, Any]:
        """``_send`` keyword arguments carrying the request's body as JSON (nothing for a body-less verb)."""
        sent: dict[str, Any] = {"write": True}
        if request.body is not None:
            sent["json"] = request.body
        return sent

    def _json_lines(self, values: Mapping[str, Any]) -> list[str]:
        """The body lines of a JSON write for the diff preview, secrets redacted."""
        return ["Content-Type: application/json",
                json.dumps(self._redactor.data(dict(values)), ensure_ascii=False, indent=2)]
