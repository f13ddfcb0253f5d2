"""Several connections side by side (``isptui demo all``), ctrl+o, and the ctrl+f Find screen (issue 17)."""

from __future__ import annotations

from isptui.sandbox import create_sandbox
from isptui.sandbox.dataset import subscriber
from isptui.ui.app import IspApp
from isptui.ui.launch import _builder, demo_profiles
from isptui.ui.screens.dialogs import ChooseScreen
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.screens.find import FindScreen
from isptui.ui.screens.picker import PickerScreen
from isptui.ui.workspace import SlotScreen
from tests.ui.conftest import SIZE, settle
from tests.ui.edit.conftest import wait_for
from tests.ui.screen_text import screen_text

FIVE = ["demo-splynx", "demo-krill", "demo-ispcrm", "demo-trisul", "demo-carbon"]


def workspace_app(customers: int = 60, **kwargs: object) -> IspApp:
    sandbox = create_sandbox("all", customers=customers, seed=1)
    profiles = demo_profiles(sandbox)
    return IspApp(profiles, workspace=[p.name for p in profiles], show_latency=False, **kwargs)  # type: ignore[arg-type]


async def switch_with_ctrl_o(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(app.screen, ChooseScreen)
    assert name in screen_text(app)
    choices = app.screen.query_one("#choices")
    choices.highlighted = list(app.slots).index(name)
    await pilot.press("enter")
    await settle(pilot)


async def test_demo_all_opens_five_connections_and_ctrl_o_switches_keeping_each_place() -> None:
    app = workspace_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert list(app.slots) == FIVE
        assert all(slot.state == "open" for slot in app.slots.values())
        assert isinstance(app.screen, ExplorerScreen) and app.active == "demo-splynx"
        assert "1/5 demo-splynx · read-write" in screen_text(app).splitlines()[0]

        # A place in Splynx, then Krill, then back: Splynx still shows its customers, with its own history.
        splynx = app.screen
        await pilot.press("colon", *"customers", "enter")
        await settle(pilot)
        assert splynx.history.current is not None and splynx.history.current.title == "Customers"

        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ChooseScreen)
        dialog = screen_text(app)
        assert all(name in dialog for name in FIVE)
        await pilot.press("enter")  # the next connection is highlighted
        await settle(pilot)
        assert app.active == "demo-krill"
        assert isinstance(app.screen, ExplorerScreen) and app.screen is not splynx
        assert "2/5 demo-krill" in screen_text(app).splitlines()[0]
        assert app.screen.history.current is None

        await switch_with_ctrl_o(pilot, "demo-splynx")
        assert app.screen is splynx
        assert "Customers" in screen_text(app).splitlines()[0]
        assert len(app.screen_stack) == 3  # picker under one explorer, nothing piled up


