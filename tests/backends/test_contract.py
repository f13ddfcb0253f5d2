"""The contract battery: every backend the registry knows (``conftest.contract_names``: the built-ins and any
installed plug-in) against its sandbox, the same checks for all.

Faults come from the sandbox's chaos spec where it can produce them on demand (5xx, timeout, 429, token
expiry). Two are injected by a wrapping transport instead, each for a stated reason: a truncated JSON body
(chaos ``malformed`` picks at random between a truncated body and an HTML 502) and a 403 for backends
whose emulator has no principal that lacks a permission.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from urllib.parse import unquote_plus

import httpx
import pytest

from isptui.errors import (
    AuthFailed,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReadOnlyViolation,
    RequestTimeout,
    ServerError,
    ValidationFailed,
)
from isptui.model import Page, PageRequest, Record, ResourceRef
from isptui.sandbox import Sandbox
from isptui.sandbox.dataset import Subscriber, subscriber
from isptui.sandbox.recorder import ReceivedRequest
from isptui.sandbox.serve import serving_each
from tests.backends.conftest import CUSTOMERS, Case, Connect, case_for, contract_names

pytestmark = pytest.mark.parametrize("case", contract_names(), indirect=True)


@pytest.fixture
def case(request: pytest.FixtureRequest) -> Case:
    return case_for(request.param)


@pytest.fixture
def sandbox(case: Case) -> Sandbox:
    """The case's own sandbox (``connected`` uses it), ``CUSTOMERS`` subscribers, seed 1."""
    return case.make_sandbox(customers=CUSTOMERS)


def skip_unless(case: Case, check: str) -> None:
    if check in case.unsupported:
        pytest.skip(f"{case.name}: {case.unsupported[check]}")


def sub(n: int) -> Subscriber:
    """Subscriber ``n`` of the sandbox's dataset (seed 1), the truth every backend describes."""
    return subscriber(1, n)


