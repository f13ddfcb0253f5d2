from __future__ import annotations

import pytest

from isptui.discovery import parse_link_header
from isptui.errors import MalformedResponse

BASE = "https://api.example.net/api/2.0/"


def _pairs(value: str) -> list[tuple[str, str, str | None, bool]]:
    return [(link.rel, link.href, link.title, link.external) for link in parse_link_header(value, base_url=BASE)]


def test_several_links_and_rel_values() -> None:
    header = ('<https://api.example.net/api/2.0/items?page=3>; rel="next last"; title="Page 3", '
              '</api/2.0/items?page=1>; rel=prev;title=First,<items?page=1>;REL="First"')
    assert _pairs(header) == [
        ("next", "https://api.example.net/api/2.0/items?page=3", "Page 3", False),
        ("last", "https://api.example.net/api/2.0/items?page=3", "Page 3", False),
        ("prev", "https://api.example.net/api/2.0/items?page=1", "First", False),
        ("first", "https://api.example.net/api/2.0/items?page=1", None, False),
    ]


def test_quoted_params_title_star_and_extension_rels() -> None:
    header = ('<http://other.example/doc>; rel="https://rels.example/Describedby"; '
              'title="a; b, \\"c\\""; title*=UTF-8\'de\'%E2%82%AC%20rates')
    assert _pairs(header) == [("https://rels.example/Describedby", "http://other.example/doc", "€ rates", True)]
    assert _pairs('</a>; rel=x; title="comma, inside"') == [("x", "https://api.example.net/a", "comma, inside",
                                                            False)]
    # Only the first rel parameter counts (RFC 8288 §3.3).
    assert [p[0] for p in _pairs('</a>; rel=one; rel=two')] == ["one"]


def test_garbage_is_skipped_not_fatal() -> None:
    header = ('garbage, <no-close; rel=next, </ok>; rel=ok, <javascript:alert(1)>; rel=bad, '
              '</norel>; title=x, <>; rel=empty, "quoted, comma" junk, </last>; rel="last"; =')
    assert [p[0] for p in _pairs(header)] == ["ok"]
    assert _pairs("") == [] and _pairs(" , ,, ") == []
    assert parse_link_header(None, base_url=BASE) == []


def test_wrong_type_and_oversize() -> None:
    with pytest.raises(MalformedResponse, match="Link header"):
        parse_link_header(b"</a>; rel=x", base_url=BASE)
    with pytest.raises(MalformedResponse, match="too long"):
        parse_link_header("</a>; rel=x, " * 10_000, base_url=BASE)
