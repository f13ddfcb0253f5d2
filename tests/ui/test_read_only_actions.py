"""Read-only hides every action that writes, in the record view and the ``a`` list, and ``?`` says why."""

from __future__ import annotations

from textual.widgets import OptionList

from isptui.ui.screens.dialogs import ChooseScreen, HelpScreen
from isptui.ui.widgets.record_view import RecordView
from tests.ui.conftest import settle
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import goto


async def test_read_only_offers_no_writing_action_and_help_says_why(demo_app) -> None:
    app, sandbox = demo_app("krill", read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await goto(pilot, "isp/cpes 1")
        await settle(pilot)
        view = app.screen.query_one(RecordView)
        assert view.record.actions, "the Krill CPE should have actions (reboot …) to hide"
        assert all(not a.writes for a in view.actions)
        assert "⚡" not in screen_text(app) or all(a.title not in screen_text(app) for a in view.record.actions
                                                  if a.writes)
        await pilot.press("a")
        await settle(pilot)
        if isinstance(app.screen, ChooseScreen):
            lines = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
            assert not any(a.name in line for a in view.record.actions if a.writes for line in lines)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "every action that writes" in screen_text(app)
    methods = {r.method for r in sandbox.received}
    assert methods <= {"GET", "HEAD", "OPTIONS", "POST"}
    assert not [r for r in sandbox.received if r.method == "POST" and "login" not in r.path]
