"""Per-keystroke cost of ``:`` go-to over 10,000 candidates of 300 characters (PRODUCT.md: ≤ 50 ms).

Runs the real explorer (Krill demo, in-process sandbox) headless at 80x24, adds 10,000 discovered records
with 300-character names, opens go-to and types a query key by key. For each key it reports the longest
event-loop block (CPU of the loop thread, garbage collection counted apart, as ``tests/stall.py`` does) and
the wall time until the screen settled, plus the process's peak RSS. Usage: ``python3 benchmarks/goto_keys.py``
from the repository root.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from isptui.sandbox import create_sandbox  # noqa: E402
from isptui.ui.app import IspApp  # noqa: E402
from isptui.ui.launch import demo_profiles  # noqa: E402
from tests.stall import no_loop_stalls  # noqa: E402
from tests.ui.test_goto import long_places  # noqa: E402


async def main() -> None:
    sandbox = create_sandbox("all", customers=200, seed=1)
    profiles = demo_profiles(sandbox, ("krill",))
    app = IspApp(profiles, start=profiles[0].name, show_latency=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        places = long_places()
        for place in places:
            app.screen.known.add(place)
        await pilot.press("colon")
        await pilot.pause()
        query = places[4321].title[:12]
        blocks, walls = [], []
        for char in query:
            start = time.perf_counter()
            async with no_loop_stalls(check=False) as watch:
                await pilot.press("space" if char == " " else char)
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
            walls.append(time.perf_counter() - start)
            blocks.append(watch.worst)
        first = app.screen.shown[0].title == places[4321].title
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"go-to over 10,000 names of 300 chars, {len(query)} keys typed")
    print(f"  loop block per key: median {statistics.median(blocks) * 1000:.0f} ms, "
          f"worst {max(blocks) * 1000:.0f} ms (budget 50 ms)")
    print(f"  key to settled screen: median {statistics.median(walls) * 1000:.0f} ms, "
          f"worst {max(walls) * 1000:.0f} ms")
    print(f"  exact name first: {first}; peak RSS of the whole app {rss:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
