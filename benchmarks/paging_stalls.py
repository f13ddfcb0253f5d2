"""Opening and paging a 100,000-record collection: worst event-loop stall and peak RSS (issue 15 item 9).

``python3 benchmarks/paging_stalls.py trisul ipdrcustomers`` (backend, collection). A ticker task asks to run
every 1 ms; the longest gap between its runs is the worst time the loop was blocked (a frame is 16.7 ms).
Runs big_table's measurement (open, first rows on screen, End to the last rows) with the ticker running.
"""

from __future__ import annotations

import asyncio
import sys
import time

from big_table import measure  # type: ignore[import-not-found]


async def with_ticker(backend: str, collection: str, customers: int) -> None:
    worst = 0.0
    stop = False

    async def tick() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not stop:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        await measure(backend, collection, customers)
    finally:
        stop = True
        await ticker
    print(f"worst loop stall: {worst * 1000:.0f} ms (a frame is 16.7 ms)")


if __name__ == "__main__":
    asyncio.run(with_ticker(sys.argv[1] if len(sys.argv) > 1 else "trisul",
                            sys.argv[2] if len(sys.argv) > 2 else "ipdrcustomers", 100_000))
