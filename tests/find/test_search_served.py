"""Find over a real socket: every query kind on every backend, against one sandbox served on 127.0.0.1.

Each backend declares (in its descriptor) how its server searches each kind; a declared kind must find
subscriber 42 with the request the declaration names, and an undeclared one must say "not searchable".
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote_plus

import pytest

from isptui.backends.base import BackendSettings, load_backend
from isptui.backends.registry import descriptor
from isptui.errors import NotSupported
from isptui.find.query import KINDS, NORMALIZERS, recognize
from isptui.find.run import search_connection
from isptui.sandbox import Sandbox, create_sandbox
from isptui.sandbox.dataset import subscriber
from isptui.sandbox.serve import serving_each
from tests.backends.conftest import CASES

BACKENDS = ("splynx", "krill", "ispcrm", "trisul", "carbon")
SUB = subscriber(1, 42)
# The query as an operator might type it (MAC in another notation, phone with its spaces).
QUERY = {"id": "42", "email": SUB.email.upper(), "mac": SUB.mac.upper().replace(":", "-"), "ip": SUB.ipv4,
         "phone": SUB.phone, "login": SUB.login, "name": f"  {SUB.last_name.upper()} "}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = create_sandbox("all", customers=200)
    with serving_each([sandbox.app]) as urls:
        yield sandbox, urls[0].rstrip("/")


def _backend(name: str, url: str):  # noqa: ANN202
    settings = BackendSettings(url=url, credentials=CASES[name].credentials, profile_name=f"t-{name}")
    return load_backend(name)(settings)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", BACKENDS)
async def test_each_kind_on_each_backend(served: tuple[Sandbox, str], name: str, kind: str) -> None:
    sandbox, url = served
    way = descriptor(name).search.get(kind)
    backend = _backend(name, url)
    await backend.connect()
    try:
        sandbox.clear_received()
        if way is None:
            with pytest.raises(NotSupported, match="on this server"):
                await backend.search(kind, QUERY[kind])
            result = await search_connection(f"t-{name}", backend, recognize(QUERY[kind]))
            assert result.state in ("not-searchable", "found", "none")  # other kinds of the text may be declared
            return
        hits = await backend.search(kind, QUERY[kind])
    finally:
        await backend.close()
    assert hits, f"{name} found nothing by {kind}"
    want = NORMALIZERS[kind](QUERY[kind])
    for hit in hits:
        assert hit.connection == f"t-{name}" and hit.collection == way.collection
        if kind == "name":  # contains, case and whitespace aside
            assert want in " ".join(hit.keys["name"].split()).casefold()
        elif kind != "id":
            assert NORMALIZERS[kind](hit.keys[kind])[-9:] == want[-9:]  # type: ignore[index]
    # Subscriber 42 is among them, recognisable by its login or customer id.
    assert any(h.keys.get("login") == SUB.login or h.keys.get("id") == "42" for h in hits)
    if kind == "phone":
        assert len(hits) == 1  # 42's phone is its own (the shared one is 23's and 28's)
    # The server was asked for it (no full scan paged through): one list request naming the value, or the record.
    term = want[-9:] if kind == "phone" else want
    asked = [r for r in sandbox.received if r.method in ("GET", "POST")]
    if name == "trisul":
        assert sum(r.path == "/api/ipdrcustomers" for r in asked) == 1  # one complete list, filtered here
    elif name == "carbon":
        assert any(term in unquote_plus(r.body.decode()).casefold() for r in asked)
    else:
        assert any(term.lower() in unquote_plus(r.query).lower() or r.path.rstrip("/").endswith("/" + term)
                   for r in asked)


async def test_undeclared_kind_is_not_searchable_rather_than_scanned(served: tuple[Sandbox, str]) -> None:
    sandbox, url = served
    backend = _backend("ispcrm", url)
    await backend.connect()
    try:
        sandbox.clear_received()
        result = await search_connection("crm", backend, recognize(SUB.ipv4))
    finally:
        await backend.close()
    assert (result.state, result.hits) == ("not-searchable", ())
    assert "cannot search by ip on this server" in result.message
    assert sandbox.received == []  # not a single request: no silent scan


async def test_a_name_is_never_a_strong_key(served: tuple[Sandbox, str]) -> None:
    """Two people with one surname found by it stay two subscribers (a name joins nobody)."""
    from isptui.find.group import group

    _sandbox, url = served
    backend = _backend("splynx", url)
    await backend.connect()
    try:
        hits = await backend.search("name", SUB.last_name)
    finally:
        await backend.close()
    assert len(hits) > 1 and all(SUB.last_name in h.keys["name"] for h in hits)
    assert len(group(hits)) == len(hits)
