"""Carbon adapter: the method-chain form, envelopes with FK expansion, pk-window paging, actions, read-only.

Envelope samples are those quoted in docs/carbon.md §5.2 and A.9; paging, actions and read-only run
against the sandbox, asserting what the server received.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx
import pytest

from isptui.backends.base import BackendSettings
from isptui.backends.carbon import CarbonBackend
from isptui.backends.carbon.chain import Chain
from isptui.errors import MalformedResponse, NotFound, ReadOnlyViolation, ValidationFailed
from isptui.model import PageRequest, ResourceRef
from isptui.sandbox import Sandbox
from isptui.sandbox.dataset import subscriber
from tests.backends.conftest import Connect

URL = "http://carbon.test:8082"
ABONENT = {"pk": 45, "model": "Abonents", "fields": {
    "name": "Ivanov Ivan", "tarif": {"pk": 1127, "model": "Tarif", "fields": {"name": "Home 100"}},
    "tarif_id": 1127, "balance": 12.5}}


def form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


def mock(answers: dict[str, object], seen: list[httpx.Request]) -> httpx.MockTransport:
    """GET of the root answers HTML (its format is unknown); POSTs answer by their method1."""
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        call = request.url.path
        if request.method == "GET":
            return httpx.Response(200, text="<html><title>API</title></html>", headers={"content-type": "text/html"})
        fields = form(request)
        body = answers.get(fields.get("method1", "version"), {"result": {"version": "5"}})
        return httpx.Response(200, json={"call": call, **body})  # type: ignore[dict-item]

    return httpx.MockTransport(handler)


def backend(transport: httpx.AsyncBaseTransport, **settings: object) -> CarbonBackend:
    return CarbonBackend(BackendSettings(url=URL, transport=transport, retries=0, **settings))  # type: ignore[arg-type]


def test_a_chain_renders_every_method_with_its_argument() -> None:
    chain = Chain("Abonents").get(pk=45).set(tarif_next_id="1132", tarif_next_date="2021-03-01").save()
    assert chain.form() == [("method1", "objects.get"), ("arg1", '{"pk":45}'), ("method2", "set"),
                            ("arg2", '{"tarif_next_id":"1132","tarif_next_date":"2021-03-01"}'),
                            ("method3", "save"), ("arg3", "{}")]
    assert Chain("Users").filter(abonent__pk="1").fields(["login"]).form()[-1] == ("fields", '["login"]')
    assert chain.writes and not Chain("Users").filter().count().writes


async def test_a_get_with_fk_expansion_becomes_a_record_with_a_link() -> None:
    seen: list[httpx.Request] = []
    async with backend(mock({"objects.get": {"result": ABONENT}}, seen)) as carbon:
        record = await carbon.get(ResourceRef(collection="Abonents", id="45"))
    assert record.title == "Ivanov Ivan" and record.raw == ABONENT and record.fields["balance"] == 12.5
    tarif = next(link for link in record.links if link.rel == "tarif")
    assert tarif.target == ResourceRef(collection="Tarif", id="1127")
    assert {"Users", "UsersUsluga", "FinanceOperations"} <= {link.rel for link in record.links}
    sent = form(seen[-1])
    assert seen[-1].url.path == "/rest_api/v2/Abonents/" and sent["method1"] == "objects.get"
    assert json.loads(sent["arg1"]) == {"pk": "45"}
    # The root was an HTML page, so the documented Version call proved the server instead.
    assert form(seen[1]) == {"get_version": "True"} and seen[1].url.path == "/rest_api/v2/Version/"


@pytest.mark.parametrize("error, kind, field", [
    ("Abonents matching query does not exist.", NotFound, None),
    ("Abonents: field 'name' cannot be blank.", ValidationFailed, "name"),
])
async def test_the_error_envelope_is_typed(error: str, kind: type, field: str | None) -> None:
    async with backend(mock({"objects.get": {"error": error}}, [])) as carbon:
        with pytest.raises(kind) as info:
            await carbon.get(ResourceRef(collection="Abonents", id="45"))
    assert error in info.value.message and info.value.method == "POST"
    if field:
        assert field in info.value.field_errors


def _windows(sandbox: Sandbox) -> list[dict[str, object]]:
    args = []
    for r in sandbox.received:
        if r.method == "POST" and r.path.endswith("/Abonents/"):
            sent = dict(parse_qsl(r.body.decode()))
            args.append(json.loads(sent.get("arg1", "{}")))
    return args


async def test_pages_are_pk_windows_and_survive_gaps(connected: Connect, sandbox: Sandbox) -> None:
    names = [f"{subscriber(1, n).last_name} {subscriber(1, n).first_name}" for n in range(1, 201)]
    ref = ResourceRef(collection="Abonents")
    async with connected("carbon") as carbon:
        for pk in (3, 4, 150):
            await carbon.delete(ResourceRef(collection="Abonents", id=str(pk)))
        kept = [name for n, name in enumerate(names, start=1) if n not in (3, 4, 150)]
        sandbox.clear_received()
        first = await carbon.list(ref, PageRequest(limit=10))
        later = await carbon.list(ref, PageRequest(offset=150, limit=10))
        follow = await carbon.list(ref, PageRequest(limit=10, cursor=first.next_cursor))
    assert first.total == 197 and [r.title for r in first.items] == kept[:10]
    assert [r.title for r in later.items] == kept[150:160]
    assert [r.title for r in follow.items] == kept[10:20]
    # Every row request named a pk window: no call read the whole model.
    reads = [a for a in _windows(sandbox) if any(k.startswith("pk__gte") for k in a)]
    assert reads and all("pk__lt" in a for a in reads)


async def test_a_filter_travels_in_the_form(connected: Connect, sandbox: Sandbox) -> None:
    async with connected("carbon") as carbon:
        page = await carbon.list(ResourceRef(collection="Abonents"), PageRequest(filter="contract_number=C-000002"))
    assert [r.id for r in page.items] == ["2"] and page.total == 1
    assert {"contract_number": "C-000002"} in _windows(sandbox)


async def test_actions_pay_recalculate_promise_and_set_a_password(connected: Connect) -> None:
    async with connected("carbon") as carbon:
        abonent = await carbon.get(ResourceRef(collection="Abonents", id="1"))
        acts = {a.name: a for a in abonent.actions}
        paid = await carbon.invoke(abonent, acts["add_payment"], {"SUM_IN": "600"})
        promised = await carbon.invoke(abonent, acts["promised_payment"], {"end_time": "2030-01-01 00:00:00"})
        again = await carbon.invoke(abonent, acts["recalculate"])
        user = await carbon.get(ResourceRef(collection="Users", id="1"))
        set_password = next(a for a in user.actions if a.name == "set_password")
        assert set_password.parameters[0].secret
        await carbon.invoke(user, set_password, {"psw": "n3w-secret"})
        checked = await carbon.run(Chain("Users").get(pk=1).call("check_pass", {"passwd": "n3w-secret"}))
        payments = await carbon.list(ResourceRef(collection="FinanceOperations"), PageRequest(filter="abonent_id=1"))
    assert paid.fields["balance"] == pytest.approx(abonent.fields["balance"] + 600)
    assert promised.ref.collection == "UsersUsluga" and promised.fields["usluga"] == 3
    assert again.fields["need_recalc"] == 1 and checked is True and payments.total == 2


async def test_read_only_sends_reads_and_refuses_writes_before_sending(connected: Connect, sandbox: Sandbox) -> None:
    async with connected("carbon", read_only=True) as carbon:
        page = await carbon.list(ResourceRef(collection="Abonents"), PageRequest(limit=2))
        sent = len(sandbox.received)
        with pytest.raises(ReadOnlyViolation):
            await carbon.update(page.items[0].ref, {"comment": "x"})
        with pytest.raises(ReadOnlyViolation):
            await carbon.invoke(page.items[0], page.items[0].actions[0], {"SUM_IN": "1"})
        assert len(sandbox.received) == sent
    methods = {m for r in sandbox.received if r.method == "POST"
               for k, m in parse_qsl(r.body.decode()) if k.startswith("method")}
    assert methods and methods <= {"objects.filter", "count", "exists"}


async def test_describe_write_shows_the_chain_with_secrets_masked(connected: Connect) -> None:
    async with connected("carbon") as carbon:
        lines = carbon.describe_write("PATCH", ResourceRef(collection="Users", id="7"), {"password": "hunter22"})
    assert lines[0].startswith("POST http://sandbox.local/rest_api/v2/Users/") and "Users 7" in lines[0]
    assert "method3=save" in lines and "hunter22" not in "\n".join(lines)


async def test_a_truncated_answer_to_a_post_is_malformed() -> None:
    whole = json.dumps({"call": "/rest_api/v2/Abonents/", "result": ABONENT}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(404)
        if "get_version" in request.content.decode():
            return httpx.Response(200, json={"call": "/rest_api/v2/Version/", "result": {"version": "5"}})
        return httpx.Response(200, content=whole[: len(whole) // 2], headers={"content-type": "application/json"})

    async with backend(httpx.MockTransport(handler)) as carbon:
        with pytest.raises(MalformedResponse) as info:
            await carbon.get(ResourceRef(collection="Abonents", id="45"))
    assert "truncated" in info.value.message and info.value.url == URL + "/rest_api/v2/Abonents/"


@pytest.mark.parametrize("typed, sent", [("100", "100"), (" 12.50 ", "12.50"), (100.0, "100"), (12.5, "12.5")])
async def test_a_payment_amount_is_sent_as_typed(connected: Connect, sandbox: Sandbox, typed: object,
                                                 sent: str) -> None:
    async with connected("carbon") as carbon:
        abonent = await carbon.get(ResourceRef(collection="Abonents", id="1"))
        pay = next(a for a in abonent.actions if a.name == "add_payment")
        await carbon.invoke(abonent, pay, {"SUM_IN": typed})
    form = dict(parse_qsl(sandbox.received[-1].body.decode()))
    assert json.loads(form["arg2"]) == {"SUM_IN": sent}


@pytest.mark.parametrize("listing", [
    {"call": "/rest_api/v2/", "result": ["Abonents", "Users"]},
    {"call": "/rest_api/v2/", "result": [{"name": "Abonents", "fields": ["id", "name"]}, {"name": "Users"}]},
    {"Abonents": {"fields": {"id": {}, "name": {}}}, "Users": {}},
], ids=["names", "objects", "bare-map"])
async def test_any_listing_shape_gives_the_models_it_names(listing: object) -> None:
    """Unknown listing shape (vendor-apis.md §5.4): a server that answers it in another shape still lists."""

    async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        body = json.dumps(listing).encode()
        await send({"type": "http.response.start", "status": 200,  # type: ignore[operator]
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})  # type: ignore[operator]

    carbon = CarbonBackend(BackendSettings(url="http://carbon.test", credentials={},
                                           transport=httpx.ASGITransport(app=app), retries=0))
    await carbon.connect()
    try:
        keys = [e.key for e in await carbon.discover()]
    finally:
        await carbon.close()
    assert keys == ["Abonents", "Users"]
