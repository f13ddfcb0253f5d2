"""Trisul adapter: body auth on every request, HTTP-200 errors, UserID keys, local paging.

Wire samples are those quoted in docs/trisul.md §4 and A.8; a few checks run against the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from isptui.backends.base import BackendSettings
from isptui.backends.trisul import TrisulBackend
from isptui.errors import AuthFailed, NotFound, PermissionDenied, ValidationFailed
from isptui.model import PageRequest, ResourceRef
from tests.backends.conftest import CASES, Connect

URL = "http://trisul.test:8000"
CREDS = {"username": "user", "api_token": "GiXwBWWv5g2Fs6QeaTlx", "context": "default"}
SAMPLE = {"id": 5, "Name": "Trisul", "Address": "Chennai", "Email": "demo@gmail.com", "PhoneNumber": "1234567890",
          "AltPhoneNumber": "9999999999", "UserID": "B68t19"}
REF = ResourceRef(collection="ipdrcustomers")


def rows(n: int) -> list[dict[str, object]]:
    return [{**SAMPLE, "id": i, "UserID": f"U{i}", "Name": f"Customer {i}"} for i in range(1, n + 1)]


def mock(answer: Callable[[httpx.Request, dict[str, object]], httpx.Response],
         seen: list[tuple[httpx.Request, dict[str, object]]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        seen.append((request, body))
        return answer(request, body)

    return httpx.MockTransport(handler)


def backend(transport: httpx.AsyncBaseTransport, **creds: str) -> TrisulBackend:
    return TrisulBackend(BackendSettings(url=URL, credentials={**CREDS, **creds}, transport=transport,
                                         retries=0))


async def test_every_request_carries_the_credentials_in_its_json_body() -> None:
    seen: list[tuple[httpx.Request, dict[str, object]]] = []

    def answer(request: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(200, json=[SAMPLE] if request.method == "GET" else SAMPLE)

    async with backend(mock(answer, seen)) as trisul:
        await trisul.delete(ResourceRef(collection="ipdrcustomers", id="B68t19"))
    assert [(r.method, r.url.path) for r, _ in seen] == [("GET", "/api/ipdrcustomers"),
                                                         ("DELETE", "/api/ipdrcustomers/B68t19")]
    for request, body in seen:
        assert body == {"api_token": CREDS["api_token"], "username": "user", "contextname": "default"}
        assert request.headers["content-type"] == "application/json"


async def test_the_documented_list_becomes_records_keyed_by_user_id() -> None:
    seen: list[tuple[httpx.Request, dict[str, object]]] = []
    async with backend(mock(lambda r, b: httpx.Response(200, json=[SAMPLE]), seen)) as trisul:
        page = await trisul.list(REF)
        record = await trisul.get(ResourceRef(collection="ipdrcustomers", id="B68t19"))
    assert page.total == 1 and [r.title for r in page.items] == ["Trisul"]
    assert record.id == "B68t19" and record.raw == SAMPLE and record.fields["PhoneNumber"] == "1234567890"
    # get found it in the list: no GET-one endpoint was asked for (none is documented).
    assert {r.url.path for r, _ in seen} == {"/api/ipdrcustomers"}


@pytest.mark.parametrize("body, error", [
    ({"status": "ERROR", "message": "Invalid API token"}, AuthFailed),
    ({"status": "Error", "message": "Invalid Context name - ipdrr"}, AuthFailed),
    ({"status": "Error", "message": "The user (user) is not allowed to access the context ipdr"}, PermissionDenied),
])
async def test_errors_that_come_with_http_200_are_typed(body: dict[str, str], error: type) -> None:
    with pytest.raises(error) as info:
        async with backend(mock(lambda r, b: httpx.Response(200, json=body), [])):
            pass
    assert body["message"] in info.value.message and CREDS["api_token"] not in str(info.value)


async def test_patch_for_an_edit_put_when_all_six_fields_are_given() -> None:
    seen: list[tuple[httpx.Request, dict[str, object]]] = []

    def answer(request: httpx.Request, body: dict[str, object]) -> httpx.Response:
        return httpx.Response(200, json=[SAMPLE] if request.method == "GET" else {**SAMPLE, **body})

    full = {k: SAMPLE[k] for k in ("UserID", "Name", "Address", "Email", "PhoneNumber", "AltPhoneNumber")}
    ref = ResourceRef(collection="ipdrcustomers", id="B68t19")
    async with backend(mock(answer, seen)) as trisul:
        patched = await trisul.update(ref, {"Address": "Partially Updated"})
        await trisul.update(ref, {**full, "Name": "Renamed"})
        await trisul.update(ref, {"Email": "x@example.net"}, partial=False)
    writes = [(r.method, {k: v for k, v in b.items() if k in full}) for r, b in seen if r.method != "GET"]
    assert writes[0] == ("PATCH", {"Address": "Partially Updated"})
    assert writes[1] == ("PUT", {**full, "Name": "Renamed"})
    assert writes[2][0] == "PUT" and writes[2][1]["Email"] == "x@example.net" and len(writes[2][1]) == 6
    assert patched.fields["Address"] == "Partially Updated"


async def test_pages_come_from_one_fetched_list_until_a_refresh() -> None:
    seen: list[tuple[httpx.Request, dict[str, object]]] = []
    async with backend(mock(lambda r, b: httpx.Response(200, json=rows(7)), seen)) as trisul:
        first = await trisul.list(REF, PageRequest(limit=3))
        second = await trisul.list(REF, PageRequest(limit=3, cursor=first.next_cursor))
        last = await trisul.list(REF, PageRequest(offset=6, limit=3))
        fetched = len(seen)
        await trisul.list(REF, PageRequest(limit=3))  # offset 0: the refresh
    assert [r.id for r in second.items] == ["U4", "U5", "U6"] and second.offset == 3
    assert [r.id for r in last.items] == ["U7"] and not last.has_more and last.total == 7
    # The connection check's list is the first page's (issue 15 item 9: fetched once); pages 2 and 3 from it.
    assert fetched == 1 and len(seen) == 2


async def test_the_whole_list_is_filtered_locally() -> None:
    async with backend(mock(lambda r, b: httpx.Response(200, json=rows(30)), [])) as trisul:
        exact = await trisul.list(REF, PageRequest(filter="UserID=U12", offset=0))
        contains = await trisul.list(REF, PageRequest(filter="Name~customer 2"))
    assert [r.id for r in exact.items] == ["U12"]
    assert [r.id for r in contains.items] == ["U2"] + [f"U{n}" for n in range(20, 30)]


async def test_describe_write_shows_the_body_with_the_token_masked() -> None:
    async with backend(mock(lambda r, b: httpx.Response(200, json=[SAMPLE]), [])) as trisul:
        lines = trisul.describe_write("PATCH", ResourceRef(collection="ipdrcustomers", id="B68t19"),
                                      {"Address": "Partially Updated"})
    assert lines[0] == f"PATCH {URL}/api/ipdrcustomers/B68t19"
    body = json.loads(lines[2])
    assert body["Address"] == "Partially Updated" and body["contextname"] == "default"
    assert CREDS["api_token"] not in "\n".join(lines)


async def test_sandbox_duplicates_and_unknown_ids_are_typed(connected: Connect) -> None:
    async with connected("trisul") as trisul:
        with pytest.raises(ValidationFailed) as dup:
            await trisul.create(REF, {"UserID": "isp00001", "Name": "Again"})
        with pytest.raises(NotFound):
            await trisul.update(ResourceRef(collection="ipdrcustomers", id="NOPE1"), {"Name": "x"})
        with pytest.raises(ValidationFailed) as key:
            await trisul.update(CASES["trisul"].known, {"UserID": "OTHER"})
    assert "UserID" in dup.value.field_errors and "UserID" in key.value.field_errors


async def test_a_big_list_is_kept_as_its_bytes_and_reads_writes_filters_and_sorts_as_a_small_one() -> None:
    """Over 256 KiB the list is kept as the body's bytes and row offsets (issue 15 item 9), rows parsed a page
    at a time: pages, ``get``, writes, filters and sorts answer as they do over parsed rows."""
    from isptui.http.stepjson import JsonRows

    held = rows(3000)
    held[1500]["Name"] = "Иван 😀 {[,]}"  # non-ASCII (4 bytes in UTF-8) and JSON punctuation in a string

    def answer(request: httpx.Request, body: dict[str, object]) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, content=json.dumps(held, ensure_ascii=False).encode(),
                                  headers={"content-type": "application/json"})
        if request.method == "DELETE":
            return httpx.Response(200, json=SAMPLE)
        sent = {k: v for k, v in body.items() if k not in CREDS and k != "contextname"}
        if request.method == "POST":
            return httpx.Response(200, json=sent)
        user_id = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json={**next(r for r in held if r["UserID"] == user_id), **sent})

    async with backend(mock(answer, [])) as trisul:
        page = await trisul.list(REF, PageRequest(offset=1499, limit=3, again=True))
        assert isinstance(trisul._rows.base, JsonRows)  # type: ignore[union-attr]
        assert [r.id for r in page.items] == ["U1500", "U1501", "U1502"] and page.total == 3000
        assert page.items[1].fields["Name"] == "Иван 😀 {[,]}"
        assert (await trisul.get(ResourceRef(collection="ipdrcustomers", id="U2999"))).title == "Customer 2999"
        await trisul.update(ResourceRef(collection="ipdrcustomers", id="U3"), {"Name": "Renamed"})
        await trisul.delete(ResourceRef(collection="ipdrcustomers", id="U1"))
        created = {**SAMPLE, "UserID": "NEW", "Name": "New one"}
        await trisul.create(REF, created)
        after = await trisul.list(REF, PageRequest(offset=0, limit=3, again=True))
        tail = await trisul.list(REF, PageRequest(offset=2998, limit=5, again=True))
        named = await trisul.list(REF, PageRequest(filter="Name~customer 299", limit=20, again=True))
        ordered = await trisul.list(REF, PageRequest(order_by="Name", descending=True, limit=2, again=True))
    assert [r.id for r in after.items] == ["U2", "U3", "U4"] and after.items[1].fields["Name"] == "Renamed"
    assert [r.id for r in tail.items] == ["U3000", "NEW"] and tail.total == 3000
    assert [r.id for r in named.items] == ["U299"] + [f"U{n}" for n in range(2990, 3000)]
    assert [r.id for r in ordered.items] == ["U1501", "U3"]  # "Иван…" then "Renamed", descending
