"""Opening and paging a 100,000-record collection: worst event-loop stall and peak RSS (issue 15 item 9).

``PYTHONPATH=. python3 benchmarks/paging_stalls.py trisul ipdrcustomers [--in-process]`` (backend,
collection). Runs big_table's measurement (open, first rows on screen, End to the last rows, Home) against the
sandbox served by another process over 127.0.0.1 (``--in-process``: the sandbox in this process, whose own
work then lands on the same loop), and reports two figures for the loop:

- the detector of the tests (tests/stall.py ``no_loop_stalls``): the most CPU one loop callback took, which
  is what the loop could not interrupt (garbage collection counted apart, as the tests count it);
- a ticker task asking to run every 1 ms: the longest gap between its runs (wall time, so it includes the
  machine's other load and the garbage collector).

A frame is 16.7 ms; the budget is 50 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator

from big_table import run  # type: ignore[import-not-found]

from tests.stall import no_loop_stalls


@contextlib.asynccontextmanager
async def watched() -> AsyncIterator[None]:
    """The stall detector and the ticker, for the open, End and Home (not the app's start)."""
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
        async with no_loop_stalls(check=False) as watch:
            yield
    finally:
        stop = True
        await ticker
    print(f"worst loop callback (tests/stall.py, CPU): {watch.worst * 1000:.0f} ms; longest garbage collection "
          f"{watch.gc_worst * 1000:.0f} ms; it ran {watch.worst_callback}")
    # The machine's speed in the same run (tests/stall.py: a fixed piece of Python work, 4.5 ms at this host's
    # usual speed): the tests' checks scale their 50 ms by it; the figure above is as measured.
    print(f"host speed factor {watch.factor:.2f} (the tests' budget at this speed: {watch.limit * 1000:.0f} ms)")
    print(f"worst ticker gap (wall): {worst * 1000:.0f} ms (a frame is 16.7 ms)")
    if watch.worst_stack:
        print("worst callback was running:\n" + watch.worst_stack)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    run(args[0] if args else "trisul", args[1] if len(args) > 1 else "ipdrcustomers", 100_000,
        "--in-process" in sys.argv, around=watched)
