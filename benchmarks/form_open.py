"""Opening a 60-field record form: time to the first paint, and what the later fields cost the loop.

A bare Textual app pushes ``RecordFormScreen`` with 60 mixed fields (text, integer, boolean, date) at 80x24.
Reports the wall time from the push to the first refresh with the first field focused (budget 300 ms), the
time until every field is shown, and the longest event-loop block while the rest arrive (loop-thread
CPU, as ``tests/stall.py`` measures it). Usage: ``python3 benchmarks/form_open.py`` from the repository root.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App  # noqa: E402

from tests.stall import no_loop_stalls  # noqa: E402
from tests.ui.edit.test_form_open import form, sixty_fields  # noqa: E402


class Bare(App[None]):
    pass


async def main() -> None:
    schema, record = sixty_fields()
    app = Bare()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = form(schema, record)
        start = time.perf_counter()
        async with no_loop_stalls(check=False) as watch:
            app.push_screen(screen)
            while not any(screen.focused is e.control for e in screen.editors):
                await asyncio.sleep(0.001)
            first_paint = time.perf_counter() - start
            while screen._unmounted:
                await pilot.pause(0.005)
            everything = time.perf_counter() - start
    print("60-field form at 80x24")
    print(f"  first paint with the first field focused: {first_paint * 1000:.0f} ms (budget 300 ms)")
    print(f"  all 60 fields shown: {everything * 1000:.0f} ms")
    print(f"  longest loop block meanwhile: {watch.worst * 1000:.0f} ms (budget 50 ms)")


if __name__ == "__main__":
    asyncio.run(main())
