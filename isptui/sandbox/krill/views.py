"""URL table and request handling of the Krill emulator: auth, method checks, OPTIONS, CRUD, roots.

The order of checks is DRF's: URL resolution (Django 404 page) -> authentication and permission (401) ->
method (405) -> the handler. Every answer carries DRF's `Allow` and Krill's observed headers. Paths are
answered with and without their trailing slash, since Krill's own docs and links use both (§7.4); a real
Django would 301 the slashless GETs instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from isptui.sandbox.krill import cpeviews, records
from isptui.sandbox.krill.drf import NOT_FOUND, allow_header, drf_response, metadata, paginate, validate
from isptui.sandbox.krill.query import FilterError, listing_for, shaper
from isptui.sandbox.krill.state import KrillState, Resource
from isptui.sandbox.krill.tokens import TokenError, TokenService

Handler = Callable[["Call"], Awaitable[Response]]
USER = {"pk": 1, "username": "", "email": "operator@example.net", "first_name": "Sandbox", "last_name": "Operator"}
APPS = {  # DefaultRouter roots: app -> its resources
    "isp": ("customers", "cpes", "potses", "cpe-profiles"),
    "monitoring": ("cpes",),
    "oratio": ("accounting",),
    "rubik": ("services",),
    "auth": ("login", "refresh", "user"),
}
# Django's stock 404 page for URLs no route matches (DEBUG off): HTML, not DRF JSON.
DJANGO_404 = (
    '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1>'
    "<p>The requested resource was not found on this server.</p>\n</body>\n</html>\n"
)


@dataclass
class Call:
    """One request as a view sees it."""

    request: Request
    params: dict[str, str]
    state: KrillState
    tokens: TokenService
    credentials: tuple[str, str]
    slashless: bool = False  # quirk drf-append-slash: links are published without DRF's trailing slash

    def base(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc}"


@dataclass
class Endpoint:
    """A route: its pattern under /api/v2/, its methods, handler and what OPTIONS says about it."""

    pattern: str
    methods: tuple[str, ...]
    handler: Handler
    name: str
    description: str = ""
    actions: Callable[[], dict[str, Any]] = field(default=lambda: {})
    public: bool = False

    def __post_init__(self) -> None:
        self.regex = re.compile(self.pattern + "/?")


def _detail(status: int, text: str, **extra: Any) -> tuple[int, dict[str, Any]]:
    return status, {"detail": text, **extra}


async def read_body(request: Request) -> Any:
    """request.data as DRF parses it: JSON, form or multipart; raises ValueError(detail body, status)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if not raw and kind in ("", "application/json"):
        return {}
    if kind == "application/json":
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ValueError(400, {"detail": f"JSON parse error - {exc}"}) from exc
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    raise ValueError(415, {"detail": f'Unsupported media type "{kind}" in request.'})


# -- auth ----------------------------------------------------------------------------------------


async def login(call: Call) -> Response:
    try:
        data = await read_body(call.request)
    except ValueError as exc:
        return drf_response(exc.args[1], exc.args[0])
    data = data if isinstance(data, dict) else {}
    missing = {k: ["This field is required."] for k in ("username", "password") if not data.get(k)}
    if missing:
        return drf_response(missing, 400)
    if (str(data["username"]), str(data["password"])) != call.credentials:
        return drf_response({"detail": "No active account found with the given credentials"}, 401,
                            {"WWW-Authenticate": 'Bearer realm="api"'})
    # Inferred (docs/krill.md §2.2): simplejwt's pair; the docs only confirm `access`.
    return drf_response({"refresh": call.tokens.mint("refresh", 1), "access": call.tokens.mint("access", 1)})


async def refresh(call: Call) -> Response:
    try:
        data = await read_body(call.request)
    except ValueError as exc:
        return drf_response(exc.args[1], exc.args[0])
    token = data.get("refresh") if isinstance(data, dict) else None
    if not token:
        return drf_response({"refresh": ["This field is required."]}, 400)
    try:
        call.tokens.verify(str(token), "refresh")
    except TokenError as exc:
        return drf_response({"detail": exc.args[0], "code": "token_not_valid"}, 401,
                            {"WWW-Authenticate": 'Bearer realm="api"'})
    return drf_response({"access": call.tokens.mint("access", 1)})


async def current_user(call: Call) -> Response:
    # Unknown (docs/krill.md §2.2): the body of auth/user/; dj-rest-auth's UserDetailsSerializer shape chosen.
    return drf_response({**USER, "username": call.credentials[0]})


