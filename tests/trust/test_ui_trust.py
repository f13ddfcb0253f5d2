"""Cases 1, 3 and 4 in the TUI: markup in server text never parses, escapes show as text, external links ask.

A memory backend serves one hostile record: an id with ``[/]`` and an OSC 52 sequence, an action named
``[@click=app.quit]x[/]``, a link to another origin; and a collection whose listing fails with ``[/]`` in
the error. Each test drives the app as a user would (keys) and checks what is on screen.
"""

from __future__ import annotations

from typing import Any

from isptui.errors import ServerError
from isptui.model import Action, Link, Page, PageRequest, Record, ResourceRef
from isptui.text import is_clean
from isptui.ui.app import IspApp
from isptui.ui.places import Place
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.explorer import ExplorerScreen
from tests.ui.conftest import settle
from tests.ui.memory_backend import MemoryBackend, MemoryLog, memory_settings
from tests.ui.screen_text import screen_text

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
HOSTILE_ID = "7[/]" + OSC52
CLICK = "[@click=app.quit]x[/]"
ELSEWHERE = "http://elsewhere.example/steal"


class HostileBackend(MemoryBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.external_fetches: list[str] = []

    def _hostile(self) -> Record:
        ref = ResourceRef(collection="customers", id=HOSTILE_ID)
        return Record(ref=ref, title="[bold]Mallory[/]", fields={"id": HOSTILE_ID, "name": "[/]"},
                      links=(Link(rel="profile", href=ELSEWHERE, external=True),),
                      actions=(Action(name=CLICK, href="customers/7/x"),), raw={"id": HOSTILE_ID})

    async def get(self, ref: ResourceRef) -> Record:
        if ref.id == HOSTILE_ID:
            return self._hostile()
        return await super().get(ref)

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        if ref.collection == "tariffs":
            raise ServerError("expand failed: [/] [bold]" + "\x1b]0;pwned\x07", method="GET",
                              url="http://memory.test/tariffs[/]", status=500)
        return await super().list(ref, request)

    async def fetch_external(self, link: Link) -> Record:
        self.external_fetches.append(link.href)
        return Record(ref=ResourceRef(href=link.href), title="external", fields={"id": 1})


def hostile_app() -> tuple[IspApp, dict[str, HostileBackend]]:
    made: dict[str, HostileBackend] = {}

    def build() -> HostileBackend:
        made["backend"] = HostileBackend(memory_settings(MemoryLog()), customers=20)
        return made["backend"]

    return IspApp([ProfileEntry("memory", "memory", build, secrets=["memory-secret"])], show_latency=False), made


async def open_hostile(pilot: Any) -> ExplorerScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ExplorerScreen), screen_text(pilot.app)
    screen.open_place(Place("record", "hostile", ref=ResourceRef(collection="customers", id=HOSTILE_ID)))
    await settle(pilot)
    return screen


def toasts(app: IspApp) -> list[str]:
    return [f"{n.title}|{n.message}" for n in app._notifications]


async def test_copying_a_record_whose_id_holds_markup_and_osc52_shows_it_inert() -> None:
    app, _ = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_hostile(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.is_running
        shown = toasts(app)
        assert any("Copied" in t and "[/]" in t and "\\x1b]52;c;" in t for t in shown), shown
        assert all(is_clean(t) for t in shown)


async def test_an_action_name_with_click_markup_is_shown_as_typed_and_does_nothing() -> None:
    app, made = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_hostile(pilot)
        await pilot.press("a")
        for _ in range(5):  # not settle(): the actions worker waits on the dialog until it is answered
            await pilot.pause()
        assert app.is_running
        text = screen_text(app)
        assert CLICK in text and "Actions · customers/7[/]\\x1b]52;c;" in text, text
        await pilot.click(offset=(50, 10))  # a live [@click=app.quit] would quit here
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape")
        await settle(pilot)
        assert made["backend"].invoked == []


async def test_a_tree_node_that_fails_with_markup_in_the_error_does_not_crash() -> None:
    app, _ = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        screen.open_place(Place("collection", "Tariffs", ref=ResourceRef(collection="tariffs")))
        await settle(pilot)
        screen.show_error_notice(ServerError("expand failed: [/] [bold]\x1b]0;pwned\x07"))
        await settle(pilot)
        assert app.is_running
        shown = toasts(app)
        assert any("expand failed: [/] [bold]\\x1b]0;pwned\\x07" in t for t in shown), shown


async def test_an_external_link_is_marked_and_opened_only_after_the_user_confirms() -> None:
    app, made = hostile_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_hostile(pilot)
        text = screen_text(app)
        assert "↗ profile" in text and "external" in text, text
        link = Link(rel="profile", href=ELSEWHERE, external=True)
        screen.follow_link(link)
        await settle(pilot)
        assert "another origin" in screen_text(app)
        await pilot.press("escape")  # Cancel: nothing is fetched
        await settle(pilot)
        assert made["backend"].external_fetches == []
        screen.follow_link(link)
        await settle(pilot)
        await pilot.press("right", "enter")  # to "Open", then press it
        await settle(pilot)
        assert made["backend"].external_fetches == [ELSEWHERE]
