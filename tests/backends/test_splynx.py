"""The Splynx adapter on the wire shapes quoted in docs/splynx.md, through httpx.MockTransport.

These complement the contract battery: the sandbox makes its own choices where the reference says a fact
is unknown, so here the adapter meets the documented and the observed variants directly.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote

import httpx
import pytest

from isptui.backends.base import BackendSettings
from isptui.backends.splynx import SplynxBackend
from isptui.backends.splynx.auth import NonceCounter, SplynxSignatureAuth
from isptui.errors import AuthFailed, PermissionDenied, ValidationFailed
from isptui.model import FieldType, PageRequest, ResourceRef

KEY, SECRET = "k3y", "s3cret-value"
URL = "http://splynx.test"

# docs/splynx.md A.5 (string ids, additional attributes)
CUSTOMER_A5 = {"id": "1", "partner_id": "1", "location_id": "1", "added_by": "admin", "added_by_id": "0",
               "login": "redis", "category": "person", "name": "Jacques Rice", "email": "jfarrell@gmail.com",
               "billing_email": "", "phone": "+9410978741579", "street_1": "5500 Aniyah Dale",
               "zip_code": "63572", "city": "Farrellmouth",
               "additional_attributes": {"account_holderid": "", "aesi_branch": "", "booooll": "0"}}
# docs/splynx.md A.4 (observed form)
OPTIONS_OBSERVED = {"attributes": [
    {"name": "id", "title": "ID", "type": "integer", "required": False},
    {"name": "name", "title": "Full name", "type": "string", "required": True},
    {"name": "date_add", "title": "Date add", "type": "date", "required": False}],
    "additional_attributes": [{"name": "aesi_branch", "title": "Branch", "type": "string", "required": False}]}
# docs/splynx.md §1.4 (documented bare array, base and with-AF entries)
OPTIONS_DOCUMENTED = [
    {"name": "name", "title": "Full name", "type": "string", "required": True},
    {"name": "aesi_branch", "title": "Branch", "type": "string", "required": False, "module": "customers",
     "category": 1, "position": 2, "is_add": True, "readonly": False}]


class Server:
    """A scripted Splynx: routes (method, path regex) to handlers, records what it received."""

    def __init__(self) -> None:
        self.received: list[httpx.Request] = []
        self.routes: list[tuple[str, re.Pattern[str], Callable[[httpx.Request], httpx.Response]]] = []

    def on(self, method: str, path: str, handler: Callable[[httpx.Request], httpx.Response] | httpx.Response
           ) -> None:
        fn = handler if callable(handler) else (lambda _r, h=handler: h)
        self.routes.insert(0, (method, re.compile(f"^/api/2.0/{path}$"), fn))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        # A copy: auth flows mutate the request object they resend.
        self.received.append(httpx.Request(request.method, request.url, headers=request.headers.copy(),
                                           content=request.content))
        for method, pattern, fn in self.routes:
            if request.method == method and pattern.match(request.url.path):
                return fn(request)
        return httpx.Response(404, json={"error": {"message": "Not found", "code": 404,
                                                    "internal_code": "NOT_FOUND"}})

    def of(self, method: str) -> list[httpx.Request]:
        return [r for r in self.received if r.method == method]


def backend(server: Server, auth: str = "basic", clock: Callable[[], float] | None = None) -> SplynxBackend:
    settings = BackendSettings(url=URL, credentials={"api_key": KEY, "api_secret": SECRET, "auth": auth},
                               transport=httpx.MockTransport(server), retries=0)
    return SplynxBackend(settings, clock=clock) if clock else SplynxBackend(settings)


def healthy(server: Server) -> None:
    server.on("HEAD", "admin/customers/customer", httpx.Response(204, headers={"X-total-count": "1"}))


def expected_signature(nonce: str) -> str:
    return hmac.new(SECRET.encode(), f"{nonce}{KEY}".encode(), hashlib.sha256).hexdigest().upper()


async def test_signature_header_is_valid_and_nonces_strictly_increase_under_concurrency() -> None:
    server = Server()
    healthy(server)
    server.on("GET", r"admin/tariffs/internet", httpx.Response(200, json=[]))
    async with backend(server, "signature", clock=lambda: 1_700_000_000.0) as b:
        await asyncio.gather(*(b.list(ResourceRef(collection="tariffs-internet")) for _ in range(5)))
    nonces = []
    for request in server.received:
        header = request.headers["authorization"]
        assert header.startswith("Splynx-EA (") and header.endswith(")")
        params = {k: v[0] for k, v in parse_qs(header[len("Splynx-EA ("):-1]).items()}
        assert params["key"] == KEY
        assert params["signature"] == expected_signature(params["nonce"])
        nonces.append(int(params["nonce"]))
    assert len(set(nonces)) == len(nonces) == len(server.received)
    assert nonces[0] == 170_000_000_000  # centiseconds of the clock, as the official clients send


def test_nonce_counter_never_repeats_when_the_clock_goes_back() -> None:
    times = iter([100.0, 100.0, 99.0, 101.0, 101.0])
    counter = NonceCounter(lambda: next(times))
    values = [counter.next() for _ in range(4)]
    assert values == [10000, 10001, 10002, 10100]
    assert "nonce=10101&" in SplynxSignatureAuth(KEY, SECRET, counter).header()


class TokenServer(Server):
    """Issues tokens like the blueprint: login 201, renew with the refresh token, 401 on expired ones."""

    def __init__(self, clock: list[float]) -> None:
        super().__init__()
        self.clock = clock
        self.issued = 0
        self.refresh_fails = False
        self.valid: set[str] = set()

        def tokens(kind: str) -> dict[str, object]:
            self.issued += 1
            access = f"access-{self.issued}"
            self.valid = {access}
            return {"access_token": access, "access_token_expiration": self.clock[0] + 1800,
                    "refresh_token": f"refresh-{self.issued}", "refresh_token_expiration": self.clock[0] + 86400}

        def login(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            if body.get("auth_type") != "api_key" or body.get("signature") != expected_signature(str(body["nonce"])):
                return httpx.Response(401, json={"error": {"message": "bad", "code": 401,
                                                           "internal_code": "UNAUTHORIZED"}})
            return httpx.Response(201, json={**tokens("login"), "permissions": []})

        def renew(request: httpx.Request) -> httpx.Response:
            if self.refresh_fails:
                return httpx.Response(403, json={"error": {"message": "expired", "code": 403,
                                                           "internal_code": "EXPIRED_REFRESH_TOKEN"}})
            return httpx.Response(200, json=tokens("refresh"))

        def data(request: httpx.Request) -> httpx.Response:
            token = request.headers.get("authorization", "")[len("Splynx-EA (access_token="):-1]
            if token not in self.valid:
                return httpx.Response(401, json={"error": {"message": "Expired", "code": 401,
                                                           "internal_code": "EXPIRED_ACCESS_TOKEN"}})
            if request.method == "HEAD":
                return httpx.Response(204, headers={"X-total-count": "1"})
            if request.method == "PUT":
                return httpx.Response(202)
            return httpx.Response(200, json=CUSTOMER_A5 if request.url.path.endswith("/1") else [CUSTOMER_A5])

        self.on("POST", "admin/auth/tokens", login)
        self.on("GET", r"admin/auth/tokens/refresh-\d+", renew)
        self.on("DELETE", r"admin/auth/tokens/refresh-\d+", httpx.Response(204))
        for method in ("GET", "HEAD", "PUT"):
            self.on(method, r"admin/customers/customer(/\d+)?", data)


async def test_token_flow_logs_in_refreshes_before_expiry_and_relogs_when_refresh_fails() -> None:
    clock = [1_700_000_000.0]
    server = TokenServer(clock)
    async with backend(server, "token", clock=lambda: clock[0]) as b:
        await b.get(ResourceRef(collection="customers", id="1"))
        assert [r.url.path for r in server.of("POST")] == ["/api/2.0/admin/auth/tokens"]
        clock[0] += 1796  # within 5 s of expiry: renew first, as the blueprint says
        await b.get(ResourceRef(collection="customers", id="1"))
        assert server.of("GET")[-2].url.path == "/api/2.0/admin/auth/tokens/refresh-1"
        clock[0] += 1796
        server.refresh_fails = True
        record = await b.get(ResourceRef(collection="customers", id="1"))
        assert len(server.of("POST")) == 2  # refresh refused -> logged in again
        assert record.title == "Jacques Rice"
    assert server.of("DELETE")[-1].url.path.startswith("/api/2.0/admin/auth/tokens/refresh-")


async def test_token_expired_mid_session_is_renewed_once_and_the_write_resent() -> None:
    clock = [1_700_000_000.0]
    server = TokenServer(clock)
    async with backend(server, "token", clock=lambda: clock[0]) as b:
        server.valid = set()  # the server revoked the token early
        await b.update(ResourceRef(collection="customers", id="1"), {"email": "new@example.net"})
    puts = server.of("PUT")
    assert len(puts) == 2 and json.loads(puts[-1].content) == {"email": "new@example.net"}
    assert puts[0].headers["authorization"] != puts[1].headers["authorization"]


async def test_bad_key_is_auth_failed_without_the_secret_in_the_message() -> None:
    server = TokenServer([0.0])
    settings = BackendSettings(url=URL, credentials={"api_key": KEY, "api_secret": "wrong-secret",
                                                     "auth": "token"},
                               transport=httpx.MockTransport(server), retries=0)
    with pytest.raises(AuthFailed) as info:
        await SplynxBackend(settings).connect()
    assert "wrong-secret" not in str(info.value)


@pytest.mark.parametrize("body", [OPTIONS_OBSERVED, OPTIONS_DOCUMENTED], ids=["observed", "documented"])
async def test_schema_from_both_options_forms_with_additional_fields(body: object) -> None:
    server = Server()
    healthy(server)
    server.on("OPTIONS", "admin/customers/customer", httpx.Response(200, json=body))
    async with backend(server) as b:
        schema = await b.schema(ResourceRef(collection="customers"))
        again = await b.schema(ResourceRef(collection="customers"))
    name = schema.field("name")
    assert name is not None and name.required and name.label == "Full name"
    extra = schema.field("additional_attributes")
    assert extra is not None and extra.type == FieldType.OBJECT
    assert [c.name for c in extra.children] == ["aesi_branch"]
    assert again is schema and len(server.of("OPTIONS")) == 1


async def test_customer_with_string_ids_and_additional_attributes() -> None:
    server = Server()
    healthy(server)
    server.on("GET", "admin/customers/customer/1", httpx.Response(200, json=CUSTOMER_A5))
    async with backend(server) as b:
        record = await b.get(ResourceRef(collection="customers", id="1"))
    assert record.id == "1" and record.title == "Jacques Rice"
    assert list(record.fields) == list(CUSTOMER_A5)
    assert record.raw == CUSTOMER_A5
    rels = {link.rel: link.href for link in record.links}
    assert rels["internet-services"] == "admin/customers/customer/1/internet-services"
    assert rels["invoices"].endswith("main_attributes[customer_id]=1")
    assert "upload-document" in {a.name for a in record.actions}


async def test_filter_goes_to_main_attributes_and_total_comes_from_head() -> None:
    server = Server()
    healthy(server)
    server.on("GET", "admin/customers/customer", httpx.Response(200, json=[{**CUSTOMER_A5, "id": 7}]))
    server.on("HEAD", "admin/customers/customer", httpx.Response(204, headers={"X-total-count": "12"}))
    async with backend(server) as b:
        page = await b.list(ResourceRef(collection="customers"),
                            PageRequest(filter="status=active, name~durden, Smith", limit=10, offset=20))
    assert page.total == 12 and page.items[0].id == "7"
    get = unquote(str(server.of("GET")[-1].url.query, "ascii"))
    assert "main_attributes[status]=active" in get
    assert "main_attributes[name][0]=LIKE&main_attributes[name][1]=durden" in get
    assert "main_attributes[name][1]=Smith" in get and "limit=10&offset=20" in get
    head = unquote(str(server.of("HEAD")[-1].url.query, "ascii"))
    assert "main_attributes[status]=active" in head and "limit" not in head


async def test_403_is_permission_denied_saying_not_permitted_for_this_key() -> None:
    server = Server()
    healthy(server)
    server.on("GET", "admin/support/tickets", httpx.Response(403, json={"error": {
        "message": "You dont have permission", "code": 403, "internal_code": "FORBIDDEN"}}))
    async with backend(server) as b:
        with pytest.raises(PermissionDenied) as info:
            await b.list(ResourceRef(collection="tickets"))
    assert "not permitted for this API key" in info.value.message and info.value.status == 403


@pytest.mark.parametrize("body, field", [
    ([{"field": "email", "message": "Email is not a valid email address."}], "email"),
    ({"error": {"message": "Invalid input", "code": 422, "internal_code": "INVALID_INPUT_DATA",
                "errors": {"login": ["Login already taken"]}}}, "login"),
    ({"name": "Name cannot be blank."}, "name"),
], ids=["yii2-list", "envelope", "plain-dict"])
async def test_422_bodies_become_field_errors(body: object, field: str) -> None:
    server = Server()
    healthy(server)
    server.on("POST", "admin/customers/customer", httpx.Response(422, json=body))
    async with backend(server) as b:
        with pytest.raises(ValidationFailed) as info:
            await b.create(ResourceRef(collection="customers"), {"name": ""})
    assert field in info.value.field_errors and info.value.method == "POST"


async def test_update_sends_only_changed_fields_and_reads_back() -> None:
    server = Server()
    healthy(server)
    server.on("PUT", "admin/customers/customer/1", httpx.Response(202))
    server.on("GET", "admin/customers/customer/1",
              lambda r: httpx.Response(200, json={**CUSTOMER_A5, "city": "Leeds"}))
    async with backend(server) as b:
        record = await b.update(ResourceRef(collection="customers", id="1"), {"city": "Leeds"})
    assert json.loads(server.of("PUT")[0].content) == {"city": "Leeds"}
    assert record.fields["city"] == "Leeds"


async def test_upload_document_creates_the_record_then_uploads_multipart(tmp_path: Path) -> None:
    server = Server()
    healthy(server)
    server.on("POST", "admin/customers/customer-documents", httpx.Response(201, json={"id": 7}))
    server.on("POST", "admin/customers/customer-documents/7--upload", httpx.Response(202))
    server.on("GET", "admin/customers/customer-documents/1", httpx.Response(200, json=[
        {"id": "6", "customer_id": "1", "title": "old"},
        {"id": "7", "customer_id": "1", "title": "contract", "filename_original": "contract.pdf"}]))
    file = tmp_path / "contract.pdf"
    file.write_bytes(b"%PDF-1.4 test")
    async with backend(server) as b:
        record = await b.upload_document("1", file, title="contract")
    first, upload = server.of("POST")
    assert json.loads(first.content)["customer_id"] == "1" and json.loads(first.content)["type"] == "uploaded"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="file"; filename="contract.pdf"' in upload.content and b"%PDF-1.4 test" in upload.content
    assert record.id == "7" and record.title == "contract"


async def test_describe_write_shows_the_request_with_secrets_redacted() -> None:
    server = Server()
    healthy(server)
    async with backend(server) as b:
        lines = b.describe_write("PUT", ResourceRef(collection="customers", id="1"),
                                 {"password": "hunter22", "name": "X"})
    assert lines[0] == f"PUT {URL}/api/2.0/admin/customers/customer/1"
    assert "hunter22" not in "\n".join(lines) and json.loads(lines[-1])["name"] == "X"


async def test_following_a_customer_sub_collection_keeps_its_own_filter() -> None:
    server = Server()
    healthy(server)
    server.on("GET", "admin/customers/customer/1", httpx.Response(200, json=CUSTOMER_A5))
    server.on("GET", "admin/finance/invoices", httpx.Response(200, json=[
        {"id": "11", "customer_id": "1", "number": "INV-1"}]))
    server.on("HEAD", "admin/finance/invoices", httpx.Response(204, headers={"X-total-count": "1"}))
    async with backend(server) as b:
        customer = await b.get(ResourceRef(collection="customers", id="1"))
        page = await b.follow(next(link for link in customer.links if link.rel == "invoices"))
    query = unquote(str(server.of("GET")[-1].url.query, "ascii"))
    assert "main_attributes[customer_id]=1" in query and "limit=50" in query
    assert [r.title for r in page.items] == ["INV-1"] and page.total == 1
    assert next(link for link in page.items[0].links if link.rel == "customer").target == customer.ref
