"""The Krill adapter on the wire shapes quoted in docs/krill.md (CPE with ``_links``, LimitOffset pages with
absolute and relative ``next``, DRF errors and OPTIONS), through httpx.MockTransport."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest

from isptui.backends.base import BackendSettings
from isptui.backends.krill import KrillBackend
from isptui.errors import AuthFailed, NotFound, ReadOnlyViolation, ValidationFailed
from isptui.model import FieldType, Link, PageRequest, ResourceRef

URL = "http://krill.test"
NOW = 1_680_685_293.0


def jwt(exp: float, n: int = 1) -> str:
    """An unsigned-looking JWT with simplejwt's claims; the adapter reads only ``exp``."""
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{part({'typ': 'JWT', 'alg': 'HS256'})}.{part({'token_type': 'access', 'exp': exp, 'jti': n})}.sig"


# docs/krill.md §2.4 (the guide's CPE item, abridged) with its _links block
CPE_585 = {"id": 585, "cpename": "pim0585", "sn": "HWTC1234ABCD", "customer": 27, "tech": "gpon",
           "latitude": "38.0124867", "pppoe_password": "ppp-secret",
           "_links": {"actions": {a: f"/api/v2/isp/cpes/585/{a}" for a in (
               "diagnostic", "factory", "reboot", "reconfig", "reprovision", "unprovision")},
               "links": {r: f"/api/v2/isp/cpes/585/{r}" for r in (
                   "customer", "profile", "model", "potses", "events", "logs", "livestatus")}},
           "_services": ["provision", "tr069", "dhcp", "txrx"]}


