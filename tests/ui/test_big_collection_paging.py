"""Paging a big Trisul collection in the UI (issue 15 item 9): the event loop is never blocked over 50 ms, and
the whole list is asked of the server once for the connection check, the open, End, page down and Home.

Trisul's customers API answers the whole collection as one JSON array (no paging). The sandbox is served over
127.0.0.1 (``serving``: uvicorn in a thread), so its own work (building and encoding the rows) is not on the
app's loop; the stall detector times the loop thread's CPU only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from isptui.backends.base import BackendSettings, load_backend
from isptui.http import RequestLog
from isptui.sandbox import Sandbox, create_sandbox
from isptui.sandbox.serve import serving
from isptui.ui.app import IspApp
from isptui.ui.launch import demo_credentials
from isptui.ui.places import Place
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.widgets.record_table import RecordTable
from tests.stall import no_loop_stalls

CUSTOMERS = 60_000
"""Enough rows for the old code to block the loop (54 ms at 60,000; 95-124 ms at 100,000)."""


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = create_sandbox("trisul", customers=CUSTOMERS)
    with serving(sandbox.app) as url:
        # The sandbox makes its customers on the first request (~5 s for 60,000): made here, not in the test.
        creds = demo_credentials("trisul", sandbox)
        httpx.request("GET", f"{url}/api/ipdrcustomers", timeout=60, json={
            "username": creds["username"], "api_token": creds["api_token"], "contextname": creds["context"]})
        yield sandbox, url


def _app(sandbox: Sandbox, url: str) -> IspApp:
    log = RequestLog()
    settings = BackendSettings(url=url, credentials=demo_credentials("trisul", sandbox), request_log=log,
                               profile_name="served-trisul", retries=0)
    entry = ProfileEntry(name="served-trisul", backend_name="trisul", build=lambda: load_backend("trisul")(settings),
                         request_log=log, secrets=settings.secrets(), source="config")
    return IspApp([entry], start=entry.name, show_latency=False)


async def _until(check, what: str, limit: float = 5.0) -> None:  # noqa: ANN001
    for _ in range(int(limit / 0.005)):
        if check():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def _list_requests(sandbox: Sandbox) -> list[str]:
    return [r.path for r in sandbox.received if r.method == "GET" and r.path.rstrip("/").endswith("ipdrcustomers")]


async def test_open_end_page_down_and_home_never_block_the_loop_and_fetch_the_list_once(
        served: tuple[Sandbox, str]) -> None:
    sandbox, url = served
    sandbox.clear_received()
    app = _app(sandbox, url)
    # 80x24, the size the product is made for (PRODUCT.md); benchmarks/paging_stalls.py measures 120x40.
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: isinstance(app.screen, ExplorerScreen) and app.screen.entries, "the explorer")
        await app.workers.wait_for_complete()
        screen = app.screen
        entry = next(e for e in screen.entries if e.ref.collection == "ipdrcustomers")
        async with no_loop_stalls() as watch:
            screen.open_place(Place("collection", entry.title, ref=entry.ref))
            await _until(lambda: screen.query(RecordTable) and screen.query_one(RecordTable).row(0) is not None,
                         "the first rows")
            table = screen.query_one(RecordTable)
            table.max_pages = 2  # so Home finds page 0 gone, as after paging far through the collection
            await _until(lambda: app.focused is table, "the table focused")
            await pilot.press("end")
            await _until(lambda: table.row(CUSTOMERS - 1) is not None, "the last rows")
            last = table.row(CUSTOMERS - 1)
            await pilot.press("pageup")
            await _until(lambda: table.row(table.cursor) is not None, "the page above the last")
            await pilot.press("home")
            await _until(lambda: table.row(0) is not None, "the first rows again")
            await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")  # past the first page of 50
            await _until(lambda: table.row(table.cursor) is not None, "four screens down")
            await pilot.pause()
        assert table.row_count == CUSTOMERS and table.cursor > 50
        assert table.row(0) is not None and table.row(0).id == "isp00001"
        assert last is not None and last.id == f"isp{CUSTOMERS:05d}"
    # The connection check's answer is the first page's; End, page up/down and Home (page 0 was let go) are
    # cut from the same list: the server sent the whole collection once.
    assert len(_list_requests(sandbox)) == 1, _list_requests(sandbox)
    assert watch.worst <= watch.limit, watch.report()
