"""``:`` go-to at scale and dialogs that are dismissed once (issue 15, items 1 and 2)."""

from __future__ import annotations

import random

from isptui.model import ResourceRef
from isptui.ui.places import Place
from isptui.ui.screens.dialogs import GoToScreen
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.screens.picker import PickerScreen
from tests.stall import no_loop_stalls
from tests.ui.conftest import SIZE, settle
from tests.ui.test_explorer import explorer

WORDS = ("customer", "tariff", "invoice", "router", "service", "payment", "ticket", "device", "partner")


def long_places(count: int = 10_000, length: int = 300) -> list[Place]:
    """Records with ~300-character names (what the defect report used), made the same on every run."""
    rng = random.Random(15)
    places = []
    for i in range(count):
        title = " ".join(f"{rng.choice(WORDS)}{rng.randrange(100_000)}" for _ in range(40))[:length]
        places.append(Place("record", title, ref=ResourceRef(collection="isp/customers", id=str(i)),
                            parent="Customers"))
    return places


async def test_goto_over_10000_long_names_never_blocks_the_loop_and_ranks_the_exact_name_first(
        demo_app) -> None:
    app, _ = demo_app("krill")
    places = long_places()
    target = places[4321]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = explorer(app)
        for place in places:
            screen.known.add(place)
        # A candidate that only *contains* the name must rank below the one that *is* it.
        screen.known.add(Place("record", "x" + target.title, ref=ResourceRef(collection="isp/customers", id="x")))
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, GoToScreen)
        async with no_loop_stalls() as watch:
            for char in target.title[:8].replace(" ", ""):
                await pilot.press(char)
                await pilot.pause()
            app.screen.query_one("#goto-input").value = target.title.upper()
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.screen.shown[0] == target, app.screen.shown[:2]
        assert watch.worst <= watch.limit, watch.report()


async def test_fuzzy_letters_in_order_follow_the_substring_matches(demo_app) -> None:
    app, _ = demo_app("krill")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = explorer(app)
        screen.known.add(Place("record", "Zebra router north", ref=ResourceRef(collection="isp/cpes", id="1")))
        await goto_text(pilot, "zbrnth")
        assert any(p.title == "Zebra router north" for p in app.screen.shown)


async def goto_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("colon")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_double_enter_in_goto_stays_on_the_explorer(demo_app) -> None:
    app, _ = demo_app("splynx")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"customers")
        # Two Enters with no pause between them: the second must not pop the explorer.
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert not any(isinstance(s, PickerScreen) for s in app.screen_stack[-1:])


async def test_double_escape_in_help_stays_on_the_explorer(demo_app) -> None:
    app, _ = demo_app("krill")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape", "escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
