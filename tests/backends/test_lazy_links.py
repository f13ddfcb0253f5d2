"""A listed record builds its links only when read, and they are the links of the opened record."""

from __future__ import annotations

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
