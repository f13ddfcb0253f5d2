"""The plumbing the adapters share (HttpBackend) and the fast paths of listing (trusted models, link templates)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from isptui.backends.base import BackendSettings, load_backend
from isptui.backends.carbon.links import Decorator
from isptui.backends.carbon.mapping import ModelInfo
from isptui.errors import AuthFailed, ConnectionFailed
from isptui.model import Capabilities, Link, PageRequest, Record, ResourceRef
from isptui.sandbox import Sandbox
from tests.backends.conftest import CASES, SANDBOX_URL, Connect

VENDOR_NAMES = {"splynx": "Splynx", "krill": "Krill", "ispcrm": "ISPCRM", "trisul": "Trisul"}


def test_trusted_builds_what_the_constructor_builds() -> None:
    target = dict(href="admin/finance/invoices?main_attributes[customer_id]=7", collection="invoices")
    fast = Link.trusted(rel="invoices", href="admin/x", title="Invoices", target=ResourceRef.trusted(**target))
    slow = Link(rel="invoices", href="admin/x", title="Invoices", target=ResourceRef(**target))
    assert fast == slow and repr(fast) == repr(slow) and fast.model_fields_set == slow.model_fields_set
    one = Record.trusted(ref=ResourceRef.trusted(collection="customers", id="7"), title="Ann")
    two = Record.trusted(ref=ResourceRef.trusted(collection="customers", id="8"), title="Bob")
    assert one == Record(ref=ResourceRef(collection="customers", id="7"), title="Ann")
    assert one.fields == {} and one.fields is not two.fields  # a default factory runs per instance
    assert one.capabilities == Capabilities() and one.model_dump() == Record.model_validate(one.model_dump()).model_dump()
    # model_copy updates the copy's fields set, so it must be a set of its own.
    assert one.model_copy(update={"title": "Ann B."}).title == "Ann B." and one.title == "Ann"


def test_trusted_refuses_names_the_model_does_not_have() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        Link.trusted(rel="x", href="y", colour="red")
    with pytest.raises(TypeError, match="needs href"):
        Link.trusted(rel="x")


@pytest.mark.parametrize("name", sorted(VENDOR_NAMES))
async def test_a_refused_login_leaves_the_adapter_closed(name: str, sandbox: Sandbox) -> None:
    case = CASES[name]
    backend = load_backend(name)(BackendSettings(url=SANDBOX_URL, credentials=case.bad_credentials,
                                                 transport=sandbox.transport(), retries=0))
    with pytest.raises(AuthFailed):
        await backend.connect()
    with pytest.raises(ConnectionFailed, match=f"^not connected to {VENDOR_NAMES[name]}; connect first$"):
        if name == "ispcrm":  # ISPCRM knows its collections only from the root it could not read
            await backend.get(ResourceRef(href=f"{SANDBOX_URL}/api/v1/users/1", id="1"))
        else:
            await backend.list(case.collection)


@pytest.mark.parametrize("name", ["splynx", "ispcrm", "carbon"])
async def test_a_listed_record_has_the_links_and_actions_of_the_opened_one(name: str, connected: Connect) -> None:
    case = CASES[name]
    async with connected(name) as backend:
        page = await backend.list(case.collection, PageRequest(limit=5))
        listed = page.items[2]
        opened = await backend.get(listed.ref)
    assert listed.links and listed.links == opened.links
    assert listed.actions == opened.actions and listed.title == opened.title


def test_carbon_link_urls_are_encoded_as_urlencode_would() -> None:
    base = "http://billing.example/rest_api/v2/"
    decorate = Decorator(base, {"Abonents": ModelInfo("Abonents"), "Users": ModelInfo("Users")})
    links, _ = decorate("Abonents", "a b/ж", {"tarif": 1127})
    by_rel = {link.rel: link for link in links}
    assert by_rel["tarif"].href == f"{base}Tarif/?{urlencode({'pk': '1127'})}"
    assert by_rel["tarif"].target == ResourceRef(collection="Tarif", id="1127")
    users = by_rel["Users"]
    assert users.href == f"{base}Users/?{urlencode({'abonent__pk': 'a b/ж'})}"
    assert users.target == ResourceRef(collection="Users", href=users.href)
    # A record whose FK holds no pk gets no link to it.
    assert "tarif" not in {link.rel for link in decorate("Abonents", "5", {"tarif": None})[0]}


@pytest.mark.parametrize("name", ["splynx", "ispcrm"])
async def test_a_page_repeating_the_first_keeps_only_the_rows_new_from_its_offset(name: str) -> None:
    """ignores-offset: a first page of 10, then 25 asked at offset 10. The server sends rows 1-25 again; the
    shared list wrapper keeps rows 11-25 (new, and really at offset 10), says offset_ignored and ends."""
    from isptui.sandbox import create_sandbox
    from isptui.sandbox.dataset import subscriber

    case = CASES[name]
    sandbox = create_sandbox(name, customers=40, quirks="ignores-offset")
    backend = load_backend(name)(BackendSettings(url=SANDBOX_URL, credentials=dict(case.credentials),
                                                 transport=sandbox.transport(), retries=0))
    async with backend:
        first = await backend.list(case.collection, PageRequest(limit=10))
        later = await backend.list(case.collection, PageRequest(offset=10, limit=25))
        again = await backend.list(case.collection, PageRequest(limit=10))
    assert not first.offset_ignored and first.has_more and not again.offset_ignored
    titles = [r.title for r in (*first.items, *later.items)]
    assert (later.offset_ignored, later.has_more, later.offset, later.total) == (True, False, 10, 40)
    assert titles == [case.title(subscriber(1, n)) for n in range(1, 26)]
