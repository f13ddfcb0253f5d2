"""Opening a 60-field record form: time to the first paint, and what the build and typing cost the loop.

A bare Textual app pushes ``RecordFormScreen`` with 60 mixed fields (text, integer, boolean, date) at 80x24.
Reports the time from the push to the first field focused and painted (budget 300 ms; wall time, and the
loop thread's CPU time as the form test asserts it), the time until every field is built, and the longest
event-loop block (loop-thread CPU per callback, as ``tests/stall.py`` measures it) over the whole build and
a few keys typed after it. Usage: ``python3 benchmarks/form_open.py [runs]`` from the repository root.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App  # noqa: E402

from tests.stall import no_loop_stalls  # noqa: E402
from tests.ui.edit.test_form_open import form, sixty_fields  # noqa: E402


class Bare(App[None]):
    pass


async def once() -> tuple[float, float, float, float]:
    schema, record = sixty_fields()
    app = Bare()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = form(schema, record)
        gc.freeze()  # as IspApp does once started: the heap so far is not scanned by every full collection
        async with no_loop_stalls(check=False) as watch:
            start, cpu = time.perf_counter(), time.thread_time()
            app.push_screen(screen)
            first = screen.editors[0].control
            while not (screen.focused is first and first.region.height > 0):
                await asyncio.sleep(0.005)
            first_paint, first_cpu = time.perf_counter() - start, time.thread_time() - cpu
            while screen._unmounted:
                await pilot.pause(0.005)
            everything = time.perf_counter() - start
            await pilot.press("4", "2", "tab", "tab", "tab", "7", "shift+tab")
        gc.unfreeze()
    return first_paint, first_cpu, everything, watch.worst


async def main(runs: int) -> None:
    print(f"60-field form at 80x24, {runs} runs")
    for _ in range(runs):
        first_paint, first_cpu, everything, worst = await once()
        print(f"  first paint (first field focused): {first_paint * 1000:.0f} ms wall, {first_cpu * 1000:.0f} ms CPU"
              f" (budget 300) · all 60 built: {everything * 1000:.0f} ms · longest loop block:"
              f" {worst * 1000:.0f} ms (budget 50)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
