"""The workspace and the ctrl+f Find screen on ``isptui demo all`` (PRODUCT.md: first matches on screen ≤ 1 s).

Runs the real app headless at 80x24 over the five demo backends (in-process sandbox, 200 customers): the
time until all five connections are open, then for each query the time from enter until the first hit is
in the results list (``FindScreen.first_hit_after``) and until every connection has answered and the screen
has settled. Usage: ``python3 benchmarks/find_screen.py [ROUNDS]`` from the repository root.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from isptui.sandbox import create_sandbox  # noqa: E402
from isptui.ui.app import IspApp  # noqa: E402
from isptui.ui.launch import demo_profiles  # noqa: E402
from isptui.ui.screens.find import FindScreen  # noqa: E402

QUERIES = ("42", "user42.42@example.net", "isp00042", "10.0.0.42")


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def main(rounds: int) -> None:
    sandbox = create_sandbox("all", customers=200, seed=1)
    profiles = demo_profiles(sandbox)
    app = IspApp(profiles, workspace=[p.name for p in profiles], show_latency=False)
    started = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        while not all(slot.state != "connecting" for slot in app.slots.values()):
            await asyncio.sleep(0.01)
        opened = time.perf_counter() - started
        await settle(pilot)
        print(f"workspace: 5 connections open after {opened * 1000:.0f} ms "
              f"({', '.join(f'{n} {s.elapsed * 1000:.0f} ms' for n, s in app.slots.items() if s.elapsed)})")
        await pilot.press("ctrl+f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FindScreen)
        for query in QUERIES:
            first, done = [], []
            for _ in range(rounds):
                await pilot.press("ctrl+l")
                entry = screen.query_one("#find-input")
                entry.value = query
                t0 = time.perf_counter()
                await pilot.press("enter")
                await settle(pilot)
                done.append(time.perf_counter() - t0)
                if screen.first_hit_after is not None:
                    first.append(screen.first_hit_after)
            found = sum(len(s.connections) for s in screen.subscribers[:1])
            print(f"{query!r:26} first hit median {statistics.median(first) * 1000:.0f} ms "
                  f"(max {max(first) * 1000:.0f}) · all answered + settled median "
                  f"{statistics.median(done) * 1000:.0f} ms · top subscriber in {found} systems"
                  if first else f"{query!r:26} no hit")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