async def test_a_connection_that_fails_shows_its_error_in_its_slot_while_the_others_work() -> None:
    sandbox = create_sandbox("all", customers=30, seed=1)
    profiles = demo_profiles(sandbox, ("ispcrm", "splynx"))
    bad = profiles[0]
    bad.build = _builder(bad, None, "ispcrm", sandbox, {"token": "not-the-token"}, False)
    app = IspApp(profiles, workspace=[p.name for p in profiles], show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.slots["demo-ispcrm"].state == "failed"
        assert app.slots["demo-splynx"].state == "open"
        assert isinstance(app.screen, SlotScreen)
        text = screen_text(app)
        assert "Could not connect to demo-ispcrm" in text and "r tries again" in text

        await switch_with_ctrl_o(pilot, "demo-splynx")
        assert isinstance(app.screen, ExplorerScreen)
        await pilot.press("colon", *"customers", "enter")
        await settle(pilot)
        assert "Customers" in screen_text(app)
        assert list(app.open_connections()) == ["demo-splynx"]


async def test_several_profiles_marked_in_the_picker_open_side_by_side() -> None:
    sandbox = create_sandbox("all", customers=30, seed=1)
    app = IspApp(demo_profiles(sandbox), show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("space", "down", "down", "space", "enter")
        await settle(pilot)
        assert list(app.slots) == ["demo-splynx", "demo-ispcrm"]
        assert "1/2 demo-splynx" in screen_text(app).splitlines()[0]


async def test_one_connection_keeps_its_plain_header_and_ctrl_o_says_why_there_is_nothing_to_switch(
        demo_app) -> None:
    app, _ = demo_app("splynx")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.slots
        assert "1/1" not in screen_text(app) and "read-write" not in screen_text(app).splitlines()[0]
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert any("One connection is open" in n.message for n in app._notifications)


# -- Find ------------------------------------------------------------------------------------------------
async def find(pilot, text: str) -> FindScreen:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+f")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FindScreen)
    await pilot.press(*text, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FindScreen)
    # Every connection has answered (a second answer, by others' keys, may follow the first).
    await wait_for(pilot, lambda: screen.states and not any("searching" in t.plain for t in screen.states.values())
                   and not screen.workers, "every connection's answer")
    return screen


async def test_ctrl_f_42_streams_every_connection_groups_and_enter_opens_the_record_back_returns() -> None:
    app = workspace_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await find(pilot, "42")
        text = screen_text(app)
        status = [line for line in text.splitlines() if line.strip().startswith("demo-") and " · " in line]
        assert len(status) == 5 and all("found" in line and line.rstrip().endswith(" s") for line in status)
        assert "Subscriber 1" in text and "shared: login isp00042" in text
        # Subscriber 42 in all five systems, as one person.
        first = screen.subscribers[0]
        assert first.connections == sorted(FIVE) and "in 5 systems" in text
        assert len(screen.subscribers) == 1
        # Answers arrived in any order; untouched, the highlight is on the top hit, not the first to arrive.
        results = screen.query_one("#find-results")
        assert results.has_focus and screen.shown[results.highlighted].connection == "demo-splynx"

        # Krill's hit: enter twice must open it once, not pop the explorer too.
        index = next(i for i, hit in enumerate(screen.shown) if hit is not None and hit.connection == "demo-krill")
        screen.query_one("#find-results").highlighted = index
        opened = screen.shown[index]
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert app.active == "demo-krill"
        krill = app.screen
        assert isinstance(krill, ExplorerScreen) and len(app.screen_stack) == 3
        assert krill.record is not None and str(krill.record.id) == opened.record_id
        assert "2/5 demo-krill" in screen_text(app).splitlines()[0]

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and "Subscriber 1" in screen_text(app)  # kept, not searched again
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is krill


async def test_ctrl_f_by_ip_finds_subscriber_42_in_all_five_through_the_keys_the_others_carry() -> None:
    """ISPCRM and Trisul cannot search by IP: they are asked by the login the others' records carry, and
    their status line says so."""
    app = workspace_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await find(pilot, subscriber(1, 42).ipv4)
        text = screen_text(app)
        assert [s.connections for s in screen.subscribers] == [sorted(FIVE)] and "in 5 systems" in text
        assert "via login isp00042" in text


async def test_ctrl_f_with_one_connection_opens_the_hit_in_its_explorer(demo_app) -> None:
    app, _ = demo_app("ispcrm", customers=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        explorer = app.screen
        await find(pilot, "42")
        assert "demo-ispcrm" in screen_text(app) and "found 1" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is explorer and explorer.record is not None and str(explorer.record.id) == "42"
        assert len(app.screen_stack) == 3
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FindScreen)


async def test_find_shows_server_text_literally_never_as_markup(demo_app) -> None:
    app, _ = demo_app("splynx", customers=10)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await find(pilot, "3")
        label = next(hit.label for hit in screen.hits if hit.record_id == "3")
        assert "[bold red]" in label  # the demo's subscriber 3 is named with markup
        assert "[bold red]Rich[/]" in screen_text(app)


async def test_ctrl_f_mac_on_ispcrm_is_not_scanned_until_s_then_found_by_a_bounded_scan(demo_app) -> None:
    """ISPCRM cannot search by MAC: the status says so and nothing is read; ``s`` scans its users (at most
    1,000, here all 60) and finds subscriber 42, saying how many records were read."""
    app, sandbox = demo_app("ispcrm", customers=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sandbox.clear_received()
        screen = await find(pilot, subscriber(1, 42).mac.upper())
        text = screen_text(app)
        assert "not searchable on this server · s scans" in text and "up to 1,000 records each" in text
        assert screen.offer == ["demo-ispcrm"] and not screen.hits
        assert not [r for r in sandbox.received if "/users" in r.path]  # never scanned unasked
        await pilot.press("s")
        await settle(pilot)
        await wait_for(pilot, lambda: not screen.workers and screen.hits, "the scan's answer")
        text = screen_text(app)
        assert "found 1 by scanning 60 records of users" in text
        assert [h.record_id for h in screen.hits] == ["42"] and "Subscriber 1" in text
        assert "up to 1,000 records each" not in text and not screen.offer
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and str(app.screen.record.id) == "42"
