from __future__ import annotations

import pytest

from isptui.discovery import rebase, resolve, same_origin
from isptui.errors import MalformedResponse

BASE = "http://127.0.0.1:8000/api/v2/"


@pytest.mark.parametrize(("href", "expected"), [
    ("/api/v2/isp/cpes/585/reboot", "http://127.0.0.1:8000/api/v2/isp/cpes/585/reboot"),
    ("isp/cpes/", "http://127.0.0.1:8000/api/v2/isp/cpes/"),
    ("https://other.example/x?y=1", "https://other.example/x?y=1"),
    ("//other.example/x", "http://other.example/x"),
    ("  /api/v2/isp/  ", "http://127.0.0.1:8000/api/v2/isp/"),
])
def test_resolve_relative_and_absolute(href: str, expected: str) -> None:
    assert resolve(href, BASE) == expected


@pytest.mark.parametrize("href", [
    "", "   ", None, 42, {"href": "/x"}, "javascript:alert(1)", "mailto:noc@example.net",
    "/x\r\nX-Injected: 1", "/" + "a" * 9000, "http://[::1",
])
def test_resolve_refuses_unusable_hrefs(href: object) -> None:
    with pytest.raises(MalformedResponse) as err:
        resolve(href, BASE)
    assert "link" in err.value.message


def test_same_origin_compares_scheme_host_and_effective_port() -> None:
    assert same_origin("http://127.0.0.1:8000/api/v1/users", BASE)
    assert same_origin("HTTP://EXAMPLE.net/a", "http://example.net:80/b")
    assert same_origin("https://example.net:443/a", "https://example.net/")
    assert not same_origin("https://127.0.0.1:8000/x", BASE)
    assert not same_origin("http://127.0.0.1:8001/x", BASE)
    assert not same_origin("http://evil.example/x", BASE)
    assert not same_origin("not a url", BASE)
    assert not same_origin("http://[::1", BASE)


def test_rebase_keeps_path_and_query_on_our_origin() -> None:
    assert rebase("http://pre1:4280/api/v2/isp/cpes/?limit=3&offset=45#frag", "https://krill.example.net/api/v2/") \
        == "https://krill.example.net/api/v2/isp/cpes/?limit=3&offset=45"
