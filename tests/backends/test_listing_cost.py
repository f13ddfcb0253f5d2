"""Listing cost: links built only when read, and request-log bodies capped (and redacted) per exchange."""

from __future__ import annotations

from isptui.http import RequestLog
from isptui.http.recording import LOG_BODY_LIMIT
from isptui.model import Lazy, PageRequest, ResourceRef
from tests.backends.conftest import Connect


async def test_a_listed_splynx_customer_has_the_links_of_the_opened_one(connected: Connect) -> None:
    async with connected("splynx") as splynx:
        page = await splynx.list(ResourceRef(collection="customers"), PageRequest(limit=3))
        listed = page.items[1]
        opened = await splynx.get(listed.ref)
    assert isinstance(listed.links, Lazy)
    assert [(link.rel, link.href) for link in listed.links] == [(link.rel, link.href) for link in opened.links]
    assert {"invoices"} <= {link.rel for link in listed.links}


async def test_the_request_log_keeps_a_capped_redacted_body_of_a_big_page(connected: Connect) -> None:
    log = RequestLog()
    async with connected("splynx", request_log=log) as splynx:
        await splynx.list(ResourceRef(collection="customers"), PageRequest(limit=200))
    page = [e for e in log.entries() if e.method == "GET" and "customers/customer" in e.url][-1]
    assert page.response_size > LOG_BODY_LIMIT  # the page itself is bigger than the cap
    assert len(page.response_body) == LOG_BODY_LIMIT and page.response_body_truncated
    assert "sandbox-secret" not in page.response_body