class OneShot(httpx.AsyncBaseTransport):
    """Wraps the sandbox transport; the next non-auth request after ``arm`` gets a doctored answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport, case: Case) -> None:
        self.inner, self.case = inner, case
        self.mode: str | None = None
        self.hit: httpx.Request | None = None

    def arm(self, mode: str) -> None:
        self.mode = mode

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Any method: some APIs read with POST (Carbon) or GET with a body (Trisul).
        mode = None if self.case.is_auth(request.url.path) else self.mode
        if mode is None:
            return await self.inner.handle_async_request(request)
        self.mode, self.hit = None, request
        if mode == "forbidden":
            return httpx.Response(403, json={"detail": "You do not have permission to perform this action."},
                                  request=request)
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        return httpx.Response(200, content=body[: len(body) // 2],
                              headers={"content-type": "application/json"}, request=request)


# -- reading ---------------------------------------------------------------------------------------
async def test_connect_and_discover(case: Case, connected: Connect) -> None:
    async with connected(case.name) as backend:
        entries = await backend.discover()
    keys = [e.key for e in entries]
    assert case.collection.collection in keys and case.crud.collection in keys
    assert all(e.title and e.group for e in entries)


@pytest.mark.parametrize("offset, count", [(0, 20), (100, 20), (CUSTOMERS - 10, 10)],
                         ids=["first", "middle", "last"])
async def test_list_pages(case: Case, connected: Connect, offset: int, count: int) -> None:
    async with connected(case.name) as backend:
        page = await backend.list(case.collection, PageRequest(offset=offset, limit=20))
    assert page.total == CUSTOMERS and page.offset == offset
    assert [r.title for r in page.items] == [case.title(sub(n)) for n in range(offset + 1, offset + count + 1)]
    assert page.has_more == (offset + count < CUSTOMERS)


async def test_next_cursor_continues_where_the_page_ended(case: Case, connected: Connect) -> None:
    async with connected(case.name) as backend:
        first = await backend.list(case.collection, PageRequest(limit=5))
        assert first.next_cursor is not None
        second = await backend.list(case.collection, PageRequest(limit=5, cursor=first.next_cursor))
    assert [r.title for r in second.items] == [case.title(sub(n)) for n in range(6, 11)]


async def test_get_known_record(case: Case, connected: Connect) -> None:
    async with connected(case.name) as backend:
        record = await backend.get(case.known)
    assert record.id == case.known.id and record.title == case.title(sub(1))
    assert isinstance(record.raw, dict) and list(record.fields)
    # A Django-serialised object (Carbon) holds its fields under "fields", beside pk and model.
    raw = record.raw["fields"] if set(record.raw) == {"pk", "model", "fields"} else record.raw
    assert all(raw[k] == v for k, v in record.fields.items())


async def test_follow_a_link(case: Case, connected: Connect) -> None:
    skip_unless(case, "follow")
    async with connected(case.name) as backend:
        record = await backend.get(case.known)
        link = next(link for link in record.links if link.rel == case.link_rel)
        target = await backend.follow(link)
    if isinstance(target, Page):
        assert target.items
    else:
        assert isinstance(target, Record) and target.fields


async def test_schema_is_served_and_cached(case: Case, connected: Connect, sandbox: Sandbox) -> None:
    async with connected(case.name) as backend:
        schema = await backend.schema(case.crud)
        sent = len(sandbox.received)
        again = await backend.schema(case.crud)
        assert len(sandbox.received) == sent  # served from the per-connection cache
    assert schema.fields and again == schema
    for name in case.create:
        assert schema.field(name) is not None, name


async def test_filter_runs_on_the_server(case: Case, connected: Connect, sandbox: Sandbox) -> None:
    skip_unless(case, "filter")
    text = case.filter(sub(2))
    async with connected(case.name) as backend:
        spec = backend.filter_spec(case.collection)
        page = await backend.list(case.collection, PageRequest(filter=text))
    assert spec.server_side and spec.hint
    assert [r.title for r in page.items] == [case.title(sub(2))]
    value = text.split("=", 1)[1]
    # In the query of a GET, or in the form of a Carbon call, which is a POST.
    assert any(value in r.query or value in r.body.decode("utf-8", "replace") for r in sandbox.received)


# -- writing ---------------------------------------------------------------------------------------
async def test_create_get_update_get_delete(case: Case, connected: Connect) -> None:
    field, value = case.update
    async with connected(case.name) as backend:
        created = await backend.create(case.crud, case.create)
        assert created.id is not None
        fetched = await backend.get(created.ref)
        assert all(str(fetched.fields[k]) == str(v) for k, v in case.create.items())
        preview = backend.describe_write("PUT", created.ref, {field: value})
        updated = await backend.update(created.ref, {field: value})
        assert updated.fields[field] == value
        assert (await backend.get(created.ref)).fields[field] == value
        await backend.delete(created.ref)
        with pytest.raises(NotFound):
            await backend.get(created.ref)
    assert created.id in preview[0] and json.dumps(value) in "\n".join(preview)


# -- errors ----------------------------------------------------------------------------------------
async def test_bad_credentials_are_auth_failed(case: Case, connected: Connect) -> None:
    skip_unless(case, "auth")
    with pytest.raises(AuthFailed) as info:
        async with connected(case.name, credentials=case.bad_credentials):
            pass
    wrong = [v for k, v in case.bad_credentials.items() if v != case.credentials.get(k)]
    assert wrong and not any(v in str(info.value) for v in wrong)
    assert info.value.status in case.auth_status


async def test_403_is_permission_denied(case: Case, connected: Connect) -> None:
    skip_unless(case, "403")
    if case.forbidden is not None:
        credentials, ref = case.forbidden
        async with connected(case.name, credentials=credentials) as backend:
            with pytest.raises(PermissionDenied) as info:
                await backend.list(ref)
    else:
        shot: list[OneShot] = []
        async with connected(case.name, wrap=lambda t: shot.append(OneShot(t, case)) or shot[0]) as backend:
            shot[0].arm("forbidden")
            with pytest.raises(PermissionDenied) as info:
                await backend.get(case.known)
    assert info.value.status == 403 and info.value.url


async def test_404_is_not_found(case: Case, connected: Connect) -> None:
    skip_unless(case, "404")
    async with connected(case.name) as backend:
        with pytest.raises(NotFound) as info:
            await backend.get(ResourceRef(collection=case.known.collection, id="999999"))
    # A read: GET everywhere but Carbon, whose objects.get is a POST naming the id in its form.
    assert info.value.method in ("GET", "POST") and info.value.url
    assert "999999" in (info.value.url or "") + info.value.message


async def test_validation_error_names_the_field(case: Case, connected: Connect) -> None:
    async with connected(case.name) as backend:
        with pytest.raises(ValidationFailed) as info:
            await backend.create(case.crud, case.invalid)
    assert case.invalid_field in info.value.field_errors


@pytest.mark.parametrize("chaos, error", [("error_rate=1", ServerError), ("rate_limit=1/min", RateLimited)],
                         ids=["5xx", "429"])
async def test_server_faults_are_typed(case: Case, connected: Connect, chaos: str, error: type) -> None:
    faulty = case.make_sandbox(customers=CUSTOMERS, chaos=chaos)
    with pytest.raises(error) as info:
        async with connected(case.name, sandbox=faulty) as backend:
            await backend.get(case.known)
    assert info.value.status in (429, 500, 503) and info.value.url
    if error is RateLimited:
        assert info.value.retry_after and info.value.retry_after >= 1


async def test_timeout_is_request_timeout(case: Case, connected: Connect) -> None:
    faulty = case.make_sandbox(customers=CUSTOMERS, chaos="timeout_rate=1")
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        async with connected(case.name, sandbox=faulty, timeout=0.3) as backend:
            await backend.get(case.known)
    assert time.monotonic() - started < 5


async def test_truncated_body_is_malformed_response(case: Case, connected: Connect) -> None:
    shot: list[OneShot] = []
    async with connected(case.name, wrap=lambda t: shot.append(OneShot(t, case)) or shot[0]) as backend:
        # Opened once first: Trisul's first open shows the list its connection check fetched; the second
        # open (a refresh) asks every server anew.
        await backend.list(case.collection, PageRequest(limit=5))
        shot[0].arm("truncate")
        with pytest.raises(MalformedResponse) as info:
            await backend.list(case.collection, PageRequest(limit=5))
    assert shot[0].hit is not None and info.value.url


async def test_token_expiry_mid_session_is_renewed(case: Case, connected: Connect) -> None:
    """The adapter believes its token fresh (its clock lags), the server has expired it: renew and resend."""
    skip_unless(case, "token-expiry")
    expiring = case.make_sandbox(customers=CUSTOMERS, chaos="token_ttl=300ms")
    async with connected(case.name, sandbox=expiring, adapter={"clock": lambda: time.time() - 3000}) as backend:
        await backend.get(case.known)
        await asyncio.sleep(0.4)
        record = await backend.get(case.known)
        first, refused, renewal, resent = expiring.received[-4:]
    assert record.title == case.title(sub(1))
    # The expired token was sent once more (no early renewal: the adapter's clock lags), refused, renewed.
    assert first.path == refused.path == resent.path and case.is_auth(renewal.path)
    assert first.headers["authorization"] == refused.headers["authorization"]
    assert resent.headers["authorization"] != refused.headers["authorization"]


# -- over a real socket ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """Each backend's own sandbox on its own port, under one uvicorn server for the module (a start and stop
    per test cost ~0.3 s each). Only the read-only smoke test uses them, so sharing cannot leak a write."""
    names = contract_names()
    with serving_each([case_for(name).make_sandbox(customers=CUSTOMERS).app for name in names]) as urls:
        yield dict(zip(names, urls, strict=True))


async def test_smoke_over_a_real_socket(case: Case, connected: Connect, served: dict[str, str]) -> None:
    async with connected(case.name, url=served[case.name], transport=httpx.AsyncHTTPTransport()) as backend:
        page = await backend.list(case.collection, PageRequest(limit=3))
        record = await backend.get(page.items[0].ref)
    assert [r.title for r in page.items] == [case.title(sub(n)) for n in (1, 2, 3)]
    assert record.title == case.title(sub(1))



async def test_read_only_logs_in_reads_and_sends_no_write(case: Case, connected: Connect, sandbox: Sandbox) -> None:
    skip_unless(case, "read-only")
    async with connected(case.name, read_only=True) as backend:
        page = await backend.list(case.collection, PageRequest(limit=2))
        before = len(sandbox.received)
        with pytest.raises(ReadOnlyViolation):
            await backend.create(case.crud, case.create)
        assert len(sandbox.received) == before
    assert page.items
    assert all(_is_read(r, case) for r in sandbox.received)


CARBON_WRITES = re.compile(r"method\d+=(?:set|save|objects\.create|create|delete|add_payment|set_password)\b")


def _is_read(request: ReceivedRequest, case: Case) -> bool:
    """A request that cannot change anything: a safe method, a login, or a Carbon chain of reads only."""
    if request.method in ("GET", "HEAD", "OPTIONS") or case.is_auth(request.path):
        return True
    body = unquote_plus(request.body.decode("utf-8", "replace"))
    return request.path.startswith("/rest_api/v2/") and not CARBON_WRITES.search(body)
