"""Opening a 100,000-customer collection through the real Krill adapter on the in-process sandbox.

Prints time to first rows on screen, time to the last rows after End, and peak RSS of the process.
Budgets (docs/product.md): first rows within 0.3 s, last rows within 1 s, peak RSS under 150 MB.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time


async def measure(backend: str, collection: str, customers: int) -> None:
    from isptui.sandbox import create_sandbox
    from isptui.ui.app import IspApp
    from isptui.ui.launch import demo_profiles
    from isptui.ui.places import Place
    from isptui.ui.screens.explorer import ExplorerScreen
    from isptui.ui.widgets.record_table import RecordTable

    sandbox = create_sandbox("all", customers=customers)
    profiles = demo_profiles(sandbox, (backend,))
    app = IspApp(profiles, start=profiles[0].name, show_latency=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, ExplorerScreen) and app.screen.entries):
            await pilot.pause(0.01)
        # Let the explorer finish starting (tree, first paint), so only opening the collection is timed.
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        entry = next(e for e in screen.entries if e.ref.collection == collection)
        painted: dict[str, int] = {}
        paint_line = RecordTable.render_line

        def spy(table: RecordTable, y: int):  # type: ignore[no-untyped-def]
            # A body line whose record is loaded is being drawn: that is "rows on screen".
            index = int(table.scroll_offset.y) + y - 1
            if y >= 1 and table.row(index) is not None:
                painted["last"] = index
            return paint_line(table, y)

        RecordTable.render_line = spy  # type: ignore[method-assign]
        start = time.perf_counter()
        screen.open_place(Place("collection", entry.title, ref=entry.ref))
        while "last" not in painted:
            await asyncio.sleep(0.001)
        first = time.perf_counter() - start
        table = screen.query_one(RecordTable)
        start = time.perf_counter()
        await pilot.press("end")
        while painted["last"] != table.row_count - 1:
            await asyncio.sleep(0.001)
        last = time.perf_counter() - start
        RecordTable.render_line = paint_line  # type: ignore[method-assign]
        print(f"{customers:,} records via {backend}: total shown {table.total_label}")
        print(f"first rows on screen: {first * 1000:.0f} ms (budget 300 ms)")
        print(f"last rows after End: {last * 1000:.0f} ms (budget 1000 ms)")
        print(f"pages in memory: {table.cached_pages} (max {table.max_pages})")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS: {peak_kb / 1024:.0f} MB (budget 150 MB)")


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "krill"
    collection = sys.argv[2] if len(sys.argv) > 2 else "isp/customers"
    asyncio.run(measure(backend, collection, 100_000))


if __name__ == "__main__":
    main()
