from __future__ import annotations

import pytest

from isptui.discovery import is_dangerous, parse_links
from isptui.errors import MalformedResponse

from .conftest import BASE, load

CPE = "http://127.0.0.1:8000/api/v2/isp/cpes/585"


def test_krill_cpe_links_and_actions() -> None:
    links, actions = parse_links(load("krill_cpe")["_links"], base_url=BASE)

    assert [link.rel for link in links] == [
        "customer", "profile", "model", "potses", "events", "cdrs", "logs", "livestatus", "links", "info",
        "cwmp_info"]
    by_rel = {link.rel: link for link in links}
    assert by_rel["customer"].href == f"{CPE}/customer"
    assert by_rel["cdrs"].href == f"{CPE}/events?type=cdr"
    assert by_rel["cdrs"].title == "CDRs"
    assert by_rel["cwmp_info"].title == "CWMP info"
    assert all(link.method == "GET" and not link.external for link in links)

    assert [a.name for a in actions] == ["diagnostic", "factory", "reboot", "reconfig", "reprovision",
                                         "unprovision"]
    by_name = {a.name: a for a in actions}
    # No trailing slash is added: the href is what the server said.
    assert by_name["diagnostic"].href == f"{CPE}/cwmp_diagnostic"
    assert not by_name["diagnostic"].dangerous
    assert {a.name for a in actions if a.dangerous} == {"factory", "reboot", "reconfig", "reprovision",
                                                        "unprovision"}
    # POST so that a read-only profile's guard refuses it.
    assert {a.method for a in actions} == {"POST"}


def test_hal_forms() -> None:
    block = {
        "self": {"href": "/api/v2/isp/customers/65/"},
        "next": "/api/v2/isp/customers/66/",
        "invoices": [{"href": "/inv/1", "title": "First"}, {"href": "/inv/2"}, "not-a-dict-href", 7],
        "help": {"href": "https://docs.example.org/customers", "title": "Docs\x1b[31m"},
        "search": {"href": "/search{?q}", "templated": True},
        "curies": [{"name": "acme", "href": "https://docs.example.org/{rel}", "templated": True}],
        "delete": {"href": "/api/v2/isp/customers/65/", "method": "delete"},
        "suspend": {"href": "/api/v2/isp/customers/65/suspend", "method": "POST", "title": "Suspend"},
        "weird": {"href": "/x", "method": "TRACE"},
        "broken": {"title": "no href"},
    }
    links, actions = parse_links(block, base_url=BASE)

    assert [(link.rel, link.href) for link in links] == [
        ("self", "http://127.0.0.1:8000/api/v2/isp/customers/65/"),
        ("next", "http://127.0.0.1:8000/api/v2/isp/customers/66/"),
        ("invoices", "http://127.0.0.1:8000/inv/1"),
        ("invoices", "http://127.0.0.1:8000/inv/2"),
        ("invoices", "http://127.0.0.1:8000/api/v2/not-a-dict-href"),
        ("help", "https://docs.example.org/customers"),
    ]
    assert links[2].title == "First"
    assert links[5].external and links[5].title == "Docs\\x1b[31m"
    assert not any(link.external for link in links[:5])
    # Writes never come back as links: enter on a link cannot delete.
    assert [(a.name, a.method, a.dangerous) for a in actions] == [
        ("delete", "DELETE", True), ("suspend", "POST", True)]


def test_off_origin_action_is_not_offered() -> None:
    links, actions = parse_links({"actions": {"reboot": "http://evil.example/reboot",
                                              "diagnostic": "/api/v2/isp/cpes/1/cwmp_diagnostic"}},
                                 base_url=BASE)
    assert links == []
    assert [a.name for a in actions] == ["diagnostic"]


def test_missing_block_and_wrong_types() -> None:
    assert parse_links(None, base_url=BASE) == ([], [])
    assert parse_links({}, base_url=BASE) == ([], [])
    for bad in (["/x"], "/x", 3, True):
        with pytest.raises(MalformedResponse, match="_links block"):
            parse_links(bad, base_url=BASE)
    # Wrong types inside the block are skipped, the rest survives.
    links, actions = parse_links({"actions": {"reboot": 5, "x": None}, "links": {"a": [], "b": {"c": 1}},
                                  "ok": "/fine", "n": None}, base_url=BASE)
    assert [link.rel for link in links] == ["ok"] and actions == []


@pytest.mark.parametrize(("name", "dangerous"), [
    ("factory_reset", True), ("customers-online--kill", True), ("disconnect", True), ("diagnostic", False),
    ("cwmp_info", False), ("enable", False), ("add_payment", False), ("Reboot", True), ("resets", True)])
def test_dangerous_names(name: str, dangerous: bool) -> None:
    assert is_dangerous(name) is dangerous
