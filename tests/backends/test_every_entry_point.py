"""Every entry point an adapter offers answers on the sandbox: no menu item leads to a 404."""

from __future__ import annotations

import pytest

from isptui.model import PageRequest
from tests.backends.conftest import CASES, Connect


@pytest.mark.parametrize("name", sorted(CASES))
async def test_every_discovered_collection_lists(name: str, connected: Connect) -> None:
    failures = []
    async with connected(name) as backend:
        entries = await backend.discover()
        for entry in entries:
            try:
                page = await backend.list(entry.ref, PageRequest(limit=3))
            except Exception as exc:  # noqa: BLE001 - collect every failure, then report them together
                failures.append(f"{entry.key}: {type(exc).__name__}: {exc}")
                continue
            if page.total is not None:
                assert page.total >= len(page.items), entry.key
    assert entries, f"{name} discovered nothing"
    assert failures == []
