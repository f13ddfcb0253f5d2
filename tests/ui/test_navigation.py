"""Pilot tests of links, errors, the tree's paging and go-to, on the real adapters against the sandbox."""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote_plus

from isptui.model import EntryPoint, ResourceRef
from isptui.sandbox.chaos import ChaosSpec
from isptui.ui.app import IspApp
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.dialogs import GoToScreen
from isptui.ui.screens.explorer_support import record_place
from isptui.ui.screens.picker import PickerScreen
from isptui.ui.widgets.collection_view import CollectionView
from isptui.ui.widgets.panels import ErrorPanel
from isptui.ui.widgets.record_view import RecordView
from isptui.ui.widgets.resource_tree import MoreRecords, ResourceTree
from tests.ui.conftest import SIZE, settle
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import explorer, goto

HARMLESS = "rate_limit=100000/s"
"""A chaos spec that changes nothing, so the sandbox has a chaos middleware the test can turn up later."""


def squash(text: str) -> str:
    """``text`` without whitespace: a long message or URL wrapped over lines still matches."""
    return re.sub(r"\s+", "", text)


async def choose_link(pilot, rel: str) -> None:  # type: ignore[no-untyped-def]
    view = pilot.app.screen.query_one(RecordView)
    index = [link.rel for link in view.record.links].index(rel)
    view.highlighted = next(i for i, o in enumerate(view.options) if o.id == f"link-{index}")
    await pilot.press("enter")
    await settle(pilot)


async def test_ispcrm_user_links_to_profile_and_invoices(demo_app) -> None:
    app, sandbox = demo_app("ispcrm")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "users 1")
        user = app.screen.query_one(RecordView).record
        assert {"profile", "invoices"} <= {link.rel for link in user.links}
        sandbox.clear_received()
        await choose_link(pilot, "profile")
        profile = app.screen.query_one(RecordView).record
        assert profile.id == "1"
        assert any(r.path.endswith("/profiles/1") for r in sandbox.received), [r.path for r in sandbox.received]
        assert "profile" in screen_text(app).splitlines()[0], "the breadcrumb should name the link followed"
        assert profile.fields.get("name") and str(profile.fields["name"]) in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        sandbox.clear_received()
        await choose_link(pilot, "invoices")
        view = app.screen.query_one(CollectionView)
        assert view.table.row_count > 0
        assert any(r.path.endswith("/users/1/i") for r in sandbox.received), [r.path for r in sandbox.received]
        assert "invoices ·" in screen_text(app)


async def test_server_error_panel_then_r_recovers(demo_app) -> None:
    app, sandbox = demo_app("splynx", chaos=HARMLESS)
    assert sandbox.chaos is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sandbox.chaos.spec = ChaosSpec.parse("error_rate=1")
        await goto(pilot, "customers")
        panel = app.screen.query_one(ErrorPanel)
        text = screen_text(app)
        # The right-hand side only (the tree is left of the first │), borders dropped, lines joined.
        seen = squash("".join(line.split("│", 1)[1].replace("│", "") for line in text.splitlines() if "│" in line))
        assert panel.error.status in (500, 503)
        assert f"HTTP {panel.error.status}" in text
        assert squash("Internal server error (sandbox chaos)") in seen
        assert squash("GET http://isptui-demo.invalid/api/2.0/admin/customers/customer") in seen, "no URL"
        assert "r retry" in text
        sandbox.chaos.spec = ChaosSpec.parse(HARMLESS)
        await pilot.press("r")
        await settle(pilot)
        assert not app.screen.query(ErrorPanel)
        assert "Customers · 200 rows" in screen_text(app)


async def test_tree_more_node_loads_the_next_page_into_the_tree(demo_app) -> None:
    app, sandbox = demo_app("krill")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(ResourceTree)
        assert tree.cursor_node is not None and tree.cursor_node.data.title == "Customers"
        await pilot.press("right")
        await settle(pilot)
        customers = tree.cursor_node
        assert len(customers.children) == 26
        assert "… 175 more" in screen_text(app)
        sandbox.clear_received()
        tree.move_cursor(customers.children[-1], animate=False)
        await pilot.press("enter")
        await settle(pilot)
        records = [n for n in customers.children if not isinstance(n.data, MoreRecords)]
        assert [n.data.ref.id for n in records[24:26]] == ["25", "26"]
        assert len(records) == 50
        assert str(customers.children[-1].label).startswith("… 150 more")
        assert "26 " in screen_text(app)
        assert any("offset=25" in unquote_plus(r.query) for r in sandbox.received), "next page not asked for"
        assert not app.screen.query(CollectionView), "the more node must not open the table"
        assert tree.cursor_node is records[25], "the cursor should land on the first new record"


async def test_goto_tells_the_two_krill_cpe_collections_apart(demo_app) -> None:
    app, _ = demo_app("krill")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, GoToScreen)
        app.focused.value = "cpes"
        await pilot.pause()
        lines = [line for line in screen_text(app).splitlines() if "CPEs" in line and "collection" in line]
        assert any("ISP" in line for line in lines), lines
        assert any("Monitoring" in line for line in lines), lines
        await pilot.press("escape")


async def test_explorer_paints_before_the_backend_is_built_and_a_failure_returns_to_the_picker() -> None:
    """Issue 15: the explorer is painted (from the declared collections) before the backend is built; when
    building fails the picker says why."""
    release = threading.Event()
    built: list[str] = []

    def slow_build():  # type: ignore[no-untyped-def]
        release.wait(5)
        built.append("yes")
        from isptui.errors import NotSupported

        raise NotSupported("no adapter in this test", "Adapter missing")

    entry = ProfileEntry("slow", "krill", slow_build)
    app = IspApp([entry], start="slow", show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "ExplorerScreen"
        assert "Connecting to slow…" in screen_text(app)
        assert not built, "the screen should be up while the backend is still being built"
        release.set()
        await settle(pilot)
        assert built
        assert isinstance(app.screen, PickerScreen)
        assert "no adapter in this test" in screen_text(app)


async def test_explorer_header_reads_pots_lines(demo_app) -> None:
    app, _ = demo_app("krill")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "isp/potses")
        text = screen_text(app)
        assert "POTS lines · 300 rows" in text
        assert "Potses" not in text
        assert explorer(app).known.all()


async def test_a_filter_matching_nothing_says_so(demo_app) -> None:
    app, sandbox = demo_app("splynx")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "customers")
        sandbox.clear_received()
        await pilot.press("slash")
        app.focused.value = "name~zzzz"
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Customers · 0 rows · filtered by the server: name~zzzz" in text
        assert "(no rows match the filter)" in text
        assert any("zzzz" in unquote_plus(r.query) for r in sandbox.received)


def test_goto_text_naming_a_collection_with_spaces_is_not_a_record() -> None:
    abonents = EntryPoint(key="Abonents", title="Abonents (subscribers)", ref=ResourceRef(collection="Abonents"))
    assert record_place([abonents], "Abonents (subscribers)") is None, "Carbon's title was read as name + id"
    place = record_place([abonents], "abonents 5")
    assert place is not None and place.ref == ResourceRef(collection="Abonents", id="5")
