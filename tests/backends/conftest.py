"""Fixtures for the backend tests: the sandbox, a ``connected`` factory and the ONE table of backends.

To add a backend to the contract battery, add one ``Case`` to ``CASES``: its sandbox credentials, a record
every sandbox has, a create payload and a field to update. Where a backend cannot do something, say so in
``unsupported`` with the reason; the battery skips that check for it and prints the reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import pytest

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.model import ResourceRef
from isptui.sandbox import Sandbox, create_sandbox
from isptui.sandbox.dataset import Subscriber

SANDBOX_URL = "http://sandbox.local"
CUSTOMERS = 200


@dataclass(frozen=True)
class Case:
    """What the contract battery needs to know about one backend (all of it from docs/product.md / the dataset)."""

    name: str
    credentials: Mapping[str, str]
    bad_credentials: Mapping[str, str]
    collection: ResourceRef
    """A collection with one row per subscriber (size ``CUSTOMERS``), for paging."""
    known: ResourceRef
    """Subscriber 1's record in ``collection``."""
    title: Callable[[Subscriber], str]
    """The title the known record (and every row of ``collection``) should have."""
    link_rel: str
    """A link of the known record that ``follow`` must resolve."""
    filter: Callable[[Subscriber], str]
    """A filter text that finds exactly that subscriber's row in ``collection``."""
    crud: ResourceRef
    create: Mapping[str, Any]
    update: tuple[str, Any]
    invalid: Mapping[str, Any]
    """A create payload the server must refuse with field errors."""
    invalid_field: str
    forbidden: tuple[Mapping[str, str], ResourceRef] | None = None
    auth_status: tuple[int, ...] = (400, 401, 403)
    """HTTP statuses a refusal of credentials may come with (Trisul answers 200 with an error body)."""
    """Credentials and a collection they may not list (403), when the sandbox has such a principal."""
    unsupported: Mapping[str, str] = field(default_factory=dict)
    """check name -> why this backend cannot be put through it. Names: ``auth`` (bad credentials),
    ``403``, ``token-expiry`` (needs an adapter taking ``clock=`` and a sandbox honouring ``token_ttl``)."""


