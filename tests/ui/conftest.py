"""Fixtures for UI tests: the app on the real adapters against the in-process sandbox, or a memory backend.

``demo_app(backend)`` is the one switch: it builds the real demo entries (the same ``demo_profiles`` that
``isptui demo`` uses) and skips when that backend's adapter has not landed yet.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from isptui.backends.base import load_backend
from isptui.sandbox import Sandbox, create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.launch import demo_profiles
from isptui.ui.profiles import ProfileEntry
from tests.ui.memory_backend import MemoryBackend, MemoryLog, memory_settings

SIZE = (80, 24)


def adapter_or_skip(name: str) -> None:
    try:
        load_backend(name)
    except (KeyError, ImportError) as exc:
        pytest.skip(f"the {name} adapter has not landed: {exc}")


@pytest.fixture
def demo_app() -> Callable[..., tuple[IspApp, Sandbox]]:
    """``demo_app("krill", customers=200, chaos="")`` → (app started on that backend, its sandbox)."""

    def make(backend: str, *, customers: int = 200, chaos: str = "", read_only: bool = False
             ) -> tuple[IspApp, Sandbox]:
        adapter_or_skip(backend)
        sandbox = create_sandbox("all", customers=customers, seed=1, chaos=chaos)
        profiles = demo_profiles(sandbox, (backend,), read_only=read_only)
        return IspApp(profiles, start=profiles[0].name, show_latency=False), sandbox

    return make


@pytest.fixture
def memory_app() -> Callable[..., tuple[IspApp, dict[str, MemoryBackend]]]:
    """An app on the memory backend (for what no vendor offers: a locally filtered collection)."""

    def make(customers: int = 200) -> tuple[IspApp, dict[str, MemoryBackend]]:
        log = MemoryLog()
        made: dict[str, MemoryBackend] = {}

        def build() -> MemoryBackend:
            made["backend"] = MemoryBackend(memory_settings(log), customers=customers)
            return made["backend"]

        entry = ProfileEntry("memory", "memory", build, request_log=log, secrets=["memory-secret"])
        return IspApp([entry], show_latency=False), made

    return make


async def settle(pilot: Pilot[object], rounds: int = 3) -> None:
    """Let workers finish and the screen catch up (a few rounds: a worker may start another)."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
