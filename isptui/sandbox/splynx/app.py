"""The Splynx API v2.0 emulator as a Starlette app routing the real paths under /api/2.0/."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.splynx import config
from isptui.sandbox.splynx.auth import Authenticator
from isptui.sandbox.splynx.build import UPLOAD_LIMIT, Splynx, StoredFile, build
from isptui.sandbox.splynx.resources import Resource
from isptui.sandbox.splynx.wire import (
    Nested,
    SplynxError,
    ValidationFailed,
    accepted,
    count_headers,
    created,
    method_not_allowed,
    no_content,
    not_found,
    ok,
    parse_query,
)

PREFIX = "/api/2.0"
LEGACY_PREFIX = "/api/1.0"
_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]


@dataclass
class Call:
    """One request as the handlers need it."""

    request: Request
    method: str
    query: Nested
    principal: str

    async def body(self) -> Any:
        """The request body: JSON, or a form (tickets are documented as multipart)."""
        ctype = self.request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            form = await self.request.form()
            return {k: v for k, v in form.multi_items() if isinstance(v, str)}
        raw = await self.request.body()
        if ctype.startswith("application/x-www-form-urlencoded"):
            return parse_query(raw)
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise SplynxError("BAD_REQUEST", "Request body is not valid JSON", 400) from None


Handler = Callable[..., Awaitable[Response]]


class SplynxApp:
    """Routes each request to a handler; errors become the documented envelope, never a traceback."""

    def __init__(self, options: SandboxOptions, clock: Callable[[], float]) -> None:
        self.auth = Authenticator(options, clock)
        self.quirks = options.has_quirk
        self.data: Splynx = build(options, clock)
        self.clock = clock
        self.routes: list[tuple[re.Pattern[str], Handler]] = [
            (re.compile(p), h) for p, h in (
                (r"admin/api/check", self.api_check),
                (r"admin/customers/customer/(?P<cid>\d+)/internet-services", self.services),
                (r"admin/customers/customer/(?P<cid>\d+)/internet-services--(?P<sid>[^/]+)", self.service),
                (r"admin/customers/customer-documents", self.documents),
                (r"admin/customers/customer-documents/(?P<did>[^/]+)--upload", self.upload),
                (r"admin/customers/customer-documents/(?P<did>[^/]+)", self.document),
                (r"admin/config/download/(?P<module>[^/]+?)--(?P<did>[^/]+)", self.download),
                (r"admin/config/additional-fields/(?P<module>[^/]+?)--(?P<name>[^/]+)", self.field),
                (r"admin/config/additional-fields/(?P<module>[^/]+)", self.fields),
            )
        ]

    async def handle(self, request: Request) -> Response:
        path = request.path_params.get("path", "").strip("/")
        method = request.method.upper()
        call = Call(request, method, parse_query(request.url.query), "")
        try:
            if path == "admin/auth/tokens" or path.startswith("admin/auth/tokens/"):
                return await self.tokens(call, path.removeprefix("admin/auth/tokens").strip("/"))
            call.principal = self.auth.principal(
                request.headers.get("authorization"), request.headers.get("user-agent", "")
            )
            for pattern, handler in self.routes:
                match = pattern.fullmatch(path)
                if match:
                    return await handler(call, **match.groupdict())
            if path in self.data.resources:
                return await self.collection(call, self.data.resources[path])
            head, _, tail = path.rpartition("/")
            if head in self.data.resources and tail:
                return await self.item(call, self.data.resources[head], tail)
            raise not_found(f"Endpoint '{path}'")
        except (SplynxError, ValidationFailed) as exc:
            return exc.response()

    # -- generic entity ---------------------------------------------------------------------------
    async def collection(
        self, call: Call, res: Resource, scope: Callable[[], list[dict[str, Any]]] | None = None,
        fixed: dict[str, Any] | None = None,
    ) -> Response:
        res.authorize(call.principal)
        query = self._quirky_query(call.query, res)
        if call.method == "GET":
            return ok(self._wire(res.list(query, scope() if scope else None)))
        if call.method == "HEAD":
            return no_content(count_headers(res.count(query, scope() if scope else None)))
        if call.method == "OPTIONS":
            return ok(res.options())
        if call.method == "POST":
            return created({"id": res.create(await call.body(), fixed)})
        raise method_not_allowed()

    def _quirky_query(self, query: Nested, res: Resource) -> Nested:
        """The query as a quirk variant's server reads it: paging (or offset only) dropped, unknown filter fields dropped."""
        if self.quirks("ignores-paging"):
            query = {k: v for k, v in query.items() if k not in ("limit", "offset")}
        if self.quirks("ignores-offset"):
            query = {k: v for k, v in query.items() if k != "offset"}
        if self.quirks("ignores-unknown-filter") and isinstance(query.get("main_attributes"), dict):
            known = {k: v for k, v in query["main_attributes"].items() if k in res.filterable}
            query = {**query, "main_attributes": known}
        return query

    def _wire(self, body: Any) -> Any:
        """Quirk string-ids: every ``id`` of a record or list sent as a JSON string."""
        if not self.quirks("string-ids"):
            return body
        rows = body if isinstance(body, list) else [body]
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("id"), int):
                row["id"] = str(row["id"])
        return body

    async def item(self, call: Call, res: Resource, record_id: str) -> Response:
        res.authorize(call.principal)
        if call.method == "GET":
            return ok(self._wire(res.get(record_id)))
        if call.method == "PUT":
            res.update(record_id, await call.body())
            return accepted()
        if call.method == "DELETE":
            res.delete(record_id)
            return no_content()
        raise method_not_allowed()

    # -- auth and check ---------------------------------------------------------------------------
    async def tokens(self, call: Call, token: str) -> Response:
        agent = call.request.headers.get("user-agent", "")
        if not token:
            if call.method == "POST":
                return created(self.auth.issue(await call.body(), agent))
            if call.method in {"PUT", "DELETE"}:  # observed: 400 without an id (docs/splynx.md §1.2)
                raise SplynxError("BAD_REQUEST", "Token is required", 400)
            # Observed: GET 405; OPTIONS/HEAD gave 500 on one server, answered 405 here as the saner reading.
            raise method_not_allowed()
        if call.method == "GET":
            return ok(self.auth.renew(token))
        if call.method == "DELETE":
            self.auth.revoke(token)
            return no_content()
        raise method_not_allowed()

    async def api_check(self, call: Call) -> Response:
        # Unknown: whether the check needs credentials without checkAuth; it does here, so a client can
        # use it to test a connection and its credentials at once.
        if call.method != "GET":
            raise method_not_allowed()
        return ok({"status": "ok", "message": "API is valid", "same_server": False})

    # -- internet services ------------------------------------------------------------------------
    def _customer(self, cid: str) -> int:
        number = int(cid)
        if number != 0 and self.data.resources["admin/customers/customer"].table.get(number) is None:
            raise not_found(f"Customer {cid}")
        return number

    async def services(self, call: Call, cid: str) -> Response:
        number = self._customer(cid)
        res = self.data.services
        if number == 0:  # customer 0 means "across all customers" (docs/splynx.md §1.5)
            if call.method == "POST":
                raise not_found("Customer 0")
            return await self.collection(call, res)
        return await self.collection(call, res, lambda: res.table.of_customer(number), {"customer_id": number})

    async def service(self, call: Call, cid: str, sid: str) -> Response:
        number = self._customer(cid)
        res = self.data.services
        row = res.table.get(sid)
        if row is None or (number != 0 and str(row["customer_id"]) != str(number)):
            raise not_found(f"Internet service {sid} of customer {cid}")
        action = call.query.get("action")
        if call.method == "PUT" and action in {"start", "stop"}:
            res.table.update(sid, {**row, "status": "active" if action == "start" else "stopped"})
            return accepted()
        return await self.item(call, res, sid)

    # -- customer documents -----------------------------------------------------------------------
    async def documents(self, call: Call) -> Response:
        return await self.collection(call, self.data.documents)

    async def document(self, call: Call, did: str) -> Response:
        res = self.data.documents
        if call.method == "GET":
            # Quirk (docs/splynx.md §1.6): GET customer-documents/{id} lists by *customer* id.
            number = self._customer(did) if did.isdigit() else -1
            if number < 1:
                raise not_found(f"Customer {did}")
            return ok(res.list(call.query, res.table.of_customer(number)))
        if call.method == "DELETE" and did.isdigit():
            self.data.files.pop(int(did), None)
        return await self.item(call, res, did)

    async def upload(self, call: Call, did: str) -> Response:
        res = self.data.documents
        row = res.get(did) if call.method == "POST" else None
        if row is None:
            raise method_not_allowed()
        if not call.request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise ValidationFailed([("file", "Please upload a file.")])
        form = await call.request.form()
        upload = form.get("file") or next((v for _k, v in form.multi_items() if isinstance(v, UploadFile)), None)
        if not isinstance(upload, UploadFile):
            raise ValidationFailed([("file", "Please upload a file.")])
        content = await upload.read()
        if len(content) > UPLOAD_LIMIT:
            raise ValidationFailed([("file", "The file is too big. Its size cannot exceed 20 MiB.")])
        # The real server checks a long MIME whitelist; it includes application/octet-stream, so any file
        # a client can send is accepted here.
        name = upload.filename or "upload.bin"
        ctype = upload.content_type or "application/octet-stream"
        self.data.files[int(row["id"])] = StoredFile(name, ctype, content)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.clock()))
        res.table.update(did, {**row, "filename_original": name, "filename_uploaded": f"{row['id']}-{name}",
                               "updated_at": stamp})
        return accepted()

    async def download(self, call: Call, module: str, did: str) -> Response:
        if call.method != "GET":
            raise method_not_allowed()
        if module != "customer_documents":
            raise not_found(f"Download '{module}--{did}'")
        row = self.data.documents.get(did)
        stored = self.data.files.get(int(row["id"]))
        if stored is None and row["added_by"] == "system":  # a dataset contract, generated on demand
            stored = StoredFile(row["filename_original"], "application/pdf", self.data.contract(int(row["id"])))
        if stored is None:
            raise not_found(f"File of document {did}")
        return ok({"name": stored.name, "content_type": stored.content_type,
                   "content": base64.b64encode(stored.content).decode("ascii")})

    # -- additional fields ------------------------------------------------------------------------
    async def fields(self, call: Call, module: str) -> Response:
        if call.method == "GET":
            return ok(config.list_fields(self.data.fields, module))
        if call.method == "POST":
            return created({"name": config.create_field(self.data.fields, module, await call.body())})
        raise method_not_allowed()

    async def field(self, call: Call, module: str, name: str) -> Response:
        if call.method == "GET":
            return ok(config.get_field(self.data.fields, module, name))
        if call.method == "PUT":
            config.update_field(self.data.fields, module, name, await call.body())
            return accepted()
        if call.method == "DELETE":
            config.delete_field(self.data.fields, module, name)
            return no_content()
        raise method_not_allowed()


def create_app(options: SandboxOptions, *, clock: Callable[[], float] = time.time) -> VendorHeaderCase:
    """The Splynx emulator; ``clock`` lets tests move time to expire tokens without sleeping."""
    handler = SplynxApp(options, clock)
    # /api/1.0 is the legacy base (same signature auth; the PHP client's default): same handlers, so its
    # errors come in Splynx's {"error": {message, code, internal_code}} envelope too.
    app = Starlette(routes=[Route(base + "/{path:path}", handler.handle, methods=_METHODS)
                            for base in (PREFIX, LEGACY_PREFIX)])
    return VendorHeaderCase(app)


# Header names as the vendor spells them on the wire. Starlette lowercases every header name; HTTP says
# names are case-insensitive, but the official PHP client looks up ``X-total-count`` case-sensitively.
VENDOR_HEADER_CASE: dict[bytes, bytes] = {b"x-total-count": b"X-total-count"}


class VendorHeaderCase:
    """ASGI wrapper restoring the vendor's header-name spelling on responses (uvicorn writes it as given)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def spelled(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(VENDOR_HEADER_CASE.get(k.lower(), k), v)
                                                  for k, v in message.get("headers", [])]}
            await send(message)

        await self.app(scope, receive, spelled)
