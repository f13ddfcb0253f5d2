"""Secret-looking fields are masked in the record view until ``v`` reveals one (issue 15, item 6)."""

from __future__ import annotations

from isptui.sandbox.dataset import subscriber
from isptui.ui.widgets.record_view import RecordView
from tests.ui.conftest import settle
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import goto


async def test_wifi_and_pppoe_passwords_are_masked_until_revealed(demo_app) -> None:
    app, sandbox = demo_app("krill")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await goto(pilot, "isp/cpes 2")
        await settle(pilot)
        view = app.screen.query_one(RecordView)
        wifi = view.record.fields.get("wifi_password")
        pppoe = view.record.fields.get("pppoe_password")
        assert wifi and pppoe
        text = screen_text(app)
        assert wifi not in text and pppoe not in text
        assert "v reveals" in text
        names = list(view.record.fields)
        view.focus()
        view.highlighted = next(i for i, o in enumerate(view.options)
                                if o.id == f"field-{names.index('wifi_password')}")
        await pilot.press("v")
        await pilot.pause()
        text = screen_text(app)
        assert wifi in text and pppoe not in text
        await pilot.press("v")
        await pilot.pause()
        assert wifi not in screen_text(app)
        assert subscriber(1, 2).password not in screen_text(app)


async def test_pots_line_password_is_masked(demo_app) -> None:
    app, _ = demo_app("krill")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await goto(pilot, "isp/potses 1")
        await settle(pilot)
        view = app.screen.query_one(RecordView)
        secret = view.record.fields.get("password")
        assert secret
        assert secret not in screen_text(app)