def authenticate(call: Call) -> Response | None:
    """None when the request carries a valid access token, else simplejwt's 401."""
    header = call.request.headers.get("authorization", "")
    parts = header.split()
    challenge = {"WWW-Authenticate": 'Bearer realm="api"'}
    if not parts or parts[0] != "Bearer":
        # Widgets pass the token as ?token= (docs/krill.md §2.2); accepted everywhere as a fallback.
        token = call.request.query_params.get("token")
        if not token:
            return drf_response({"detail": "Authentication credentials were not provided."}, 401, challenge)
        parts = ["Bearer", token]
    if len(parts) != 2:
        return drf_response({"detail": "Authorization header must contain two space-delimited values",
                             "code": "bad_authorization_header"}, 401, challenge)
    try:
        call.tokens.verify(parts[1], "access")
    except TokenError as exc:
        messages = [{"token_class": "AccessToken", "token_type": "access", "message": exc.args[0]}]
        return drf_response({"detail": "Given token not valid for any token type", "code": "token_not_valid",
                             "messages": messages}, 401, challenge)
    return None


# -- generic resource views ----------------------------------------------------------------------


def _shape(call: Call, resource: Resource) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return shaper(resource, call.request, string_ids=call.state.string_ids, pk_zero=call.state.pk_zero)


def list_view(resource: Resource, quirk: Callable[[str], bool]) -> Handler:
    async def handle(call: Call) -> Response:
        if call.request.method == "POST":
            return await write(call, resource, None)
        try:
            listing = await listing_for(call.state, resource, call.request)
        except FilterError as exc:
            return drf_response(exc.args[0], 400)
        page = paginate(call.request, listing, default_limit=resource.default_limit,
                        absolute=resource.absolute_links, shape=_shape(call, resource),
                        whole=quirk("ignores-paging"), ignore_offset=quirk("ignores-offset"))
        return drf_response(page)

    return handle


def detail_view(resource: Resource) -> Handler:
    async def handle(call: Call) -> Response:
        pk = call.params["pk"]
        if call.state.pk_zero and resource.name == "customers":
            pk = {"0": "1", "1": "-1"}.get(pk, pk)  # pk-zero: customer "1" is served as pk 0
        row = resource.collection.get(pk)
        if row is None:
            return drf_response(NOT_FOUND, 404)
        method = call.request.method
        if method in ("PUT", "PATCH"):
            return await write(call, resource, row)
        if method == "DELETE":
            call.state.remove(resource, row)
            return drf_response(None, 204)
        return drf_response(_shape(call, resource)(row))

    return handle


async def write(call: Call, resource: Resource, old: dict[str, Any] | None) -> Response:
    """POST (old is None), PUT or PATCH through DRF-style validation."""
    try:
        data = await read_body(call.request)
    except ValueError as exc:
        return drf_response(exc.args[1], exc.args[0])

    for key, index in resource.indexes.items():
        if isinstance(data, dict) and data.get(key) not in (None, ""):
            await index.prepare()

    def taken(name: str, value: Any) -> bool:
        owner = resource.indexes[name].owner(value)
        return owner is not None and (old is None or owner != old["id"])

    values, errors = validate(resource.specs, data, partial=call.request.method == "PATCH",
                              exists=call.state.exists, taken=taken, model_name=resource.model_name)
    if errors:
        return drf_response(errors, 400)
    row = call.state.save(resource, old, values)
    return drf_response(_shape(call, resource)(row), 201 if old is None else 200)


# -- CPE sub-resources and monitoring ------------------------------------------------------------


def _cpe(call: Call) -> dict[str, Any] | None:
    row = call.state.cpes.get(call.params["pk"])
    return None if row is None else call.state.render_cpe(row)


async def cpe_action(call: Call) -> Response:
    cpe = _cpe(call)
    if cpe is None:
        return drf_response(NOT_FOUND, 404)
    return drf_response(cpeviews.action_body(call.state, cpe, call.params["action"]))


async def cpe_link(call: Call) -> Response:
    cpe = _cpe(call)
    if cpe is None:
        return drf_response(NOT_FOUND, 404)
    status, body = cpeviews.link_body(call.state, cpe, call.params["link"], call.request)
    return drf_response(body, status)


async def monitoring_list(call: Call) -> Response:
    try:
        listing = await listing_for(call.state, call.state.resource("isp", "cpes"), call.request)
    except FilterError as exc:
        return drf_response(exc.args[0], 400)
    render = call.state.render_cpe
    return drf_response(paginate(call.request, listing, default_limit=20, absolute=True,
                                 shape=lambda row: cpeviews.monitoring_summary(render(row))))


