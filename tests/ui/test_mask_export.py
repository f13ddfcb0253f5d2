"""m masks personal data everywhere a person can see or copy it; x exports the collection with progress."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.widgets import Input

from isptui.sandbox.dataset import subscriber
from isptui.ui.screens.export import ExportScreen
from tests.ui.conftest import SIZE, settle
from tests.ui.edit.conftest import wait_for
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import goto

CUSTOMERS = 12


def personal_values() -> list[str]:
    values: list[str] = []
    for n in range(1, CUSTOMERS + 1):
        s = subscriber(1, n)
        values += [s.email, s.phone, s.ipv4, s.mac, s.name, s.street]
    return values


def leaks(text: str) -> list[str]:
    return [v for v in personal_values() if v and v in text]


async def test_masked_in_the_table_copies_record_and_raw_json(demo_app) -> None:
    app, _ = demo_app("ispcrm", customers=CUSTOMERS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "users")
        assert leaks(screen_text(app)), "the test would pass without masking"
        await pilot.press("m")
        await pilot.pause()
        seen = [screen_text(app)]
        assert "MASKED" in seen[0]
        await pilot.press("y")  # copy the row under the cursor as JSON
        copies = [app.clipboard]
        await pilot.press("enter")  # the record view, its breadcrumb
        await settle(pilot)
        seen.append(screen_text(app))
        await pilot.press("t")  # raw JSON
        await settle(pilot)
        seen.append(screen_text(app))
        for text in [*seen, *copies]:
            assert leaks(text) == [], text[:400]
        # Stable within the session: the copied email is the one the table shows.
        email = json.loads(copies[0])["email"]
        assert email.startswith("•••") and email[:8] in seen[0]
        await pilot.press("m")  # and off again
        await settle(pilot)
        assert subscriber(1, 1).email in screen_text(app) and "MASKED" not in screen_text(app)


async def test_masked_in_the_request_log_curl_and_export(demo_app, tmp_path: Path) -> None:
    app, _ = demo_app("ispcrm", customers=CUSTOMERS)
    app.mask.on = True  # as --mask / ISPTUI_MASK=1 start it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "users")
        await pilot.press("slash")
        await pilot.pause()
        app.focused.value = subscriber(1, 2).email  # a search puts an email into the URL and the header
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        seen = screen_text(app)
        assert "MASKED" in seen and "=•••" in seen
        await pilot.press("c")
        copied = app.clipboard
        await pilot.press("l", "x")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one(Input).value = str(tmp_path / "users.jsonl")
        await pilot.press("enter")
        await settle(pilot)
        exported = (tmp_path / "users.jsonl").read_text(encoding="utf-8")
        assert len(exported.splitlines()) == 1  # the collection as filtered
        assert any("Exported 1 records" in n.message for n in app._notifications)
        for text in (seen, copied, exported):
            assert leaks(text) == [], text[:400]


async def test_escape_cancels_an_export_and_leaves_no_file(demo_app, tmp_path: Path) -> None:
    app, _sandbox = demo_app("splynx", customers=1200)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "customers")
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        backend = app.backend
        assert backend is not None
        listed = backend.list
        hang = asyncio.Event()  # never set: every page after the first hangs until the export is cancelled

        async def first_page_only(ref, request=None):  # type: ignore[no-untyped-def]
            if request is not None and request.offset:
                await hang.wait()
            return await listed(ref, request)

        backend.list = first_page_only  # type: ignore[method-assign]
        screen.query_one(Input).value = str(tmp_path / "customers.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "500/1,200 records" in screen_text(app), "the first page's progress")
        assert "500/1,200 records" in screen_text(app) and "esc cancels" in screen_text(app)
        await pilot.press("escape")
        await app.workers.wait_for_complete()  # the cancelled export has cleaned up
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert any("no file was written" in n.message for n in app._notifications)
        assert list(tmp_path.iterdir()) == []


async def test_tree_records_are_masked_when_the_mask_is_on(demo_app) -> None:
    app, _ = demo_app("splynx", customers=CUSTOMERS)  # Splynx titles its customers by name
    app.mask.on = True
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")  # expand Customers in the tree: its records load under it
        await settle(pilot)
        seen = screen_text(app)
        assert "1 Ol•••" in seen, seen
        assert leaks(seen) == [] and subscriber(1, 1).first_name not in seen


async def test_go_to_shows_names_as_the_mask_says_now(demo_app) -> None:
    from isptui.ui.screens.dialogs import GoToScreen

    app, _ = demo_app("splynx", customers=CUSTOMERS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "customers")  # its records become go-to places, found with the mask off
        await pilot.press("m", "colon")
        await settle(pilot)
        assert isinstance(app.screen, GoToScreen)
        titles = " | ".join(p.title for p in app.screen.places if p.kind == "record")
        assert "1 Ol•••" in titles and leaks(titles) == [], titles
        await pilot.press("escape", "m", "colon")  # and back to plain names with the mask off
        await settle(pilot)
        titles = " | ".join(p.title for p in app.screen.places if p.kind == "record")
        assert f"1 {subscriber(1, 1).name}" in titles and "•••" not in titles


async def test_a_bad_file_name_says_why_and_can_be_fixed(demo_app, tmp_path: Path) -> None:
    import csv

    app, _ = demo_app("ispcrm", customers=CUSTOMERS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "users")
        await pilot.press("x")
        await pilot.pause()
        box = app.screen.query_one(Input)
        box.value = str(tmp_path / "users.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert "End the name with .csv, .jsonl or .json" in screen_text(app)
        assert list(tmp_path.iterdir()) == []
        box.value = str(tmp_path / "users.csv")
        await pilot.press("enter")
        await settle(pilot)
        with (tmp_path / "users.csv").open(newline="", encoding="utf-8") as stream:
            assert len(list(csv.reader(stream))) == CUSTOMERS + 1
