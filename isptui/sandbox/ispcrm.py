"""ISPCRM API v1 emulator: pure HATEOAS under ``/api/v1`` with the ``{"success": "true", "data": …}`` envelope.

Only the base URL and Bearer auth are documented (docs/ispcrm.md §3); everything else here is a choice,
marked ``Unknown (§3)`` where it is made. Resources live at paths a client cannot guess (``/api/v1/x/u`` …)
so an adapter has to follow the root's links, as the product contract demands.

User N is subscriber N; profiles are ``dataset.TARIFFS``; each user has invoices; the NAS reports online
sessions. Users are a ``store.Collection`` (generated on demand, writes kept in an overlay).
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from isptui.sandbox.dataset import TARIFFS, Subscriber
from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.store import Collection, Row

BASE = "/api/v1"
# The vendor page shows a flat root, ``{"list_users": "https://host/api/v1/users"}``: the default. The
# ``ispcrm-enveloped-root`` quirk serves the root in the envelope with short opaque paths instead, so no
# client can hard-code "users"; either way the root document is the only way in.
PLAIN_PATHS = (f"{BASE}/users", f"{BASE}/profiles", f"{BASE}/online_sessions", f"{BASE}/invoices")
OPAQUE_PATHS = (f"{BASE}/x/u", f"{BASE}/x/p", f"{BASE}/x/o", f"{BASE}/x/i")
STATUSES = ("active", "blocked", "new", "disabled")
# Unknown (§3): paging is limit/offset, default 25, capped at 100 (a Laravel-like default).
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAS = "10.255.0.1"


def _ok(data: object, status: int = 200, **extra: object) -> JSONResponse:
    # The string "true" is the documented quirk of this envelope (docs/product.md), not a boolean.
    return JSONResponse({"success": "true", "data": data, **extra}, status_code=status)


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: object) -> JSONResponse:
    return JSONResponse({"status": "error", "message": message, **extra}, status_code=status, headers=headers)


def _base_url(request: Request) -> str:
    """scheme://host:port of this request, so links work in-process and served alike."""
    return f"{request.url.scheme}://{request.headers.get('host') or request.url.netloc}"


def _user_row(sub: Subscriber) -> Row:
    return {
        "id": sub.number,
        "username": sub.login,
        "fullname": sub.name,
        "email": sub.email,
        "phone": sub.phone,
        "address": f"{sub.street}, {sub.zip_code} {sub.city}",
        "status": sub.status,
        "profile_id": sub.tariff_id,
        "balance": sub.balance,
        "notes": sub.note,
        "ip": sub.ipv4,
        "mac": sub.mac,
        "created": f"{sub.date_add.isoformat()} 09:00:00",
    }


class IspcrmState:
    """The users collection plus the ids written through the API (for cheap username uniqueness)."""

    def __init__(self, options: SandboxOptions) -> None:
        self.dataset = options.dataset
        self.quirk = options.has_quirk
        self.token = options.credentials.ispcrm_token
        self.users = Collection(self.dataset.customers, lambda n: _user_row(self.dataset.subscriber(n)))
        self.touched: set[int] = set()

    def username_taken(self, name: str, except_id: int | None = None) -> bool:
        """Whether another user has ``name``; O(writes), since base usernames follow ``isp{N:05d}``."""
        for rid in self.touched:
            row = self.users.get(rid)
            if rid != except_id and row is not None and row["username"] == name:
                return True
        match = re.fullmatch(r"isp(\d+)", name)
        if match and f"isp{int(match.group(1)):05d}" == name:
            number = int(match.group(1))
            return number != except_id and number not in self.touched and number in self.users
        return False


