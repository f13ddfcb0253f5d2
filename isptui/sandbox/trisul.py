"""Trisul IPDR customers emulator: one collection keyed by ``UserID``, body auth, errors with HTTP 200.

Wire facts from docs/trisul.md §4 and A.8. Every request (GET and DELETE too) carries ``api_token``,
``username`` and ``contextname`` in a JSON body; the list is one unpaged JSON array, so the serialised
base rows are cached and built off the event loop (the in-process demo shares the UI's loop).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from isptui.sandbox.dataset import Dataset, Subscriber
from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.store import Collection, Row

PREFIX = "/api/ipdrcustomers"
FIELDS = ("Name", "Address", "Email", "PhoneNumber", "AltPhoneNumber", "UserID")
REQUIRED_ON_CREATE = ("UserID", "Name")
# Contexts this Trisul knows. "ipdr" exists but the sandbox user may not use it, which is how the
# documented "not allowed to access the context" error can be reached.
CONTEXTS = ("default", "ipdr")
_BASE_UID = re.compile(r"isp(\d{5,})")


def customer_row(sub: Subscriber) -> Row:
    """Subscriber N as Trisul's IPDR customer (id N, UserID its login ``isp{N:05d}``); phones are strings."""
    digits = re.sub(r"\D", "", sub.phone)
    # The dataset has one phone; a second line exists for every third subscriber, empty otherwise,
    # because real IPDR customer lists are full of blank alternates.
    alt = f"+{digits[:-4]}{digits[-4:][::-1]}" if digits and sub.number % 3 == 0 else ""
    return {
        "id": sub.number,
        "Name": sub.name,
        "Address": f"{sub.street}, {sub.zip_code} {sub.city}",
        "Email": sub.email,
        "PhoneNumber": sub.phone,
        "AltPhoneNumber": alt,
        "UserID": sub.user_id,
    }


_dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""A row as compact JSON; one encoder for every row (``json.dumps`` with options builds one a call)."""


def _error(message: str, status: str = "Error", http_status: int = 200) -> JSONResponse:
    # Documented errors come with HTTP 200; the body's "status" carries the failure (note "ERROR" for
    # the token and "Error" for everything else, as in the docs).
    return JSONResponse({"status": status, "message": message}, status_code=http_status)


class IpdrCustomers:
    """The customer collection plus a UserID index; base UserIDs are derived, so no index is built."""

    def __init__(self, dataset: Dataset, null_values: bool = False) -> None:
        self.dataset = dataset

        def row(n: int) -> Row:
            made = customer_row(dataset.subscriber(n))
            if null_values and n % 3 == 0:
                made.update(Email=None, PhoneNumber=None, Address=None)  # quirk null-sort-values
            return made

        self._row = row
        self.rows = Collection(dataset.customers, row)
        self._uid_overlay: dict[str, int] = {}  # created or renamed UserIDs -> id
        self._dirty: set[int] = set()  # ids whose row differs from the generated one
        self._base_json: list[str] | None = None
        self._body: bytes | None = None

    def find(self, user_id: str) -> Row | None:
        """The live row whose UserID is ``user_id``, or None."""
        rid = self._uid_overlay.get(user_id)
        if rid is None:
            match = _BASE_UID.fullmatch(user_id)
            rid = int(match.group(1)) if match else None
        if rid is None:
            return None
        row = self.rows.get(rid)
        # A base row renamed away no longer answers to its derived UserID.
        return row if row is not None and row["UserID"] == user_id else None

    def _touched(self, rid: int, old_uid: str | None, new_uid: str | None) -> None:
        self._dirty.add(rid)
        self._body = None
        if old_uid is not None and self._uid_overlay.get(old_uid) == rid:
            del self._uid_overlay[old_uid]
        if new_uid is not None:
            self._uid_overlay[new_uid] = rid

    def create(self, values: dict[str, Any]) -> Row:
        """Store a new customer with the next id; fields left out are null."""
        rid = self.rows.allocate_id()
        # Optional fields left out are nil in the Rails model, so they serialise as null.
        row = {"id": rid, **{name: values.get(name) for name in FIELDS}}
        self.rows.create(row, rid)
        self._touched(rid, None, row["UserID"])
        return row

    def update(self, row: Row, values: dict[str, Any]) -> Row:
        """Merge ``values`` into ``row`` (PUT and PATCH alike; PUT's completeness is checked earlier)."""
        new = {**row, **values}
        self.rows.put(row["id"], new)
        self._touched(row["id"], row["UserID"], new["UserID"])
        return new

    def delete(self, row: Row) -> Row:
        """Remove the customer and return it, as the API's DELETE answers with the deleted object."""
        self.rows.delete(row["id"])
        self._touched(row["id"], row["UserID"], None)
        return row

    def _build_base(self) -> list[str]:
        # The rows as the collection makes them (quirks included), not as the dataset has them.
        row = self._row
        return [_dump(row(n)) for n in range(1, self.dataset.customers + 1)]

    async def body(self) -> bytes:
        """The whole list as JSON bytes; base rows are serialised once, in a worker thread."""
        if self._body is not None:
            return self._body
        if self._base_json is None:
            self._base_json = await run_in_threadpool(self._build_base)
        base = self._base_json
        parts = []
        for rid in self.rows.ids():
            if rid in self._dirty:
                row = self.rows.get(rid)
                if row is not None:
                    parts.append(_dump(row))
            else:
                parts.append(base[rid - 1])
        self._body = ("[" + ",".join(parts) + "]").encode()
        return self._body


async def _params(request: Request) -> dict[str, Any] | None:
    """Query parameters overlaid by the JSON body; None when the body is not a JSON object.

    Unknown (docs/trisul.md §7.6): query-string auth on this endpoint is not documented. Webtrisul is a
    Rails app, and Rails merges query and JSON-body params, so the sandbox accepts both (body wins).
    """
    raw = await request.body()
    body: Any = {}
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(body, dict):
        return None
    return {**dict(request.query_params), **body}


def _auth_error(params: dict[str, Any], options: SandboxOptions) -> JSONResponse | None:
    creds = options.credentials
    if params.get("api_token") != creds.trisul_api_token or params.get("username") != creds.trisul_username:
        # A wrong username with a right token is still a token that does not belong to that user.
        return _error("Invalid API token", status="ERROR")
    # Unknown whether a missing contextname falls back to "default" (the older doc had no contexts);
    # the 2026 doc marks it required, so its absence is reported like any unknown context name.
    context = params.get("contextname")
    context_text = "" if context is None else str(context)
    if context_text not in CONTEXTS:
        return _error(f"Invalid Context name - {context_text}")
    if context_text != creds.trisul_context:
        return _error(f"The user ({creds.trisul_username}) is not allowed to access the context {context_text}")
    return None


def _clean(params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The customer fields of a request, as strings; unknown keys are dropped like Rails strong params."""
    values: dict[str, Any] = {}
    for name in FIELDS:
        if name not in params:
            continue
        value = params[name]
        if value is None:
            values[name] = None
        elif isinstance(value, bool | dict | list):
            # Unknown: the real server's reaction to non-scalar values; a validation error is chosen.
            return {}, f"Validation failed: {name} must be a string"
        else:
            values[name] = str(value)  # Rails casts numbers into string columns
    return values, None


def _blank_required(values: dict[str, Any]) -> str | None:
    blank = [name for name in REQUIRED_ON_CREATE if name in values and not (values[name] or "").strip()]
    if blank:
        # Unknown (docs/trisul.md §7.6): wording of validation errors; Rails' full_messages style chosen.
        return "Validation failed: " + ", ".join(f"{n} can't be blank" for n in blank)
    return None


def _not_found(user_id: str) -> JSONResponse:
    # Unknown (docs/trisul.md §7.6): unknown UserID on PUT/PATCH/DELETE; HTTP 200 + error body chosen.
    return _error(f"IPDR customer with UserID {user_id} not found")


def _duplicate(user_id: str) -> JSONResponse:
    # Unknown (docs/trisul.md §7.6): duplicate UserID; Rails' uniqueness message chosen, HTTP 200.
    return _error(f"Validation failed: UserID {user_id} has already been taken")


def create_app(options: SandboxOptions) -> Starlette:
    """The Trisul IPDR customers API at ``/api/ipdrcustomers``."""
    store = IpdrCustomers(options.dataset, null_values=options.has_quirk("null-sort-values"))

    async def authed(request: Request) -> dict[str, Any] | Response:
        params = await _params(request)
        if params is None:
            # Rails answers an unparsable JSON body with 400 before any controller code runs.
            return _error("Request body is not a JSON object", status="ERROR", http_status=400)
        return _auth_error(params, options) or params

    async def collection(request: Request) -> Response:
        params = await authed(request)
        if isinstance(params, Response):
            return params
        if request.method == "GET":
            return Response(await store.body(), media_type="application/json; charset=utf-8")
        values, problem = _clean(params)
        missing = [name for name in REQUIRED_ON_CREATE if name not in values]
        if missing and not problem:
            problem = "Validation failed: " + ", ".join(f"{n} can't be blank" for n in missing)
        problem = problem or _blank_required(values)
        if problem:
            return _error(problem)
        if store.find(values["UserID"]) is not None:
            return _duplicate(values["UserID"])
        return JSONResponse(store.create(values))  # 200, not 201, as documented

    async def member(request: Request) -> Response:
        user_id = request.path_params["user_id"]
        if request.method == "GET":
            # Not documented (docs/trisul.md §4.2): there is no GET-one route, so the sandbox answers as an
            # unrouted Rails path does, before auth; clients must find a customer in the list instead.
            return _error(f'No route matches [GET] "{PREFIX}/{user_id}"', http_status=404)
        params = await authed(request)
        if isinstance(params, Response):
            return params
        row = store.find(user_id)
        if row is None:
            return _not_found(user_id)
        if request.method == "DELETE":
            return JSONResponse(store.delete(row))
        values, problem = _clean(params)
        if request.method == "PUT" and not problem:
            missing = [name for name in FIELDS if name not in values]
            if missing:
                # Unknown wording; PUT is documented as requiring all six fields.
                problem = "Missing required fields: " + ", ".join(missing)
        problem = problem or _blank_required(values)
        if problem:
            return _error(problem)
        new_uid = values.get("UserID", user_id)
        if new_uid != user_id and store.find(new_uid) is not None:
            return _duplicate(new_uid)
        return JSONResponse(store.update(row, values))

    routes = [
        Route(PREFIX, collection, methods=["GET", "POST"]),
        # Quirk patch-405: no partial update; PATCH answers 405 with an Allow header that lists PUT.
        Route(PREFIX + "/{user_id}", member, methods=["GET", "PUT", "DELETE"] if options.has_quirk("patch-405")
              else ["GET", "PUT", "PATCH", "DELETE"]),
    ]
    return Starlette(routes=routes)
