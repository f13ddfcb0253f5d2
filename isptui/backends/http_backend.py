"""What every HTTP adapter shares: one client per connection, its redactor, sending, error mapping, JSON.

Each vendor adapter subclasses :class:`HttpBackend` and fills in small hooks: where its API lives
(``api_path``), its name in messages (``vendor``), how it authenticates (``_make_auth``), what else its
client needs (``_client_options``), the request that proves the connection (``_probe``), and how a failed
exchange reads (``_error``). The plumbing around them (connect, close, send, read JSON) is written once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from isptui.backends.base import Backend, BackendSettings
from isptui.errors import BackendError, ConnectionFailed, MalformedResponse
from isptui.http import make_client, raise_for_status, send
from isptui.http.redact import Redactor
from isptui.model import Link, Page, Record, ResourceRef

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


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
        return response.json()
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
        """More ``make_client`` arguments (``headers``); login calls come from the descriptor."""
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
        # The descriptor's read-only auth calls are the one list the read-only guard lets through.
        options: dict[str, Any] = {"login_calls": self.descriptor.read_only_auth_calls if self.descriptor else ()}
        options.update(self._client_options())
        self._client = make_client(self.settings, base_url=self.base_url, auth=self._auth,
                                   redactor=self._redactor, **options)
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

    # -- exchanges --------------------------------------------------------------------------------
    async def _send(self, method: str, url: str, *, check: bool = True, **kw: Any) -> httpx.Response:
        """One exchange; transport failures are BackendErrors, and so is a status >= 400 when ``check``."""
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
        if check and response.status_code >= 400:
            raise self._error(response)
        return response

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
            return response.json()
        except (ValueError, RecursionError) as exc:
            raise MalformedResponse(f"{self.vendor} sent a body that is not JSON",
                                    **self._where(response)) from exc

    async def _follow_target(self, link: Link) -> Record | Page:
        """What a link names: its target (or href) as a record when it has an id, else as a collection."""
        target = link.target or ResourceRef(href=link.href)
        if target.id is not None:
            return await self.get(target)
        return await self.list(target)

    def _json_lines(self, values: Mapping[str, Any]) -> list[str]:
        """The body lines of a JSON write for the diff preview, secrets redacted."""
        return ["Content-Type: application/json",
                json.dumps(self._redactor.data(dict(values)), ensure_ascii=False, indent=2)]