def _paged(request: Request, total: int, fetch: Callable[[int, int], list[Any]], url: str,
           ignore_paging: bool = False, ignore_offset: bool = False) -> JSONResponse:
    """A page of a list. Unknown (§3): Laravel-style top-level ``links`` (first/last/prev/next, absolute,
    null at the ends) and ``meta`` (total/limit/offset/count) beside the envelope's ``data`` list.
    ``ignore_paging`` (quirk ignores-paging): the whole list, bare in the envelope, whatever was asked.
    ``ignore_offset`` (quirk ignores-offset): the first ``limit`` rows whatever offset was asked; meta and
    links as if the offset were honoured."""
    if ignore_paging:
        return _ok(fetch(0, total))
    try:
        limit = int(request.query_params.get("limit", DEFAULT_LIMIT))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        return _error(400, "limit and offset must be integers")
    if limit < 1 or offset < 0:
        return _error(400, "limit must be at least 1 and offset not negative")
    limit = min(limit, MAX_LIMIT)
    items = fetch(0 if ignore_offset else offset, limit)
    keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]

    def link(off: int) -> str:
        return f"{url}?{urlencode([*keep, ('limit', limit), ('offset', off)])}"

    last = max(0, (total - 1) // limit * limit)
    links = {
        "self": link(offset),
        "first": link(0),
        "last": link(last),
        "prev": link(max(0, offset - limit)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
    }
    return _ok(items, links=links, meta={"total": total, "limit": limit, "offset": offset, "count": len(items)})


class IspcrmApi:
    """Request handlers; each builds absolute links from the request's own base URL."""

    def __init__(self, state: IspcrmState) -> None:
        self.s = state
        enveloped = state.quirk("ispcrm-enveloped-root")
        self.USERS, self.PROFILES, self.SESSIONS, self.INVOICES = OPAQUE_PATHS if enveloped else PLAIN_PATHS
        self.pk_zero, self.string_ids = state.quirk("pk-zero"), state.quirk("string-ids")

    # -- ids on the wire (quirks pk-zero, string-ids) -----------------------------------------------
    def wire_id(self, uid: int) -> int | str:
        """The id a user is served with: user 1 is 0 under pk-zero; a string under string-ids."""
        wid = 0 if self.pk_zero and uid == 1 else uid
        return str(wid) if self.string_ids else wid

    def store_id(self, wid: int) -> int:
        """The stored id of a user addressed as ``wid`` in a URL (pk-zero: 0 is user 1, 1 is nobody)."""
        if self.pk_zero:
            return 1 if wid == 0 else -1 if wid == 1 else wid
        return wid

    def paged(self, request: Request, total: int, fetch: Callable[[int, int], list[Any]], url: str) -> Response:
        return _paged(request, total, fetch, url, ignore_paging=self.s.quirk("ignores-paging"),
                      ignore_offset=self.s.quirk("ignores-offset"))

    # -- representations ---------------------------------------------------------------------------
    def user(self, base: str, row: Row) -> dict[str, Any]:
        uid = self.wire_id(row["id"])
        profile = next((t for t in TARIFFS if t["id"] == row["profile_id"]), None)
        if self.s.quirk("null-sort-values") and row["id"] % 3 == 0:
            # Sortable fields a real database may leave NULL.
            row = {**row, "email": None, "phone": None, "balance": None, "created": None}
        return {**row, "id": uid, "profile": profile["title"] if profile else None, "links": {
            "self": f"{base}{self.USERS}/{uid}",
            "profile": f"{base}{self.PROFILES}/{row['profile_id']}",
            "invoices": f"{base}{self.USERS}/{uid}/i",
        }}

    def profile(self, base: str, tariff: dict[str, Any]) -> dict[str, Any]:
        pid = tariff["id"]
        return {"id": pid, "name": tariff["title"], "download_kbps": tariff["down"],
                "upload_kbps": tariff["up"], "price": tariff["price"],
                "links": {"self": f"{base}{self.PROFILES}/{pid}", "users": f"{base}{self.USERS}?profile_id={pid}"}}

    def invoice(self, base: str, user_id: int, inv: dict[str, Any]) -> dict[str, Any]:
        return {**inv, "user_id": user_id, "links": {"self": f"{base}{self.INVOICES}/{inv['id']}",
                                                     "user": f"{base}{self.USERS}/{self.wire_id(user_id)}"}}

    def session(self, base: str, number: int) -> dict[str, Any]:
        sub = self.s.dataset.subscriber(number)
        return {"id": number, "username": sub.login, "nasipaddress": _NAS, "framedipaddress": sub.ipv4,
                "callingstationid": sub.mac, "acctstarttime": f"{sub.date_add.isoformat()} 08:00:00",
                "links": {"self": f"{base}{self.SESSIONS}/{number}", "user": f"{base}{self.USERS}/{self.wire_id(number)}"}}

    # -- root --------------------------------------------------------------------------------------
    async def root(self, request: Request) -> Response:
        base = _base_url(request)
        links = {"list_users": f"{base}{self.USERS}", "create_user": f"{base}{self.USERS}",
                 "list_profiles": f"{base}{self.PROFILES}", "list_online_sessions": f"{base}{self.SESSIONS}"}
        if self.s.quirk("no-create-link"):
            del links["create_user"]
        # The vendor page shows the flat map; the envelope is a quirk variant.
        return _ok(links) if self.s.quirk("ispcrm-enveloped-root") else JSONResponse(links)

    # -- users -------------------------------------------------------------------------------------
    async def users(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.create_user(request)
        base, users = _base_url(request), self.s.users
        known = ("status", "profile_id") if self.s.quirk("ignores-unknown-filter") else FILTERS
        unknown = sorted(set(request.query_params) - set(FILTERS) - set(PAGING))
        if unknown and not self.s.quirk("ignores-unknown-filter"):
            # Unknown (§3): the default refuses a filter it does not know, naming it (Laravel validation).
            return _error(422, f"Unknown filter: {', '.join(unknown)}",
                          errors={name: ["This filter is not supported."] for name in unknown})
        filters = {k: v for k, v in request.query_params.items() if k in known}
        if not filters:
            return self.paged(request, len(users), lambda o, n: [self.user(base, r) for r in users.page(o, n)],
                          base + self.USERS)
        # A filter must look at every row; on a worker thread so an in-process event loop (the UI) stays live.
        rows = await anyio.to_thread.run_sync(lambda: [r for r in users.scan() if _matches(r, filters)])
        return self.paged(request, len(rows), lambda o, n: [self.user(base, r) for r in rows[o:o + n]],
                      base + self.USERS)

    def _user_or_404(self, request: Request) -> Row:
        row = self.s.users.get(self.store_id(request.path_params["uid"]))
        if row is None:
            raise HTTPException(404, f"User {request.path_params['uid']} not found")
        return row

    async def user_detail(self, request: Request) -> Response:
        row = self._user_or_404(request)
        base = _base_url(request)
        if request.method == "GET":
            return _ok(self.user(base, row))
        if request.method == "DELETE":
            # Unknown (§3): DELETE answers 200 with the envelope naming what went, not 204.
            self.s.users.delete(row["id"])
            return _ok({"id": self.wire_id(row["id"])}, message=f"User {self.wire_id(row['id'])} deleted")
        body = await _body(request)
        # Unknown (§3): PUT needs the required fields, PATCH any subset; fields not sent keep their value
        # (Laravel's $model->update($validated)), so neither resets what the client did not mention.
        errors = _validate(body, self.s, partial=request.method == "PATCH", except_id=row["id"])
        if errors:
            return _error(422, "Validation failed", errors=errors)
        row.update(_clean(body))
        self.s.users.put(row["id"], row)
        self.s.touched.add(row["id"])
        return _ok(self.user(base, row))

    async def create_user(self, request: Request) -> Response:
        body = await _body(request)
        errors = _validate(body, self.s, partial=False)
        if errors:
            return _error(422, "Validation failed", errors=errors)
        rid = self.s.users.allocate_id()
        row: Row = {"id": rid, "username": "", "fullname": "", "email": "", "phone": "", "address": "",
                    "status": "new", "profile_id": 1, "balance": "0.00", "notes": None, "ip": None,
                    "mac": None, "created": "2026-11-01 12:00:00"}
        row.update(_clean(body))
        self.s.users.create(row, rid)
        self.s.touched.add(rid)
        data = self.user(_base_url(request), row)
        # Unknown (§3): 201 with the new record and a Location header, as a Laravel resource would.
        response = _ok(data, 201)
        response.headers["Location"] = data["links"]["self"]
        return response

    async def user_invoices(self, request: Request) -> Response:
        row = self._user_or_404(request)
        uid, base = row["id"], _base_url(request)
        invoices = list(self.s.dataset.subscriber(uid).invoices) if uid <= self.s.dataset.customers else []
        return self.paged(request, len(invoices),
                      lambda o, n: [self.invoice(base, uid, i) for i in invoices[o:o + n]], f"{base}{self.USERS}/{uid}/i")

    async def invoice_detail(self, request: Request) -> Response:
        iid = request.path_params["iid"]
        uid, k = divmod(iid, 10)
        if k >= 3 or self.s.users.get(uid) is None or uid > self.s.dataset.customers:
            raise HTTPException(404, f"Invoice {iid} not found")
        return _ok(self.invoice(_base_url(request), uid, self.s.dataset.subscriber(uid).invoices[k]))

    # -- profiles and sessions (read-only) ---------------------------------------------------------
    async def profiles(self, request: Request) -> Response:
        base = _base_url(request)
        return self.paged(request, len(TARIFFS), lambda o, n: [self.profile(base, t) for t in TARIFFS[o:o + n]],
                      base + self.PROFILES)

    async def profile_detail(self, request: Request) -> Response:
        tariff = next((t for t in TARIFFS if t["id"] == request.path_params["pid"]), None)
        if tariff is None:
            raise HTTPException(404, f"Profile {request.path_params['pid']} not found")
        return _ok(self.profile(_base_url(request), tariff))

    async def sessions(self, request: Request) -> Response:
        # The NAS keeps every fourth subscriber (1, 5, 9, …) online, so a page maps straight to numbers.
        base, total = _base_url(request), (self.s.dataset.customers + 3) // 4
        return self.paged(request, total, lambda o, n: [self.session(base, 4 * i + 1)
                                                    for i in range(o, min(total, o + n))], base + self.SESSIONS)

    async def session_detail(self, request: Request) -> Response:
        sid = request.path_params["sid"]
        if sid % 4 != 1 or not 1 <= sid <= self.s.dataset.customers:
            raise HTTPException(404, f"Session {sid} not found")
        return _ok(self.session(_base_url(request), sid))


def _matches(row: Row, filters: dict[str, str]) -> bool:
    if "status" in filters and row["status"] != filters["status"]:
        return False
    if "profile_id" in filters and str(row["profile_id"]) != filters["profile_id"]:
        return False
    needle = filters.get("search", "").casefold()
    return not needle or any(needle in str(row.get(k) or "").casefold() for k in ("username", "fullname", "email"))


async def _body(request: Request) -> dict[str, Any]:
    """The JSON (or form) body as a dict; 400 in the error envelope when it is neither."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise HTTPException(400, "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "The request body must be a JSON object")
    return body


FILTERS = ("search", "status", "profile_id")
PAGING = ("limit", "offset", "sort")
WRITABLE = ("username", "fullname", "email", "phone", "address", "status", "profile_id", "balance", "notes")
REQUIRED = ("username", "fullname", "profile_id")


def _clean(body: dict[str, Any]) -> Row:
    """Writable fields, normalised; read-only and unknown keys (id, links, created…) are ignored."""
    out: Row = {k: body[k] for k in WRITABLE if k in body}
    if "profile_id" in out:
        out["profile_id"] = int(out["profile_id"])
    if "balance" in out:
        out["balance"] = f"{float(out['balance']):.2f}"
    return out


def _validate(body: dict[str, Any], state: IspcrmState, *, partial: bool,
              except_id: int | None = None) -> dict[str, list[str]]:
    """Per-field messages. Unknown (§3): shape ``{"errors": {field: [messages]}}`` with 422, Laravel style."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in REQUIRED:
        if (not partial or name in body) and body.get(name) in (None, ""):
            add(name, f"The {name} field is required.")
    for name in ("username", "fullname", "email", "phone", "address", "notes", "status"):
        if body.get(name) is not None and not isinstance(body[name], str):
            add(name, f"The {name} must be a string.")
    def check(field: str) -> bool:
        return body.get(field) not in (None, "") and field not in errors

    if check("username"):
        if not USERNAME.match(body["username"]):
            add("username", "The username must be 3-64 letters, digits or . _ @ -.")
        elif state.username_taken(body["username"], except_id):
            add("username", "The username has already been taken.")
    if check("fullname") and len(body["fullname"]) > 255:
        add("fullname", "The fullname may not be greater than 255 characters.")
    if check("email") and not EMAIL.match(body["email"]):
        add("email", "The email must be a valid email address.")
    if check("status") and body["status"] not in STATUSES:
        add("status", f"The selected status is invalid (one of: {', '.join(STATUSES)}).")
    if check("profile_id"):
        pid = body["profile_id"]
        if isinstance(pid, bool) or not (isinstance(pid, int) or (isinstance(pid, str) and pid.isdigit())):
            add("profile_id", "The profile id must be an integer.")
        elif not any(t["id"] == int(pid) for t in TARIFFS):
            add("profile_id", "The selected profile id is invalid.")
    if "balance" in body:
        try:
            float(body["balance"])
        except (TypeError, ValueError):
            add("balance", "The balance must be a number.")
    return errors


class _Guard:
    """Token check before routing (every path, even unknown ones, so routes do not leak), and a trailing
    slash never matters (Laravel trims it; a redirect would break a client that does not follow it)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] != "/" and scope["path"].endswith("/"):
            scope = {**scope, "path": scope["path"].rstrip("/") or "/"}
        headers = dict(scope.get("headers", []))
        auth, x_token = headers.get(b"authorization", b""), headers.get(b"x-auth-token")
        scheme, _, bearer = auth.partition(b" ")
        given = bearer.strip() if scheme.lower() == b"bearer" else x_token
        if given is None:
            response: Response = _error(401, "Unauthenticated.", {"WWW-Authenticate": "Bearer"})
        elif not hmac.compare_digest(given, self.token):
            response = _error(401, "Invalid API token.", {"WWW-Authenticate": "Bearer"})
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def _routes(api: IspcrmApi) -> Iterable[Route]:
    # Quirk patch-405: no partial update; PATCH answers 405 with an Allow that lists PUT.
    detail = ["GET", "PUT", "DELETE"] if api.s.quirk("patch-405") else ["GET", "PUT", "PATCH", "DELETE"]
    return [
        Route(BASE, api.root, methods=["GET"]),
        Route(api.USERS, api.users, methods=["GET", "POST"]),
        Route(api.USERS + "/{uid:int}", api.user_detail, methods=detail),
        Route(api.USERS + "/{uid:int}/i", api.user_invoices, methods=["GET"]),
        Route(api.INVOICES + "/{iid:int}", api.invoice_detail, methods=["GET"]),
        Route(api.PROFILES, api.profiles, methods=["GET"]),
        Route(api.PROFILES + "/{pid:int}", api.profile_detail, methods=["GET"]),
        Route(api.SESSIONS, api.sessions, methods=["GET"]),
        Route(api.SESSIONS + "/{sid:int}", api.session_detail, methods=["GET"]),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and exc.detail == "Not Found":
        return _error(404, f"No resource at {request.url.path}")
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        if request.method == "OPTIONS":
            # OPTIONS answers what a resource allows: the UI hides what it cannot do instead of failing.
            return Response(status_code=204, headers={"Allow": f"{allow}, OPTIONS" if allow else "OPTIONS"})
        return _error(405, f"{request.method} is not allowed here (allowed: {allow})", {"Allow": allow})
    return _error(exc.status_code, str(exc.detail), exc.headers)


def create_app(options: SandboxOptions) -> Starlette:
    """The ISPCRM emulator. Static API tokens do not expire, so ``options.token_ttl`` does not apply."""
    api = IspcrmApi(IspcrmState(options))
    app = Starlette(routes=list(_routes(api)), exception_handlers={HTTPException: _http_error})
    app.add_middleware(_Guard, token=options.credentials.ispcrm_token)
    return app
