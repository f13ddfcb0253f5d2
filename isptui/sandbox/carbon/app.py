"""Carbon Billing 5 REST API v2 emulator: form-encoded method chains under ``/rest_api/v2/<Model>/``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from isptui.sandbox.carbon.db import CarbonError, Database
from isptui.sandbox.carbon.rpc import MANAGER_METHODS, QUERYSET_METHODS, run_chain
from isptui.sandbox.carbon.schema import MODELS, ModelDef
from isptui.sandbox.carbon.serialize import serialize
from isptui.sandbox.options import SandboxOptions

PREFIX = "/rest_api/v2"
VERSION = "5.0.0-sandbox"


def _envelope(call: str, result: Any = None, error: str | None = None) -> JSONResponse:
    # Unknown (docs/carbon.md §7.7): the HTTP status of errors. Clients only look for a non-empty "error",
    # so errors are answered with 200 like successes.
    body = {"call": call, "error": error} if error is not None else {"call": call, "result": result}
    return JSONResponse(body)


def describe(model: ModelDef) -> dict[str, Any]:
    """One model for the listing: fields with Django types and FK targets, and the methods it offers."""
    return {
        "fields": {f.name: f.describe() for f in model.visible},
        "model_methods": list(MANAGER_METHODS),
        "queryset_methods": list(QUERYSET_METHODS),
        "object_methods": list(model.object_methods),
    }


def _version_entry() -> dict[str, Any]:
    return {"fields": {}, "model_methods": [], "queryset_methods": [], "object_methods": [],
            "form_fields": {"get_version": "True"}}


def _steps(form: FormData) -> list[tuple[str, Any]]:
    """``methodN``/``argN`` pairs in order; every argN is required, even ``{}``, as the docs insist."""
    steps: list[tuple[str, Any]] = []
    while f"method{len(steps) + 1}" in form:
        n = len(steps) + 1
        if f"arg{n}" not in form:
            raise CarbonError(f"arg{n} is required for method{n} (pass {{}} when there are no arguments)")
        try:
            arg = json.loads(str(form[f"arg{n}"]))
        except ValueError as exc:
            raise CarbonError(f"arg{n} is not valid JSON: {exc}") from None
        if not isinstance(arg, dict | list):
            raise CarbonError(f"arg{n} must be a JSON object (keyword arguments) or array")
        steps.append((str(form[f"method{n}"]), arg))
    later = [k for k in form if k.startswith("method") and k[6:].isdigit() and int(k[6:]) > len(steps)]
    if later:
        raise CarbonError(f"method{len(steps) + 1} is missing (methods must be numbered from 1 without gaps)")
    if not steps:
        raise CarbonError("method1 is required, e.g. method1=objects.filter&arg1={}")
    return steps


def _fields(form: FormData) -> list[str] | None:
    if "fields" not in form:
        return None
    try:
        fields = json.loads(str(form["fields"]))
    except ValueError as exc:
        raise CarbonError(f"fields is not valid JSON: {exc}") from None
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise CarbonError('fields must be a JSON array of field names, e.g. ["name","tarif__name"]')
    return fields


def create_app(options: SandboxOptions) -> Starlette:
    """The Carbon REST API v2 at ``/rest_api/v2/``.

    No authentication, as on real v2 servers, which rely on the network (a port reachable only locally
    or from an allowlist, docs/carbon.md §5.3). An optional client-IP allowlist would be checked here from
    ``request.client``; the sandbox does not need one because it only listens on 127.0.0.1.
    """
    db = Database(options.dataset, options.quirks)
    minimal = options.has_quirk("carbon-minimal-chain")
    lock = threading.Lock()

    async def root(request: Request) -> JSONResponse:
        # Unknown (docs/carbon.md §5.4): the real page is meant for a browser and its format is not
        # recorded. JSON in the usual envelope is chosen: model -> fields (type, FK target) and methods.
        listing = {name: describe(model) for name, model in MODELS.items()}
        listing["Version"] = _version_entry()
        return _envelope(PREFIX + "/", listing)

    async def model_endpoint(request: Request) -> JSONResponse:
        name = request.path_params["model"]
        call = f"{PREFIX}/{name}/"
        model = MODELS.get(name)
        if model is None and name != "Version":
            return _envelope(call, error=f"Unknown model '{name}'. Models: {', '.join([*MODELS, 'Version'])}")
        if request.method == "GET":
            return _envelope(call, {"model": name, **(describe(model) if model else _version_entry())})
        try:
            form = await request.form()
        except MultiPartException as exc:
            return _envelope(call, error=f"Bad form body: {exc}")
        if model is None:
            return _envelope(call, *_attempt(_version, form))
        # A chain without a pk window scans the whole model (seconds at 100,000 rows), so it runs, and its
        # body is rendered, in a worker thread: the in-process demo shares the UI's event loop. The lock
        # keeps chains atomic against each other.
        return await run_in_threadpool(execute, call, model, form)

    def execute(call: str, model: ModelDef, form: FormData) -> JSONResponse:
        with lock:
            outcome = _attempt(lambda: serialize(db, run_chain(db, model, _steps(form), minimal=minimal), _fields(form)))
        return _envelope(call, *outcome)

    # Both with and without the trailing slash: Django would redirect a slashless GET and fail a
    # slashless POST; accepting both keeps served and in-process use simple.
    routes = [
        Route(PREFIX + "/", root, methods=["GET"]),
        Route(PREFIX, root, methods=["GET"]),
        Route(PREFIX + "/{model}/", model_endpoint, methods=["GET", "POST"]),
        Route(PREFIX + "/{model}", model_endpoint, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes)


def _attempt(func: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """(result, None) or (None, error text) for the envelope."""
    try:
        return func(*args), None
    except CarbonError as exc:
        return None, str(exc)


def _version(form: FormData) -> dict[str, str]:
    # Unknown (docs/carbon.md §5.2): the Version result's shape; version string and server time chosen.
    if str(form.get("get_version", "")).lower() not in ("true", "1"):
        raise CarbonError("Version: pass get_version=True")
    return {"version": VERSION, "time": datetime.now().strftime("%Y-%m-%d %H:%M:%S")}
