"""The Krill adapter against the Krill sandbox's quirk variants (isptui/sandbox/quirks.py): what the server
answers under each variant, and what the adapter sent to get its work done (issue 14, part B)."""

from __future__ import annotations

import json

import httpx
import pytest

from isptui.backends.base import BackendSettings
from isptui.backends.krill import KrillBackend
from isptui.errors import MethodRefused
from isptui.model import Action, PageRequest, Record, ResourceRef
from isptui.sandbox import create_sandbox

URL = "http://krill.test"
CREDS = {"username": "operator", "password": "sandbox"}


class Recording(httpx.AsyncBaseTransport):
    """The sandbox in-process, keeping (method, path, status) of every exchange."""

    def __init__(self, quirks: str) -> None:
        self.inner = create_sandbox("krill", customers=30, quirks=quirks).transport()
        self.seen: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.seen.append((request.method, request.url.path, response.status_code))
        return response


def _backend(transport: Recording) -> KrillBackend:
    creds = dict(CREDS)
    return KrillBackend(BackendSettings(url=URL, credentials=creds, transport=transport, retries=0))


async def _raw(quirks: str, method: str, path: str) -> httpx.Response:
    """One request to the variant, logged in, not through the adapter."""
    async with httpx.AsyncClient(transport=create_sandbox("krill", customers=30, quirks=quirks).transport(),
                                 base_url="http://krill.test") as client:
        token = (await client.post("/api/v2/auth/login/", data=CREDS)).json()["access"]
        return await client.request(method, path, headers={"Authorization": f"Bearer {token}"})


async def test_append_slash_variant_redirects_slashless_paths_and_the_adapter_never_needs_it() -> None:
    answer = await _raw("drf-append-slash", "GET", "/api/v2/isp/customers")
    assert (answer.status_code, answer.headers["location"]) == (301, "/api/v2/isp/customers/")
    root = (await _raw("drf-append-slash", "GET", "/api/v2/isp/")).json()
    assert not root["customers"].endswith("/")
    transport = Recording("drf-append-slash")
    async with _backend(transport) as backend:
        await backend.discover()
        page = await backend.list(ResourceRef(collection="isp/customers"), PageRequest(limit=5))
        created = await backend.create(ResourceRef(collection="isp/customers"),
                                       {"name": "Slash", "surname": "Test", "city": "Leeds"})
        await backend.update(created.ref, {"city": "York"})
    assert len(page.items) == 5
    assert [s for s in transport.seen if s[2] in (301, 500)] == []
    assert all(path.endswith("/") for _, path, _ in transport.seen)


async def test_patch_405_variant_refuses_patch_naming_put_and_put_works() -> None:
    # The adapter does not switch verbs on its own: the one write path offers the other verb with a fresh
    # preview (isptui/edit/editor.py other_verb); here the 405 must name PUT and the PUT must work.
    assert (await _raw("patch-405", "PATCH", "/api/v2/isp/customers/1/")).status_code == 405
    transport = Recording("patch-405")
    ref = ResourceRef(collection="isp/customers", id="2")
    async with _backend(transport) as backend:
        with pytest.raises(MethodRefused) as refused:
            await backend.update(ref, {"city": "York"})
        current = await backend.get(ref)
        body = {k: v for k, v in current.fields.items() if k in ("name", "surname", "external_id", "realm")}
        updated = await backend.update(ref, {**body, "city": "York"}, partial=False)
    assert "PUT" in refused.value.allow and updated.fields["city"] == "York"
    writes = [(m, s) for m, p, s in transport.seen if m in ("PATCH", "PUT")]
    assert writes == [("PATCH", 405), ("PUT", 200)]


async def test_action_post_only_variant_action_goes_as_post_and_a_get_is_refused_naming_post() -> None:
    assert (await _raw("action-post-only", "GET", "/api/v2/isp/cpes/1/reboot/")).status_code == 405
    transport = Recording("action-post-only")
    async with _backend(transport) as backend:
        record = await backend.get(ResourceRef(collection="isp/cpes", id="1"))
        reboot = next(a for a in record.actions if a.name == "reboot")
        await backend.invoke(record, reboot)
        with pytest.raises(MethodRefused) as refused:
            await backend.invoke(record, Action(name=reboot.name, method="GET", href=reboot.href))
    assert refused.value.allow and "POST" in refused.value.allow
    sent = [(m, s) for m, p, s in transport.seen if p.endswith("/reboot/")]
    assert sent == [("POST", 200), ("GET", 405)]


async def test_ignores_paging_variant_keeps_every_row_and_pages_them_without_asking_again() -> None:
    transport = Recording("ignores-paging")
    ref = ResourceRef(collection="isp/customers")
    async with _backend(transport) as backend:
        first = await backend.list(ref, PageRequest(limit=10))
        asked = len(transport.seen)
        rest = [await backend.list(ref, PageRequest(offset=n, limit=10)) for n in (10, 20)]
    assert (first.whole, len(first.items), first.has_more, first.total) == (True, 10, True, 30)
    assert [len(p.items) for p in rest] == [10, 10] and not rest[-1].has_more
    ids = [r.id for p in (first, *rest) for r in p.items]
    assert len(set(ids)) == 30
    assert len(transport.seen) == asked  # the later pages were cut from what the server sent


