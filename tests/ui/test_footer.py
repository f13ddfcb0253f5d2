"""The key footer (issue 15 item 8): one line, redrawn only when the keys it shows change, never stale.

Textual's Footer rebuilt a widget per key after each bindings update, needed or not, which was the largest
part of the first paint after the imports; these pin that an update changing nothing redraws nothing, that
a real change (focus moving to a widget with other keys) shows exactly the screen's keys, and that every
screen (the form and its dialogs too) has this one footer.
"""

from __future__ import annotations

from textual.widgets import Footer

from isptui.sandbox import create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.launch import demo_profiles
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.widgets.footer import KeyFooter
from isptui.ui.widgets.record_table import RecordTable
from tests.ui.conftest import SIZE, settle
from tests.ui.edit.conftest import wait_for
from tests.ui.screen_text import screen_text


def _footer(app: IspApp) -> KeyFooter:
    return app.screen.query_one(KeyFooter)


def _shown(app: IspApp) -> list[str]:
    """The keys the screen's bindings say the footer shows, in order (the command palette's last)."""
    screen = app.screen
    keys = [binding.key for binding in
            {b.action: b for _, b, _, _ in screen.active_bindings.values() if b.show}.values()]
    footer = _footer(app)
    if footer.show_command_palette and app.COMMAND_PALETTE_BINDING in screen.active_bindings:
        keys.append(app.COMMAND_PALETTE_BINDING)
    return keys


async def test_bindings_updates_that_change_nothing_do_not_rebuild_the_footer() -> None:
    sandbox = create_sandbox("all", customers=20, seed=1)
    app = IspApp(demo_profiles(sandbox, ("krill", "splynx")), show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = _footer(app)
        before = footer.entries
        assert footer.keys == ["q", "space", "question_mark", "ctrl+p"]
        drawn: list[int] = []
        render = footer.render
        footer.render = lambda: (drawn.append(1), render())[1]  # type: ignore[method-assign]
        for _ in range(3):
            app.screen.refresh_bindings()
            await pilot.pause()
        await settle(pilot)
        assert footer.entries is before and drawn == [], "the footer was redrawn for nothing"
        text = screen_text(app).splitlines()[-1]
        assert "q Quit" in text and "space Mark several" in text and "? Help" in text, text
        assert text.rstrip().endswith("^p Commands"), text  # the command palette's key on the right
        assert not footer.children and not app.screen.query(Footer)  # one widget, no widget per key


async def test_the_footer_follows_focus_to_other_keys() -> None:
    sandbox = create_sandbox("all", customers=20, seed=1)
    profiles = demo_profiles(sandbox, ("krill",))
    app = IspApp(profiles, start=profiles[0].name, show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        on_tree = _footer(app).keys
        assert on_tree == _shown(app)
        await pilot.press("enter")  # open the first collection: focus moves to its table
        await settle(pilot)
        assert isinstance(app.focused, RecordTable)
        on_table = _footer(app).keys
        assert on_table == _shown(app)
        assert on_table != on_tree
        text = screen_text(app).splitlines()[-1]
        assert "e Edit" in text and "/ Filter" in text and "q Quit" in text, text


async def test_every_screen_shows_its_keys_in_the_one_footer() -> None:
    """The edit form and its dialogs had Textual's own Footer (a second footer, a widget per key)."""
    from isptui.ui.edit import RecordFormScreen

    sandbox = create_sandbox("all", customers=20, seed=1)
    profiles = demo_profiles(sandbox, ("splynx",))
    app = IspApp(profiles, start=profiles[0].name, show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the first collection
        await settle(pilot)
        await pilot.press("enter")  # its first record
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the edit form")
        assert _footer(app).keys == _shown(app) and not app.screen.query(Footer)
        text = screen_text(app).splitlines()[-1]
        assert "^s Save" in text and "esc Close" in text, text
