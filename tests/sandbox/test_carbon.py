"""Wire format of the Carbon Billing REST API v2 emulator: form-encoded method chains, envelopes, lookups."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from isptui.sandbox.carbon import create_app
from isptui.sandbox.dataset import TARIFFS, Dataset, Subscriber
from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.store import Collection


def _client(dataset: Dataset) -> httpx.AsyncClient:
    app = create_app(SandboxOptions(dataset=dataset))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.local")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(Dataset(customers=30)) as c:
        yield c


async def rpc(client: httpx.AsyncClient, model: str, *steps: tuple[str, Any], fields: list[str] | None = None,
              **extra: str) -> dict[str, Any]:
    """POST one chain as the official client does (form fields, JSON-encoded args) and return the body."""
    data: dict[str, str] = dict(extra)
    for n, (method, arg) in enumerate(steps, start=1):
        data[f"method{n}"] = method
        data[f"arg{n}"] = json.dumps(arg)
    if fields is not None:
        data["fields"] = json.dumps(fields)
    resp = await client.post(f"/rest_api/v2/{model}/", data=data)
    assert resp.status_code == 200
    body = resp.json()
    assert body["call"] == f"/rest_api/v2/{model}/"
    return body


async def result(client: httpx.AsyncClient, model: str, *steps: tuple[str, Any], **kw: Any) -> Any:
    body = await rpc(client, model, *steps, **kw)
    assert "error" not in body, body
    return body["result"]


async def error(client: httpx.AsyncClient, model: str, *steps: tuple[str, Any], **kw: Any) -> str:
    body = await rpc(client, model, *steps, **kw)
    assert "result" not in body and body["error"], body
    return str(body["error"])


def sub(n: int) -> Subscriber:
    return Dataset(customers=30).subscriber(n)


async def test_filter_returns_objects_of_every_abonent(client: httpx.AsyncClient) -> None:
    rows = await result(client, "Abonents", ("objects.filter", {"is_folder": 0}))
    assert [r["pk"] for r in rows] == list(range(1, 31))
    first = rows[0]
    assert first["model"] == "Abonents"
    assert first["fields"]["name"] == f"{sub(1).last_name} {sub(1).first_name}"
    assert first["fields"]["balance"] == float(sub(1).balance)
    assert first["fields"]["tarif"] == sub(1).tariff_id  # default output: the FK as its pk
    assert "password" not in json.dumps(rows)


async def test_get_with_fields_in_each_foreign_key_form(client: httpx.AsyncClient) -> None:
    got = await result(client, "Abonents", ("objects.get", {"id": "8"}),
                       fields=["tarif_id", "tarif__name", "name", "id"])
    tariff = TARIFFS[sub(8).tariff_id - 1]
    assert got == {"pk": 8, "model": "Abonents", "fields": {
        "tarif_id": tariff["id"],
        "tarif": {"pk": tariff["id"], "model": "Tarif", "fields": {"name": tariff["title"]}},
        "name": f"{sub(8).last_name} {sub(8).first_name}", "id": 8}}
    nested = await result(client, "Abonents", ("objects.get", {"id": 8}), fields=["tarif"])
    assert nested["fields"]["tarif"]["fields"]["name"] == tariff["title"]
    assert nested["fields"]["tarif"]["fields"]["cost"] == float(str(tariff["price"]))


async def test_get_set_save_persists_and_flags_recalculation(client: httpx.AsyncClient) -> None:
    saved = await result(client, "Abonents", ("objects.get", {"id": 9}),
                         ("set", {"tarif_next_id": "2", "tarif_next_date": "2021-03-01", "tarif_id": 4}),
                         ("save", {}))
    assert saved["pk"] == 9 and saved["fields"]["tarif_next"] == 2 and saved["fields"]["tarif"] == 4
    again = await result(client, "Abonents", ("objects.get", {"id": 9}),
                         fields=["tarif_next_date", "tarif__name", "need_recalc", "recomend_pay_sum", "balance"])
    f = again["fields"]
    assert f["tarif_next_date"] == "2021-03-01" and f["tarif"]["fields"]["name"] == "Fibra 1G"
    assert f["need_recalc"] == 1
    assert f["recomend_pay_sum"] == round(max(0.0, 60.0 - f["balance"]), 2)


async def test_set_without_save_changes_nothing(client: httpx.AsyncClient) -> None:
    shown = await result(client, "Abonents", ("objects.get", {"id": 2}), ("set", {"name": "Temp"}))
    assert shown["fields"]["name"] == "Temp"
    stored = await result(client, "Abonents", ("objects.get", {"id": 2}), fields=["name"])
    assert stored["fields"]["name"] != "Temp"


async def test_add_payment_moves_balance_and_books_an_operation(client: httpx.AsyncClient) -> None:
    before = float(sub(4).balance)
    paid = await result(client, "Abonents", ("objects.get", {"id": 4}), ("add_payment", {"SUM_IN": "600"}),
                        fields=["balance", "minimal_pay_sum"])
    assert paid["fields"] == {"balance": round(before + 600, 2), "minimal_pay_sum": 0.0}
    ops = await result(client, "FinanceOperations", ("objects.filter", {"abonent__pk": "4"}))
    assert [op["fields"]["op_summa"] for op in ops][-1] == 600.0 and len(ops) == 2
    account = await result(client, "AdminAccounts", ("objects.get", {"account_id_abonents": 4}))
    assert account["fields"]["balance"] == round(before + 600, 2)
    user = await result(client, "Users", ("objects.get", {"abonent__pk": 4}), fields=["ostatok", "login"])
    assert user["fields"] == {"ostatok": round(before + 600, 2), "login": "isp00004"}


async def test_add_payment_refuses_a_non_number(client: httpx.AsyncClient) -> None:
    assert "decimal" in await error(client, "Abonents", ("objects.get", {"id": 4}), ("add_payment", {"SUM_IN": "lots"}))


async def test_set_password_then_check_pass(client: httpx.AsyncClient) -> None:
    login = {"login": "isp00005"}
    assert await result(client, "Users", ("objects.get", login), ("check_pass", {"passwd": "n3w"})) is False
    assert await result(client, "Users", ("objects.get", login), ("set_password", {"psw": "n3w", "dontshow": 1})) is None
    assert await result(client, "Users", ("objects.get", login), ("check_pass", {"passwd": "n3w"})) is True
    assert await result(client, "Users", ("objects.get", login), ("check_pass", {"passwd": "old"})) is False
    assert "password" not in json.dumps(await result(client, "Users", ("objects.get", login)))


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        ({"pk__gte": 25}, [25, 26, 27, 28, 29, 30]),
        ({"pk__lte": "3"}, [1, 2, 3]),
        ({"id__gt": 28}, [29, 30]),
        ({"pk__lt": 3, "pk__gte": 2}, [2]),
        ({"pk__in": [3, "5", 99]}, [3, 5]),
        ({"pk__range": [10, 12]}, [10, 11, 12]),
        ({"tarif__pk": 6}, [6, 12, 18, 24, 30]),
        ({"tarif_id__in": [1, 2], "pk__lte": 8}, [1, 2, 7, 8]),
        ({"tarif__name__icontains": "sla"}, [6, 12, 18, 24, 30]),
        ({"contract_number": "C-000017"}, [17]),
    ],
)
async def test_lookups(client: httpx.AsyncClient, lookup: dict[str, Any], expected: list[int]) -> None:
    rows = await result(client, "Abonents", ("objects.filter", lookup), fields=["id"])
    assert [r["pk"] for r in rows] == expected


async def test_icontains_and_exclude_on_text(client: httpx.AsyncClient) -> None:
    name = f"{sub(13).last_name} {sub(13).first_name}"
    rows = await result(client, "Abonents", ("objects.filter", {"name__icontains": "ΩMEGA"}), fields=["name"])
    assert [(r["pk"], r["fields"]["name"]) for r in rows] == [(13, name)]
    count = await result(client, "Abonents", ("objects.exclude", {"name__icontains": "ωmega"}), ("count", {}))
    assert count == 29


async def test_date_range_and_order_by(client: httpx.AsyncClient) -> None:
    dates = sorted(sub(n).date_add.isoformat() for n in range(1, 31))
    lo, hi = dates[5], dates[14]
    rows = await result(client, "Abonents", ("objects.filter", {"create_date__range": [lo, hi + " 23:59:59"]}),
                        ("order_by", ["-create_date"]), fields=["create_date"])
    got = [r["fields"]["create_date"][:10] for r in rows]
    assert got == sorted((d for d in dates if lo <= d <= hi), reverse=True)


async def test_users_by_owner_and_by_login(client: httpx.AsyncClient) -> None:
    users = await result(client, "Users", ("objects.filter", {"abonent__pk": "12"}), fields=["login", "abonent__name"])
    assert users == [{"pk": 12, "model": "Users", "fields": {
        "login": "isp00012",
        "abonent": {"pk": 12, "model": "Abonents", "fields": {"name": f"{sub(12).last_name} {sub(12).first_name}"}}}}]


async def test_create_returns_the_object_and_delete_cascades(client: httpx.AsyncClient) -> None:
    created = await result(client, "Abonents", ("objects.create", {"name": "Новый Абонент", "tarif": 2}))
    pk = created["pk"]
    assert pk == 31 and created["fields"]["name"] == "Новый Абонент" and created["fields"]["balance"] == 0.0
    promise = await result(client, "UsersUsluga", ("objects.create", {"abonent_id": pk, "usluga_id": 3,
                                                                       "end_time": "2026-12-01"}))
    assert promise["fields"]["end_time"] == "2026-12-01 00:00:00" and promise["fields"]["usluga"] == 3
    deleted = await result(client, "Abonents", ("objects.get", {"pk": pk}), ("delete", {}))
    assert deleted == [2, {"UsersUsluga": 1, "Abonents": 1}]
    assert await error(client, "Abonents", ("objects.get", {"pk": pk})) == "Abonents matching query does not exist."
    assert await result(client, "UsersUsluga", ("objects.filter", {"abonent_id": pk})) == []


async def test_a_referenced_tariff_is_protected(client: httpx.AsyncClient) -> None:
    assert "protected" in await error(client, "Tarif", ("objects.get", {"pk": 1}), ("delete", {}))
    assert len(await result(client, "Tarif", ("objects.all", {}))) == len(TARIFFS)


@pytest.mark.parametrize(
    ("model", "steps", "needle"),
    [
        ("Nope", [("objects.all", {})], "Unknown model 'Nope'"),
        ("Abonents", [("objects.fetch", {})], "'Manager' object has no attribute 'fetch'"),
        ("Abonents", [("objects.get", {"id": 1}), ("explode", {})], "'Abonents' object has no attribute 'explode'"),
        ("Abonents", [("objects.filter", {}), ("save", {})], "'QuerySet' object has no attribute 'save'"),
        ("Abonents", [("objects.get", {"id": 999})], "Abonents matching query does not exist."),
        ("Abonents", [("objects.get", {"tarif": 1})], "get() returned more than one Abonents -- it returned 5!"),
        ("Abonents", [("objects.get", {})], "get() returned more than one Abonents -- it returned more than 20!"),
        ("Abonents", [("objects.filter", {"colour": 1})], "Cannot resolve keyword 'colour' into field."),
        ("Abonents", [("objects.filter", {"name__near": "x"})], "Unsupported lookup 'near'"),
        ("Abonents", [("objects.filter", {"pk": "abc"})], "Field 'id' expected a number but got 'abc'."),
        ("Abonents", [("objects.get", {"id": 1}), ("set", {"colour": 1})], "Abonents has no field named 'colour'"),
        ("Abonents", [("objects.get", {"id": 1}), ("set", {"balance": 1})], "read-only; use add_payment"),
        ("Abonents", [("objects.get", {"id": 1}), ("set", {"tarif_id": "x"}), ("save", {})], "expected a number"),
        ("Abonents", [("objects.get", {"id": 1}), ("set", {"tarif_id": 99}), ("save", {})], "Tarif matching query"),
        ("Abonents", [("objects.get", {"id": 1}), ("set", {"name": " "}), ("save", {})], "'name' cannot be blank"),
        ("Abonents", [("objects.get", {"id": 1}), ("set", {"is_folder": 7}), ("save", {})], "not a valid choice"),
        ("Abonents", [("objects.get", {"id": 1}), ("set", {"own_disabled_start": "soon"}), ("save", {})], "format"),
        ("Abonents", [("objects.create", {"tarif": 1})], "'name' cannot be null"),
        ("Abonents", [("objects.create", {"name": "x", "tarif": 1, "wings": 2})], "unexpected keyword arguments: 'wings'"),
        ("Users", [("objects.create", {"login": "isp00003", "abonent": 3})], "Users with this login already exists."),
        ("Users", [("objects.get", {"id": 1}), ("set_password", {})], "'psw'"),
    ],
)
async def test_errors_come_in_the_envelope(client: httpx.AsyncClient, model: str, steps: list[tuple[str, Any]],
                                           needle: str) -> None:
    assert needle in await error(client, model, *steps)


async def test_failed_save_leaves_the_record_alone(client: httpx.AsyncClient) -> None:
    await error(client, "Abonents", ("objects.get", {"id": 1}), ("set", {"name": "X", "tarif_id": 99}), ("save", {}))
    assert (await result(client, "Abonents", ("objects.get", {"id": 1}), fields=["name"]))["fields"]["name"] != "X"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"method1": "objects.get"}, "arg1 is required"),
        ({"method1": "objects.get", "arg1": "{id: 1}"}, "arg1 is not valid JSON"),
        ({"method1": "objects.get", "arg1": '"x"'}, "arg1 must be a JSON object"),
        ({"method1": "objects.all", "arg1": "{}", "method3": "count", "arg3": "{}"}, "method2 is missing"),
        ({}, "method1 is required"),
        ({"method1": "objects.all", "arg1": "{}", "fields": "name"}, "fields is not valid JSON"),
        ({"method1": "objects.all", "arg1": "{}", "fields": '["nickname"]'}, "has no field named 'nickname'"),
    ],
)
async def test_malformed_forms_are_error_envelopes(client: httpx.AsyncClient, data: dict[str, str], needle: str) -> None:
    resp = await client.post("/rest_api/v2/Abonents/", data=data)
    assert resp.status_code == 200
    assert needle in resp.json()["error"]


async def test_queryset_helpers(client: httpx.AsyncClient) -> None:
    assert await result(client, "Abonents", ("objects.count", {})) == 30
    assert await result(client, "Abonents", ("objects.filter", {"pk__gt": 40}), ("exists", {})) is False
    last = await result(client, "Abonents", ("objects.filter", {"pk__lte": 10}), ("last", {}), fields=["id"])
    assert last == {"pk": 10, "model": "Abonents", "fields": {"id": 10}}


async def test_version(client: httpx.AsyncClient) -> None:
    version = await result(client, "Version", get_version="True")
    assert set(version) == {"version", "time"} and version["version"]


async def test_model_listing(client: httpx.AsyncClient) -> None:
    root = (await client.get("/rest_api/v2/")).json()
    assert root["call"] == "/rest_api/v2/"
    models = root["result"]
    assert {"Abonents", "Users", "Tarif", "Usluga", "UsersUsluga", "FinanceOperations", "AdminAccounts",
            "Version"} <= set(models)
    tarif_field = models["Abonents"]["fields"]["tarif"]
    assert tarif_field["type"] == "ForeignKey" and tarif_field["to"] == "Tarif" and tarif_field["attname"] == "tarif_id"
    assert "add_payment" in models["Abonents"]["object_methods"]
    assert "password" not in models["Users"]["fields"]
    one = (await client.get("/rest_api/v2/Users/")).json()["result"]
    assert one["model"] == "Users" and "check_pass" in one["object_methods"] and one["fields"]["login"]["unique"]


async def test_other_http_methods_are_not_allowed(client: httpx.AsyncClient) -> None:
    resp = await client.put("/rest_api/v2/Abonents/", data={"method1": "objects.all", "arg1": "{}"})
    assert resp.status_code == 405


@dataclass(frozen=True)
class CountingDataset(Dataset):
    """Records which subscribers were generated, to prove a pk window does not scan the model."""

    generated: list[int] = field(default_factory=list)

    def subscriber(self, number: int) -> Subscriber:
        self.generated.append(number)
        return super().subscriber(number)


async def test_pk_windows_over_100k_abonents_touch_only_their_rows() -> None:
    dataset = CountingDataset(customers=100_000)
    async with _client(dataset) as c:
        await result(c, "Abonents", ("objects.get", {"id": 77_777}), ("add_payment", {"SUM_IN": 10}))
        dataset.generated.clear()
        pages = []
        for lo in (1, 50_001, 99_901):
            rows = await result(c, "Abonents", ("objects.filter", {"pk__gte": lo, "pk__lte": lo + 99}),
                                fields=["name", "tarif__name"])
            pages.append([r["pk"] for r in rows])
        last = await result(c, "Abonents", ("objects.filter", {"pk__range": [99_990, 200_000]}), fields=["id"])
        users = await result(c, "Users", ("objects.filter", {"abonent__pk__in": [5, 99_999]}), fields=["login"])
    assert pages == [list(range(lo, lo + 100)) for lo in (1, 50_001, 99_901)]
    assert [r["pk"] for r in last] == list(range(99_990, 100_001))
    assert [u["fields"]["login"] for u in users] == ["isp00005", "isp99999"]
    # Each page generated its own rows (plus the one touched record checked by every query), nothing else.
    assert len(dataset.generated) <= 3 * 100 + 11 + 2 + 10
    assert max(dataset.generated) == 100_000


async def test_count_agrees_with_the_rows_after_writes_and_makes_no_row_for_pk_lookups(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """count() counted by making every matching row: 4.8 s for 100,000 abonents before the adapter's first page
    (it counts to know the total). A count over pks only now makes no row, and agrees with the rows."""
    async with _client(Dataset(customers=30)) as client:
        created = await result(client, "Abonents", ("objects.create", {"name": "Extra", "tarif": 2}))
        await result(client, "Abonents", ("objects.get", {"pk": 7}), ("delete", {}))
        await result(client, "Abonents", ("objects.get", {"pk": 3}), ("set", {"name": "Renamed"}), ("save", {}))
        lookups: list[dict[str, Any]] = [{}, {"pk__lt": 10}, {"pk__gte": 5, "pk__lte": 31}, {"pk__in": [1, 7, 31]},
                                         {"name__icontains": "e"}]
        for lookup in lookups:
            rows = await result(client, "Abonents", ("objects.filter", lookup))
            counted = await result(client, "Abonents", ("objects.filter", lookup), ("count", {}))
            assert counted == len(rows), lookup
        rows = await result(client, "Abonents", ("objects.exclude", {"pk__lt": 10}))
        assert await result(client, "Abonents", ("objects.exclude", {"pk__lt": 10}), ("count", {})) == len(rows) == 22
        assert created["pk"] == 31
    made: list[object] = []
    get = Collection.get
    monkeypatch.setattr(Collection, "get", lambda self, rid: made.append(rid) or get(self, rid))
    async with _client(Dataset(customers=100_000)) as client:
        assert await result(client, "Abonents", ("objects.all", {}), ("count", {})) == 100_000
        assert await result(client, "Abonents", ("objects.filter", {"pk__lt": 50_001}), ("count", {})) == 50_000
    assert made == []
