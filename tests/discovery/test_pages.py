from __future__ import annotations

import pytest

from isptui.discovery import ParsedPage, parse_page, trisul_error, unwrap_carbon, unwrap_ispcrm
from isptui.errors import (
    AuthFailed,
    BackendError,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    ServerError,
    ValidationFailed,
)

from .conftest import load

KRILL = "http://pre1:4280/api/v2/isp/cpes/?attrs=id&offset=42&limit=3"


def test_drf_page_with_absolute_links() -> None:
    page = parse_page(load("drf_page_absolute"), base_url=KRILL)
    assert page == ParsedPage(items=[{"id": 119}, {"id": 121}, {"id": 123}], total=158,
                              next="http://pre1:4280/api/v2/isp/cpes/?attrs=id&limit=3&offset=45",
                              previous="http://pre1:4280/api/v2/isp/cpes/?attrs=id&limit=3&offset=39")


def test_drf_absolute_links_to_an_internal_host_are_rebased() -> None:
    page = parse_page(load("drf_page_absolute"), base_url="https://krill.example.net/api/v2/isp/cpes/")
    assert page.next == "https://krill.example.net/api/v2/isp/cpes/?attrs=id&limit=3&offset=45"
    assert page.previous == "https://krill.example.net/api/v2/isp/cpes/?attrs=id&limit=3&offset=39"


def test_rubik_relative_links_resolve() -> None:
    page = parse_page(load("rubik_page_relative"), base_url="http://127.0.0.1:8000/api/v2/rubik/services/")
    assert page.total == 23 and [item["id"] for item in page.items] == [6, 7]
    assert page.next == "http://127.0.0.1:8000/api/v2/rubik/services/?limit=5&offset=10"
    assert page.previous == "http://127.0.0.1:8000/api/v2/rubik/services/?limit=5"


def test_last_drf_page_and_bare_array() -> None:
    page = parse_page({"count": 2, "next": None, "previous": "", "results": []}, base_url="http://h/api/")
    assert page == ParsedPage(items=[], total=2)
    trisul = parse_page(load("trisul_list"), base_url="http://127.0.0.1:8000/api/ipdrcustomers")
    assert [row["UserID"] for row in trisul.items] == ["B68t19", "C70x02"]
    assert trisul.total is None and trisul.next is None


def test_ispcrm_envelopes() -> None:
    base = "http://127.0.0.1:8000/api/v1/users"
    rows = parse_page({"success": "true", "data": [{"id": 1}, {"id": 2}]}, base_url=base)
    assert rows.items == [{"id": 1}, {"id": 2}] and rows.total is None
    one = parse_page({"success": True, "data": {"id": 7, "name": "Ann"}}, base_url=base)
    assert one == ParsedPage(items=[{"id": 7, "name": "Ann"}], total=1)
    paged = parse_page({"success": 1, "data": {"items": [{"id": 3}], "total": "40", "next": "/api/v1/users?page=2"}},
                       base_url=base)
    assert (paged.total, paged.next) == (40, "http://127.0.0.1:8000/api/v1/users?page=2")


def test_carbon_pages() -> None:
    page = parse_page(load("carbon_filter"), base_url="http://127.0.0.1:8000/rest_api/v2/Abonents/")
    assert [row["pk"] for row in page.items] == [45, 46] and page.total == 2
    assert page.items[0]["fields"]["tarif"]["fields"]["name"] == "Home 100"
    single = parse_page(load("carbon_get"), base_url="http://127.0.0.1:8000/rest_api/v2/Abonents/")
    assert single.items == [{"pk": 45, "model": "Abonents", "fields": {"tarif_id": 1127}}]