class Server:
    """A scripted Krill: login issues JWTs; routes by (method, path regex); records requests."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock
        self.received: list[httpx.Request] = []
        self.routes: list[tuple[str, re.Pattern[str], Callable[[httpx.Request], httpx.Response]]] = []
        self.issued = 0
        self.valid: set[str] = set()
        self.refresh_ok = True
        self.on("POST", "auth/login/", self._login)
        self.on("POST", "auth/refresh/", self._refresh)
        self.on("GET", "", httpx.Response(200, json={"isp": f"{URL}/api/v2/isp/", "auth": f"{URL}/api/v2/auth/"}))

    def _issue(self) -> dict[str, str]:
        self.issued += 1
        token = jwt(self.clock[0] + 3600, self.issued)
        self.valid = {token}
        return {"access": token, "refresh": f"refresh-{self.issued}"}

    def _login(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        if form != {"username": ["operator"], "password": ["sandbox"]}:
            return httpx.Response(401, json={"detail": "No active account found with the given credentials"})
        return httpx.Response(200, json=self._issue())

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        if not self.refresh_ok:
            return httpx.Response(401, json={"detail": "Token is invalid or expired", "code": "token_not_valid"})
        return httpx.Response(200, json={"access": self._issue()["access"]})

    def on(self, method: str, path: str, handler: Callable[[httpx.Request], httpx.Response] | httpx.Response
           ) -> None:
        fn = handler if callable(handler) else (lambda _r, h=handler: h)
        self.routes.insert(0, (method, re.compile(f"^/api/v2/{path}$"), fn))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.received.append(httpx.Request(request.method, request.url, headers=request.headers.copy(),
                                           content=request.content))
        if not request.url.path.startswith("/api/v2/auth/"):
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.valid:
                return httpx.Response(401, json={"detail": "Given token not valid for any token type",
                                                 "code": "token_not_valid"})
        for method, pattern, fn in self.routes:
            if request.method == method and pattern.match(request.url.path):
                return fn(request)
        return httpx.Response(404, json={"detail": "Not found."})

    def paths(self, method: str) -> list[str]:
        return [r.url.path for r in self.received if r.method == method]


def backend(server: Server, *, password: str = "sandbox", read_only: bool = False) -> KrillBackend:
    settings = BackendSettings(url=URL, credentials={"username": "operator", "password": password},
                               transport=httpx.MockTransport(server), retries=0, read_only=read_only)
    return KrillBackend(settings, clock=lambda: server.clock[0])


async def test_cpe_with_links_becomes_a_record_with_links_and_dangerous_actions() -> None:
    server = Server([NOW])
    server.on("GET", "isp/cpes/585/", httpx.Response(200, json=CPE_585, headers={
        "Allow": "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"}))
    async with backend(server) as b:
        record = await b.get(ResourceRef(collection="isp/cpes", id="585"))
    assert record.title == "pim0585" and record.raw == CPE_585
    assert "_links" not in record.fields and list(record.fields)[:3] == ["id", "cpename", "sn"]
    links = {link.rel: link.href for link in record.links}
    assert links["customer"] == f"{URL}/api/v2/isp/cpes/585/customer"
    actions = {a.name: a for a in record.actions}
    assert {n for n, a in actions.items() if a.dangerous} >= {"reboot", "factory", "unprovision", "reprovision"}
    assert not actions["diagnostic"].dangerous
    assert record.capabilities.can_update and record.capabilities.can_delete


@pytest.mark.parametrize("next_link", [
    "http://pre1:4280/api/v2/isp/cpes/?attrs=id&limit=3&offset=45",  # absolute, internal host (guide)
    "/api/v2/isp/cpes/?attrs=id&limit=3&offset=45",  # relative (Rubik)
], ids=["absolute", "relative"])
async def test_next_is_followed_as_given_and_count_is_the_total(next_link: str) -> None:
    server = Server([NOW])

    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        return httpx.Response(200, json={"count": 158, "next": next_link if offset == 42 else None,
                                         "previous": None,
                                         "results": [{"id": 119 + offset}, {"id": 121 + offset}]})

    server.on("GET", "isp/cpes/", page)
    async with backend(server) as b:
        first = await b.list(ResourceRef(collection="isp/cpes"), PageRequest(offset=42, limit=3))
        second = await b.list(ResourceRef(collection="isp/cpes"), PageRequest(cursor=first.next_cursor))
    assert first.total == 158 and first.offset == 42 and [r.id for r in first.items] == ["161", "163"]
    sent = server.received[-1].url
    assert sent.host == "krill.test" and sent.query == b"attrs=id&limit=3&offset=45"
    assert second.offset == 45 and second.items[0].ref == ResourceRef(collection="isp/cpes", id="164")
    assert second.next_cursor is None
    first_query = parse_qs(str(server.received[-2].url.query, "ascii"))
    assert first_query["attrs"][0].split(",")[:2] == ["id", "cpename"]  # light list pages


async def test_token_renewed_on_token_not_valid_and_relogin_when_refresh_fails() -> None:
    server = Server([NOW])
    server.on("GET", "isp/cpes/585/", httpx.Response(200, json=CPE_585))
    async with backend(server) as b:
        server.valid = set()  # server-side revocation: 401 token_not_valid
        await b.get(ResourceRef(collection="isp/cpes", id="585"))
        assert server.paths("POST") == ["/api/v2/auth/login/", "/api/v2/auth/refresh/"]
        server.clock[0] += 3600 - 10  # inside the early-renewal window, from the JWT's exp
        server.refresh_ok = False
        record = await b.get(ResourceRef(collection="isp/cpes", id="585"))
    assert server.paths("POST")[-2:] == ["/api/v2/auth/refresh/", "/api/v2/auth/login/"]
    assert record.id == "585"


async def test_wrong_password_is_auth_failed() -> None:
    with pytest.raises(AuthFailed) as info:
        await backend(Server([NOW]), password="nope").connect()
    assert info.value.status == 401 and "nope" not in str(info.value)


async def test_drf_400_becomes_field_errors_and_404_detail_not_found() -> None:
    server = Server([NOW])
    server.on("PATCH", "isp/customers/27/", httpx.Response(400, json={
        "name": ["This field may not be blank."], "non_field_errors": ["Realm mismatch"]}))
    async with backend(server) as b:
        with pytest.raises(ValidationFailed) as info:
            await b.update(ResourceRef(collection="isp/customers", id="27"), {"name": ""})
        with pytest.raises(NotFound):
            await b.get(ResourceRef(collection="isp/customers", id="99999"))
    assert info.value.field_errors == {"name": ["This field may not be blank."],
                                       "non_field_errors": ["Realm mismatch"]}


async def test_discovery_walks_app_roots_and_falls_back_where_one_does_not_answer() -> None:
    server = Server([NOW])
    server.on("GET", "", httpx.Response(200, json={"isp": f"{URL}/api/v2/isp/", "rubik": "/api/v2/rubik/",
                                                   "auth": f"{URL}/api/v2/auth/"}))
    server.on("GET", "isp/", httpx.Response(200, json={"cpes": f"{URL}/api/v2/isp/cpes/",
                                                       "cpe-profiles": f"{URL}/api/v2/isp/cpe-profiles/"}))
    server.on("GET", "rubik/", httpx.Response(200, text="<html>Not here</html>"))
    async with backend(server) as b:
        entries = await b.discover()
    keys = [(e.group, e.key) for e in entries]
    assert ("ISP", "isp/cpes") in keys and ("ISP", "isp/cpe-profiles") in keys
    assert ("Rubik", "rubik/services") in keys  # from the fallback catalogue
    assert not any(k.startswith("auth") for _, k in keys)


async def test_invoke_uses_get_then_post_on_405_and_is_refused_read_only() -> None:
    server = Server([NOW])
    server.on("GET", "isp/cpes/585/", httpx.Response(200, json=CPE_585))
    server.on("GET", "isp/cpes/585/reboot", httpx.Response(405, json={"detail": 'Method "GET" not allowed.'}))
    server.on("POST", "isp/cpes/585/reboot", httpx.Response(200, json={"status": "rebooting"}))
    async with backend(server) as b:
        record = await b.get(ResourceRef(collection="isp/cpes", id="585"))
        reboot = next(a for a in record.actions if a.name == "reboot")
        assert await b.invoke(record, reboot) == {"status": "rebooting"}
    async with backend(server, read_only=True) as b:
        with pytest.raises(ReadOnlyViolation):
            await b.invoke(record, reboot)
    assert server.paths("POST").count("/api/v2/isp/cpes/585/reboot") == 1


async def test_options_schema_allow_capabilities_and_follow_link_to_a_page() -> None:
    server = Server([NOW])
    options = {"name": "Customer List", "actions": {"POST": {
        "id": {"type": "integer", "required": False, "read_only": True, "label": "ID"},
        "name": {"type": "string", "required": True, "read_only": False, "label": "Name", "max_length": 100},
        "realm": {"type": "choice", "required": False, "read_only": False, "label": "Realm",
                  "choices": [{"value": "pim", "display_name": "PIM"}]}}}}
    server.on("OPTIONS", "isp/customers/", httpx.Response(200, json=options,
                                                          headers={"Allow": "GET, POST, HEAD, OPTIONS"}))
    server.on("GET", "isp/cpes/585/potses", httpx.Response(200, json={
        "count": 1, "next": None, "previous": None, "results": [{"id": 9, "lineid": "pim0585-1"}]}))
    async with backend(server) as b:
        schema = await b.schema(ResourceRef(collection="isp/customers"))
        caps = b.capabilities(ResourceRef(collection="isp/customers"))
        page = await b.follow(Link(rel="potses", href=f"{URL}/api/v2/isp/cpes/585/potses"))
    name, realm = schema.field("name"), schema.field("realm")
    assert name is not None and name.required and name.max_length == 100
    assert realm is not None and realm.type == FieldType.CHOICE and realm.choices == (("pim", "PIM"),)
    assert caps.can_create and not caps.can_delete
    assert page.total == 1 and page.items[0].title == "pim0585-1"


async def test_an_unpaginated_bare_array_is_paged_locally() -> None:
    server = Server([NOW])
    server.on("GET", "isp/cpe-profiles/", httpx.Response(200, json=[{"id": n, "name": f"P{n}"} for n in range(1, 8)]))
    async with backend(server) as b:
        page = await b.list(ResourceRef(collection="isp/cpe-profiles"), PageRequest(offset=5, limit=5))
    assert [r.title for r in page.items] == ["P6", "P7"] and page.total == 7 and not page.has_more
