"""Listing cost: links built only when read, and request-log bodies capped (and redacted) per exchange."""

from __future__ import annotations

import pytest

from isptui.http import RequestLog
from isptui.http.recording import LOG_BODY_LIMIT
from isptui.model import Lazy, PageRequest, ResourceRef
from tests.backends.conftest import Connect


@pytest.mark.parametrize(("name", "collection", "rel"), [("splynx", "customers", "invoices"),
                                                     ("carbon", "Abonents", "Users")])
async def test_a_listed_record_has_the_links_of_the_opened_one(connected: Connect, name: str, collection: str,
                                                              rel: str) -> None:
    async with connected(name) as backend:
        page = await backend.list(ResourceRef(collection=collection), PageRequest(limit=3))
        listed = page.items[1]
        opened = await backend.get(listed.ref)
    assert isinstance(listed.links, Lazy)
    assert [(link.rel, link.href) for link in listed.links] == [(link.rel, link.href) for link in opened.links]
    assert rel in {link.rel for link in listed.links}
    assert [a.name for a in listed.actions] == [a.name for a in opened.actions]


async def test_the_request_log_keeps_a_capped_redacted_body_of_a_big_page(connected: Connect) -> None:
    log = RequestLog()
    async with connected("splynx", request_log=log) as splynx:
        await splynx.list(ResourceRef(collection="customers"), PageRequest(limit=200))
    page = [e for e in log.entries() if e.method == "GET" and "customers/customer" in e.url][-1]
    assert page.response_size > LOG_BODY_LIMIT  # the page itself is bigger than the cap
    assert len(page.response_body) == LOG_BODY_LIMIT and page.response_body_truncated
    assert "sandbox-secret" not in page.response_body
