"""Fixtures for the edit screens: real adapters on the in-process sandbox, a tmp journal, a tiny host app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Button, TextArea

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.edit.editor import Editor
from isptui.edit.journal import Journal
from isptui.sandbox import Sandbox, create_sandbox
from tests.ui.screen_text import screen_text

URL = "http://sandbox.local"
SIZE = (80, 24)
CREDENTIALS = {
    "splynx": {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"},
    "krill": {"username": "operator", "password": "sandbox"},
}


class Host(App[None]):
    """A bare app that pushes one screen (or runs one flow in a worker) and keeps what came back."""

    def __init__(self, screen: Callable[[], Screen[Any]] | None = None,
                 flow: Callable[[App[Any]], Awaitable[Any]] | None = None) -> None:
        super().__init__()
        self.make_screen = screen
        self.flow = flow
        self.results: list[Any] = []

    def on_mount(self) -> None:
        if self.make_screen is not None:
            self.push_screen(self.make_screen(), self.results.append)
        if self.flow is not None:
            self.run_worker(self._run_flow(), exit_on_error=False)

    async def _run_flow(self) -> None:
        assert self.flow is not None
        self.results.append(await self.flow(self))


@dataclass
class Connected:
    """One backend connected to the sandbox, with an Editor writing to a tmp journal."""

    backend: Backend
    sandbox: Sandbox
    editor: Editor
    journal: Journal

    def writes(self) -> list[tuple[str, str, bytes]]:
        """What the sandbox received other than reads (method, path, body)."""
        return [(r.method, r.path, r.body) for r in self.sandbox.received
                if r.method not in ("GET", "HEAD", "OPTIONS") and "login" not in r.path
                and "auth" not in r.path and "token" not in r.path]


async def connect(name: str, sandbox: Sandbox, *, read_only: bool = False) -> Backend:
    settings = BackendSettings(url=URL, credentials=CREDENTIALS[name], transport=sandbox.transport(), retries=0,
                               profile_name=f"demo-{name}", read_only=read_only)
    backend = load_backend(name)(settings)
    await backend.connect()
    return backend


@pytest.fixture
def sandbox() -> Sandbox:
    return create_sandbox("all", customers=20)


@pytest.fixture
async def backend_for(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Connected]]]:
    """``await backend_for("splynx", read_only=False)`` → Connected; every backend is closed after the test."""
    made: list[Backend] = []

    async def make(name: str, *, read_only: bool = False) -> Connected:
        backend = await connect(name, sandbox, read_only=read_only)
        made.append(backend)
        journal = Journal(path=tmp_path / "journal.jsonl", secrets=tuple(backend.settings.secrets()))
        return Connected(backend, sandbox, Editor(backend, journal, f"demo-{name}"), journal)

    yield make
    for backend in made:
        await backend.close()


def field_input(app: App[Any], name: str) -> Any:
    """The control of the form field called ``name`` on the current screen (``type_into`` mounts it first
    when the form has not yet mounted its lower fields)."""
    screen = app.screen
    for editor in screen.editors:  # type: ignore[attr-defined]
        if editor.spec.name == name:
            return editor.control
    raise AssertionError(f"no field {name!r} on {type(screen).__name__}")


async def type_into(pilot: Any, control: Any, text: str) -> None:
    """Focus a field, clear it and type ``text`` key by key, as a user would (Input or TextArea)."""
    await reach(pilot)
    control.focus()
    await pilot.pause()
    if isinstance(control, TextArea):
        control.clear()
    else:
        control.value = ""
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])


async def reach(pilot: Any) -> None:
    """A long form mounts its lower fields one per repaint; a test that reaches for any field at once
    stands for a user who scrolled down to it, so whatever is still waiting is mounted first."""
    screen = pilot.app.screen
    if getattr(screen, "_unmounted", None):
        await screen.mount_all_fields()
        await pilot.pause()


async def wait_for(pilot: Any, condition: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    """Let the app run until ``condition()`` holds (a save worker waits on dialogs, so no wait_for_complete)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}; screen:\n{screen_text(pilot.app)}")
        await pilot.pause(0.02)
    await pilot.pause()


def focused_button(app: App[Any]) -> str | None:
    focused = app.focused
    return str(focused.label) if isinstance(focused, Button) else None


__all__ = ["SIZE", "Connected", "Host", "field_input", "focused_button", "screen_text", "type_into", "wait_for"]
