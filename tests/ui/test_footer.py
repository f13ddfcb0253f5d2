"""The key footer (issue 15 item 8): rebuilt only when the keys it shows change, never showing stale keys.

Textual's Footer rebuilt every key after each bindings update, needed or not, which was the largest part of
the first paint after the imports; these pin that an update changing nothing rebuilds nothing, and that a
real change (focus moving to a widget with other keys) still shows exactly the screen's keys.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from isptui.sandbox import create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.launch import demo_profiles
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.widgets.record_table import RecordTable
from tests.ui.conftest import SIZE, settle
from tests.ui.screen_text import screen_text


def _keys(app: IspApp) -> list[FooterKey]:
    return list(app.screen.query_one(Footer).query(FooterKey))


def _shown(app: IspApp) -> list[str]:
    """The keys the screen's bindings say the footer shows, in order (the command palette's last)."""
    screen = app.screen
    keys = [binding.key for binding in
            {b.action: b for _, b, _, _ in screen.active_bindings.values() if b.show}.values()]
    footer = screen.query_one(Footer)
    if footer.show_command_palette and app.COMMAND_PALETTE_BINDING in screen.active_bindings:
        keys.append(app.COMMAND_PALETTE_BINDING)
    return keys


async def test_bindings_updates_that_change_nothing_do_not_rebuild_the_footer() -> None:
    sandbox = create_sandbox("all", customers=20, seed=1)
    app = IspApp(demo_profiles(sandbox, ("krill", "splynx")), show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = _keys(app)
        assert [k.key for k in before] == ["q", "space", "question_mark", "ctrl+p"]
        for _ in range(3):
            app.screen.refresh_bindings()
            await pilot.pause()
        await settle(pilot)
        after = _keys(app)
        assert [id(k) for k in after] == [id(k) for k in before], "the footer was rebuilt for nothing"
        text = screen_text(app).splitlines()[-1]
        assert "q Quit" in text and "space Mark several" in text and "? Help" in text, text
        # The command palette's key keeps Textual's compact style; the others follow the footer (wide).
        assert [k.has_class("-compact") for k in after] == [False, False, False, True]


async def test_the_footer_follows_focus_to_other_keys() -> None:
    sandbox = create_sandbox("all", customers=20, seed=1)
    profiles = demo_profiles(sandbox, ("krill",))
    app = IspApp(profiles, start=profiles[0].name, show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        on_tree = [k.key for k in _keys(app)]
        assert on_tree == _shown(app)
        assert all(k.has_class("-compact") for k in _keys(app))  # the explorer's footer is compact
        await pilot.press("enter")  # open the first collection: focus moves to its table
        await settle(pilot)
        assert isinstance(app.focused, RecordTable)
        on_table = [k.key for k in _keys(app)]
        assert on_table == _shown(app)
        assert on_table != on_tree
        assert all(k.has_class("-compact") for k in _keys(app))


async def test_the_footer_is_built_once_at_start(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Its keys are composed with it, not built empty and then again on the screen's first bindings update."""
    from isptui.ui.widgets.footer import KeyFooter

    rebuilt: list[str] = []
    recompose = KeyFooter.recompose

    async def counted(self: KeyFooter) -> None:
        rebuilt.append(type(self.screen).__name__)
        await recompose(self)

    monkeypatch.setattr(KeyFooter, "recompose", counted)
    sandbox = create_sandbox("all", customers=20, seed=1)
    profiles = demo_profiles(sandbox, ("krill",))
    app = IspApp(profiles, start=profiles[0].name, show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert [k.key for k in _keys(app)] == _shown(app)
        assert rebuilt == []