async def monitoring_detail(call: Call) -> Response:
    cpe = _cpe(call)
    if cpe is None:
        return drf_response(NOT_FOUND, 404)
    info = call.params.get("info")
    return drf_response(cpeviews.monitoring_info(cpe) if info else cpeviews.monitoring_summary(cpe))


# -- roots ---------------------------------------------------------------------------------------


async def api_root(call: Call) -> Response:
    end = "" if call.slashless else "/"
    return drf_response({app: f"{call.base()}/api/v2/{app}{end}" for app in APPS})


async def app_root(call: Call) -> Response:
    app = call.params["app"]
    end = "" if call.slashless else "/"
    return drf_response({name: f"{call.base()}/api/v2/{app}/{name}{end}" for name in APPS[app]})


def endpoints(state: KrillState, quirk: Callable[[str], bool] = lambda name: False) -> list[Endpoint]:
    """Every route of the emulator, most specific first; ``quirk`` switches on variants (sandbox/quirks.py)."""
    # action-post-only: the guide's GET (docs/krill.md) is refused with 405, as a POST-only DRF @action is.
    action_methods = ("POST",) if quirk("action-post-only") else ("GET", "POST")
    # drf-detail-options-only: the list's OPTIONS has no actions.POST (POST still works there).
    list_schema = not quirk("drf-detail-options-only")
    patch = () if quirk("patch-405") else ("PATCH",)
    table = [
        Endpoint("", ("GET",), api_root, "Api Root", "The default basic root view for DefaultRouter"),
        Endpoint("auth/login", ("POST",), login, "Token Obtain Pair",
                 "Takes a set of user credentials and returns an access and refresh JSON web token pair.",
                 public=True),
        Endpoint("auth/refresh", ("POST",), refresh, "Token Refresh",
                 "Takes a refresh type JSON web token and returns an access type JSON web token.", public=True),
        Endpoint("auth/user", ("GET",), current_user, "User Details", "The user the token belongs to."),
        # The auth root lists the login route, so it is readable before logging in (AllowAny chosen).
        Endpoint("(?P<app>auth)", ("GET",), app_root, "Auth", public=True),
        Endpoint("(?P<app>isp|monitoring|oratio|rubik)", ("GET",), app_root, "Api Root",
                 "The default basic root view for DefaultRouter"),
        Endpoint("monitoring/cpes", ("GET",), monitoring_list, "Cpe Status List"),
        Endpoint(r"monitoring/cpes/(?P<pk>[^/]+)(?:/(?P<info>info))?", ("GET",), monitoring_detail, "Cpe Status"),
        Endpoint(rf"isp/cpes/(?P<pk>[^/]+)/(?P<action>{'|'.join(records.ACTION_PATHS.values())})",
                 action_methods, cpe_action, "Cpe Action", "Queue an action on the CPE."),
        Endpoint(rf"isp/cpes/(?P<pk>[^/]+)/(?P<link>{'|'.join(p.split('?')[0] for p in records.LINK_PATHS.values())})",
                 ("GET",), cpe_link, "Cpe Related"),
    ]
    for resource in state.resources.values():
        list_methods = ("GET", "POST") if resource.writable else ("GET",)
        detail_methods = ("GET", "PUT", *patch, "DELETE") if resource.writable else ("GET",)
        specs = resource.specs
        base = f"{resource.app}/{re.escape(resource.name)}"
        table.append(Endpoint(base, list_methods, list_view(resource, quirk), f"{resource.view_name} List",
                              resource.description,
                              (lambda s=specs: {"POST": s}) if resource.writable and list_schema else (lambda: {})))
        table.append(Endpoint(rf"{base}/(?P<pk>[^/]+)", detail_methods, detail_view(resource),
                              f"{resource.view_name} Instance", resource.description,
                              (lambda s=specs: {"PUT": s}) if resource.writable else (lambda: {})))
    return table


async def dispatch(call: Call, endpoint: Endpoint) -> Response:
    """Run one matched endpoint the way DRF's APIView.dispatch does."""
    allow = {"Allow": allow_header(endpoint.methods)}
    if not endpoint.public and (denied := authenticate(call)) is not None:
        denied.headers.update(allow)
        return denied
    method = call.request.method
    if method == "OPTIONS":
        response = drf_response(metadata(endpoint.name, endpoint.description, endpoint.actions()))
    elif method == "HEAD" and "GET" in endpoint.methods:
        response = await endpoint.handler(call)
        response = Response(b"", response.status_code, headers=dict(response.headers))
    elif method not in endpoint.methods:
        response = drf_response({"detail": f'Method "{method}" not allowed.'}, 405)
    else:
        response = await endpoint.handler(call)
    response.headers.update(allow)
    return response