async def test_ignores_paging_variant_answers_page_0_asked_again_from_the_kept_rows() -> None:
    """Home after paging far (the table let page 0 go) is not a refresh: ``again`` pages from the kept rows
    (issue 15 item 9); an open or a refresh (offset 0 without it) asks the server anew."""
    transport = Recording("ignores-paging")
    ref = ResourceRef(collection="isp/customers")
    async with _backend(transport) as backend:
        first = await backend.list(ref, PageRequest(limit=10))
        await backend.list(ref, PageRequest(offset=20, limit=10))
        asked = len(transport.seen)
        home = await backend.list(ref, PageRequest(limit=10, again=True))
        after_home = len(transport.seen)
        await backend.list(ref, PageRequest(limit=10))
    assert [r.id for r in home.items] == [r.id for r in first.items] and after_home == asked
    assert len(transport.seen) == asked + 1


async def test_detail_options_only_variant_form_comes_from_the_detail_url() -> None:
    options = (await _raw("drf-detail-options-only", "OPTIONS", "/api/v2/isp/customers/")).json()
    assert "POST" not in options.get("actions", {})
    transport = Recording("drf-detail-options-only")
    async with _backend(transport) as backend:
        schema = await backend.schema(ResourceRef(collection="isp/customers"))
    assert schema.source == "OPTIONS" and not schema.inferred
    ident = schema.field("id")
    assert ident is not None and ident.read_only
    assert any(m == "OPTIONS" and p.rstrip("/").split("/")[-1].isdigit() for m, p, _ in transport.seen)


@pytest.mark.parametrize("quirks", ["", "drf-append-slash"])
async def test_one_login_and_one_root_read_per_session(quirks: str) -> None:
    transport = Recording(quirks)
    async with _backend(transport) as backend:
        await backend.discover()
        await backend.list(ResourceRef(collection="isp/customers"), PageRequest(limit=5))
    logins = [s for s in transport.seen if s[1] == "/api/v2/auth/login/"]
    roots = [s for s in transport.seen if s[:2] == ("GET", "/api/v2/")]
    assert (len(logins), len(roots)) == (1, 1)


async def test_string_ids_and_null_sort_values_variants_are_what_the_battery_meets() -> None:
    ids = (await _raw("string-ids", "GET", "/api/v2/isp/customers/?limit=2")).json()["results"]
    assert [row["id"] for row in ids] == ["1", "2"]
    rows = (await _raw("null-sort-values", "GET", "/api/v2/isp/customers/?limit=30&sort=city")).json()["results"]
    cities = [row["city"] for row in rows]
    assert cities.count(None) == 10 and cities[-10:] == [None] * 10
    transport = Recording("string-ids")
    async with _backend(transport) as backend:
        page = await backend.list(ResourceRef(collection="isp/customers"), PageRequest(limit=3))
        again = await backend.get(page.items[0].ref)
    assert [r.id for r in page.items] == ["1", "2", "3"] and again.id == "1"


async def test_pk_zero_variant_customer_zero_is_read_by_its_pk() -> None:
    first = (await _raw("pk-zero", "GET", "/api/v2/isp/customers/?limit=1")).json()["results"][0]
    assert first["id"] == 0 and (await _raw("pk-zero", "GET", "/api/v2/isp/customers/1/")).status_code == 404
    async with _backend(Recording("pk-zero")) as backend:
        page = await backend.list(ResourceRef(collection="isp/customers"), PageRequest(limit=3))
        zero = await backend.get(page.items[0].ref)
    assert (page.items[0].id, zero.id, zero.fields["name"]) == ("0", "0", first["name"])


async def test_a_put_from_update_never_carries_a_field_drf_marks_read_only() -> None:
    """patch-405 + drf-detail-options-only: ``update`` sends a PUT of the current fields with the change;
    the read-only ones (from the record's OPTIONS, asked even when no form asked for the schema) stay out."""
    sandbox = create_sandbox("krill", customers=5, quirks="patch-405,drf-detail-options-only")
    backend = KrillBackend(BackendSettings(url=URL, credentials=dict(CREDS), transport=sandbox.transport(),
                                           retries=0))
    async with backend:
        cpe = (await backend.list(ResourceRef(collection="isp/cpes"), PageRequest(limit=1))).items[0]
        await backend.get(cpe.ref)  # its Allow (no PATCH) is what makes update send a PUT
        sandbox.clear_received()
        await backend.update(cpe.ref, {"notes": "locked stays out"})
        locked = {f.name for f in (await backend.schema(ResourceRef(collection="isp/cpes"))).fields
                  if f.read_only}
    puts = [json.loads(r.body) for r in sandbox.received if r.method == "PUT"]
    assert len(puts) == 1 and puts[0]["notes"] == "locked stays out"
    assert {"has_tr069", "internal_id", "tech_updated"} <= locked
    assert not locked & set(puts[0]), f"read-only fields sent: {sorted(locked & set(puts[0]))}"


async def test_a_record_reached_through_a_link_is_read_at_its_own_url_and_can_be_edited() -> None:
    """``cpes/1/customer`` is a nested route that allows only GET; the customer it answers is read again at
    ``customers/1`` (the same record), where the server allows editing — and a save goes there."""
    transport = Recording("")
    async with _backend(transport) as backend:
        await backend.discover()
        cpe = await backend.get(ResourceRef(collection="isp/cpes", id="1"))
        link = next(link for link in cpe.links if link.rel == "customer")
        customer = await backend.follow(link)
        assert isinstance(customer, Record)
        assert (customer.ref.collection, customer.ref.id, customer.capabilities.can_update) == (
            "isp/customers", "1", True)
        assert "name" in (await backend.schema(customer.ref)).names
        await backend.update(customer.ref, {"comment": "via the CPE"})
    sent = [(method, path) for method, path, _status in transport.seen if method == "PATCH"]
    assert sent == [("PATCH", "/api/v2/isp/customers/1/")]
