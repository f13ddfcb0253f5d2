from __future__ import annotations

import pytest

from isptui.discovery import parse_root_links, title_for
from isptui.errors import AuthFailed, MalformedResponse

from .conftest import BASE, load


def test_ispcrm_root_in_envelope() -> None:
    links = parse_root_links(load("ispcrm_root"), base_url="http://127.0.0.1:8000/api/v1")

    assert [(link.rel, link.title, link.href, link.external) for link in links] == [
        ("list_users", "Users", "http://127.0.0.1:8000/api/v1/users", False),
        ("list_invoices", "Invoices", "http://127.0.0.1:8000/api/v1/invoices", False),
        ("list_cpe_profiles", "CPE profiles", "http://127.0.0.1:8000/api/v1/cpe-profiles", False),
        ("docs", "Docs", "https://docs.example.org/admin-api", True),
    ]


def test_drf_api_root() -> None:
    links = parse_root_links(load("drf_api_root"), base_url=BASE)
    assert [(link.rel, link.title) for link in links] == [
        ("isp", "ISP"), ("pbx", "PBX"), ("monitoring", "Monitoring"), ("gpon", "GPON")]
    assert links[0].href == "http://127.0.0.1:8000/api/v2/isp/"


def test_root_without_envelope_and_href_objects() -> None:
    links = parse_root_links({"customers": {"href": "/api/v1/customers"}, "name": "ISPCRM", "n": 1,
                              "bad": "javascript:alert(1)", "weird": "//evil.example/x"},
                             base_url="http://127.0.0.1:8000/api/v1")
    assert [(link.rel, link.href) for link in links] == [("customers", "http://127.0.0.1:8000/api/v1/customers")]


def test_root_errors() -> None:
    with pytest.raises(AuthFailed, match="Invalid token"):
        parse_root_links({"status": "error", "message": "Invalid token"}, base_url=BASE)
    for bad in ([], "x", None, {"success": True, "data": ["/a"]}):
        with pytest.raises(MalformedResponse, match="root document"):
            parse_root_links(bad, base_url=BASE)


@pytest.mark.parametrize(("key", "title"), [
    ("list_users", "Users"), ("get_customer_documents", "Customer documents"), ("cpes", "CPEs"),
    ("list_", "List"), ("olts", "OLTs"), ("x", "X")])
def test_titles(key: str, title: str) -> None:
    assert title_for(key) == title
