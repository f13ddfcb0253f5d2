"""The catalogue each backend declares for the explorer's first paint (issue 15) is what discovery finds on
the reference server (the sandbox), so the tree painted before connecting is not reshuffled after."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from isptui.backends import registry
from isptui.sandbox import create_sandbox
from isptui.ui.launch import demo_profiles


@pytest.mark.parametrize("name", ["splynx", "krill", "ispcrm", "trisul", "carbon"])
def test_declared_catalogue_matches_discovery(name: str) -> None:
    declared = [(e.key, e.title, e.group) for e in registry.descriptor(name).first_paint()]
    backend = demo_profiles(create_sandbox("all", customers=20, seed=1), (name,))[0].build()

    async def discover() -> list[tuple[str, str, str]]:
        await backend.connect()
        try:
            return [(e.key, e.title, e.group) for e in await backend.discover()]
        finally:
            await backend.close()

    assert declared == asyncio.run(discover())


def test_reading_the_catalogue_imports_neither_pydantic_nor_httpx() -> None:
    code = ("import sys; from isptui.backends import registry\n"
            "assert all(registry.descriptor(n).first_paint() for n in registry.names())\n"
            "print(sorted(m for m in ('pydantic', 'httpx', 'isptui.model') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_catalogue_named_by_a_broken_reference_is_empty_not_an_error() -> None:
    broken = registry.BackendDescriptor(name="x", title="X", description="", adapter="x:X",
                                        catalogue="isptui.no_such_module:CATALOGUE")
    assert broken.first_paint() == ()