CASES: dict[str, Case] = {
    "splynx": Case(
        name="splynx",
        credentials={"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "token"},
        bad_credentials={"api_key": "sandbox-key", "api_secret": "wrong-secret", "auth": "token"},
        collection=ResourceRef(collection="customers"),
        known=ResourceRef(collection="customers", id="1"),
        title=lambda sub: sub.name,
        link_rel="invoices",
        filter=lambda sub: f"login={sub.login}",
        crud=ResourceRef(collection="customers"),
        create={"name": "Contract Test", "partner_id": 1, "location_id": 1, "category": "person",
                "login": "contract-test", "status": "new"},
        update=("city", "Contractville"),
        invalid={"name": ""},
        invalid_field="name",
        forbidden=({"api_key": "restricted-key", "api_secret": "restricted-secret", "auth": "basic"},
                   ResourceRef(collection="tickets")),
    ),
    "krill": Case(
        name="krill",
        credentials={"username": "operator", "password": "sandbox"},
        bad_credentials={"username": "operator", "password": "wrong-password"},
        collection=ResourceRef(collection="isp/cpes"),
        known=ResourceRef(collection="isp/cpes", id="1"),
        title=lambda sub: sub.cpe_name,
        link_rel="customer",
        filter=lambda sub: f"cpename={sub.cpe_name}",
        crud=ResourceRef(collection="isp/customers"),
        create={"name": "Contract", "surname": "Test", "external_id": "contract-test", "city": "Leeds"},
        update=("city", "Contractville"),
        invalid={"name": ""},
        invalid_field="name",
        # The Krill emulator has one operator with every permission: 403 is injected (see test_contract).
    ),
    "ispcrm": Case(
        name="ispcrm",
        credentials={"token": "sandbox-token"},
        bad_credentials={"token": "wrong-token"},
        collection=ResourceRef(collection="users"),
        known=ResourceRef(collection="users", id="1"),
        title=lambda sub: sub.name,
        link_rel="profile",
        filter=lambda sub: f"search={sub.login}",
        crud=ResourceRef(collection="users"),
        create={"username": "contract-test", "fullname": "Contract Test", "profile_id": 1,
                "email": "contract@example.net"},
        update=("address", "Contractville"),
        invalid={"username": "", "fullname": "Contract Test", "profile_id": 1},
        invalid_field="username",
        unsupported={"token-expiry": "ISPCRM API tokens are static (docs/ispcrm.md §3)"},
        # The ISPCRM emulator has one token with every permission: 403 is injected (see test_contract).
    ),
    "trisul": Case(
        name="trisul",
        credentials={"username": "sandbox", "api_token": "sandbox-token", "context": "default"},
        bad_credentials={"username": "sandbox", "api_token": "wrong-token", "context": "default"},
        collection=ResourceRef(collection="ipdrcustomers"),
        known=ResourceRef(collection="ipdrcustomers", id="isp00001"),
        title=lambda sub: sub.name,
        link_rel="",
        filter=lambda sub: f"UserID={sub.user_id}",
        crud=ResourceRef(collection="ipdrcustomers"),
        create={"UserID": "CT0001", "Name": "Contract Test", "Email": "contract@example.net"},
        update=("Address", "Contractville"),
        invalid={"UserID": "CT0002", "Name": ""},
        invalid_field="Name",
        auth_status=(200,),  # docs/trisul.md §4.3: errors come with HTTP 200
        unsupported={
            "follow": "Trisul customers carry no links (docs/trisul.md §4.2)",
            "filter": "Trisul cannot filter on the server; the adapter filters its whole list (test_trisul)",
            "token-expiry": "Trisul's API token does not expire",
        },
    ),
    "carbon": Case(
        name="carbon",
        credentials={},
        bad_credentials={},
        collection=ResourceRef(collection="Abonents"),
        known=ResourceRef(collection="Abonents", id="1"),
        title=lambda sub: f"{sub.last_name} {sub.first_name}",
        link_rel="Users",
        filter=lambda sub: f"contract_number=C-{sub.number:06d}",
        crud=ResourceRef(collection="Usluga"),
        create={"name": "Contract Test", "comments": "made by the contract battery", "cost": 9.5},
        update=("comments", "Contractville"),
        invalid={"name": ""},
        invalid_field="name",
        unsupported={
            "auth": "Carbon's REST API v2 has no credentials (docs/carbon.md §5.3)",
            "token-expiry": "Carbon's REST API v2 has no tokens",
        },
    ),
}


class Connect(Protocol):
    def __call__(self, name: str, **overrides: Any) -> contextlib.AbstractAsyncContextManager[Backend]: ...


@pytest.fixture
def sandbox() -> Sandbox:
    """Every emulator behind one in-process app, ``CUSTOMERS`` subscribers, seed 1."""
    return create_sandbox("all", customers=CUSTOMERS)


@pytest.fixture
def connected(sandbox: Sandbox) -> Connect:
    """``async with connected("splynx", **overrides) as backend``: settings from the table, connected.

    Overrides: ``sandbox=`` another Sandbox (e.g. with chaos), ``transport=`` a transport to use instead,
    ``wrap=`` a function wrapping the sandbox transport, ``credentials=``, ``adapter=`` keyword arguments for
    the adapter class (e.g. ``clock``), and any BackendSettings field (``timeout``, ``read_only``, …).
    Retries default to 0 so error checks see the first answer; pass ``retries=`` to change that.
    """

    @contextlib.asynccontextmanager
    async def factory(name: str, *, sandbox: Sandbox | None = None, transport: httpx.AsyncBaseTransport | None = None,
                      wrap: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
                      credentials: Mapping[str, str] | None = None, adapter: Mapping[str, Any] | None = None,
                      **settings: Any) -> AsyncIterator[Backend]:
        chosen = sandbox or default
        inner = transport or chosen.transport()
        settings.setdefault("retries", 0)
        backend_settings = BackendSettings(url=settings.pop("url", SANDBOX_URL),
                                           credentials=dict(credentials or CASES[name].credentials),
                                           transport=wrap(inner) if wrap else inner, **settings)
        backend = load_backend(name)(backend_settings, **dict(adapter or {}))
        await backend.connect()
        try:
            yield backend
        finally:
            await backend.close()

    default = sandbox
    return factory