@pytest.mark.parametrize(("doc", "problem"), [
    ({"count": "many", "results": []}, "'count'"),
    ({"count": -1, "results": []}, "'count'"),
    ({"count": 1, "next": 5, "results": []}, "'next'"),
    ({"count": 1, "next": "javascript:x()", "results": []}, "'next'"),
    ([{"id": 1}, "two"], "item 1"),
    ({"detail": "Not found."}, "expected an array"),
    ({"success": "maybe", "data": []}, "'success'"),
    ({"success": True, "data": "x"}, "'data'"),
    ({"call": "/rest_api/v2/Abonents/", "result": 5}, "Carbon result"),
    ("text", "expected an object"),
    (None, "expected an object"),
])
def test_malformed_pages(doc: object, problem: str) -> None:
    with pytest.raises(MalformedResponse) as err:
        parse_page(doc, base_url="http://127.0.0.1:8000/api/")
    assert problem in err.value.message


def test_unwrap_ispcrm() -> None:
    assert unwrap_ispcrm({"success": "true", "data": {"id": 1}}) == {"id": 1}
    assert unwrap_ispcrm({"success": True}) is None
    assert unwrap_ispcrm({"id": 1}) == {"id": 1}  # unverified envelope: an unwrapped body passes
    with pytest.raises(PermissionDenied, match="not allowed"):
        unwrap_ispcrm({"status": "error", "message": "You are not allowed to edit users"})
    with pytest.raises(ValidationFailed) as err:
        unwrap_ispcrm({"success": "false", "message": "email is required"})
    assert err.value.message == "email is required"
    with pytest.raises(ServerError):
        unwrap_ispcrm({"status": "Error", "message": "boom"}, status=502)
    with pytest.raises(BackendError, match="The server reported failure"):
        unwrap_ispcrm({"success": False})
    with pytest.raises(MalformedResponse):
        unwrap_ispcrm(["x"])


def test_unwrap_carbon() -> None:
    assert unwrap_carbon(load("carbon_get"))["fields"] == {"tarif_id": 1127}
    assert unwrap_carbon({"call": "/rest_api/v2/Users/", "result": False}) is False
    assert unwrap_carbon({"call": "/rest_api/v2/Users/", "result": None, "error": ""}) is None
    with pytest.raises(NotFound) as err:
        unwrap_carbon(load("carbon_error"))
    assert err.value.message == "Abonents matching query does not exist."
    with pytest.raises(BackendError, match="Carbon reported an error"):
        unwrap_carbon({"call": "/x/", "error": True})
    with pytest.raises(BackendError) as err:
        unwrap_carbon({"call": "/x/", "error": "x\x1b[2J" + "y" * 5000})
    assert "\x1b" not in err.value.message and len(err.value.message) <= 300
    with pytest.raises(MalformedResponse, match="no 'result'"):
        unwrap_carbon({"call": "/x/"})


@pytest.mark.parametrize(("doc", "message"), [
    ({"status": "ERROR", "message": "Invalid API token"}, "Invalid API token"),
    ({"status": "Error", "message": "Invalid Context name - ipdrr"}, "Invalid Context name - ipdrr"),
    ({"status": "error", "message": "The user (user) is not allowed to access the context ipdr"},
     "The user (user) is not allowed to access the context ipdr"),
    ({"status": "Not Found", "message": "User test10 doesn't exists"}, "User test10 doesn't exists"),
    ({"status": "ERROR"}, "Trisul reported an error"),
    ({"status": "ERROR", "message": {"deep": "object"}}, "object"),
    ({"status": "SUCCESS", "message": "ok"}, None),
    ({"id": 5, "UserID": "B68t19"}, None),
    ([{"status": "ERROR"}], None),
    ("ERROR", None),
])
def test_trisul_error(doc: object, message: str | None) -> None:
    assert trisul_error(doc) == message


def test_trisul_error_bodies_raise_typed_errors_from_parse_page() -> None:
    base = "http://127.0.0.1:8000/api/ipdrcustomers"
    with pytest.raises(AuthFailed):
        parse_page({"status": "ERROR", "message": "Invalid API token"}, base_url=base)
    with pytest.raises(NotFound):
        parse_page({"status": "Error", "message": "Invalid Context name - ipdrr"}, base_url=base)
    with pytest.raises(PermissionDenied):
        parse_page({"status": "Error", "message": "The user (user) is not allowed to access the context ipdr"},
                   base_url=base)
