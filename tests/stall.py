"""A loop-stall detector for tests: fail when the event loop is blocked longer than a budget.

PRODUCT.md's budget is that the event loop never blocks more than 50 ms. Use it around any interaction::

    async with app.run_test() as pilot:
        async with no_loop_stalls() as watch:
            await pilot.press(":")
            ...
        print(watch.worst)  # seconds of the longest block seen

A heartbeat task wakes every few milliseconds on the loop and reads the loop thread's own CPU clock
(``time.thread_time``). The CPU the loop thread spent between two heartbeats is time in which nothing else
on the loop could run; measuring CPU rather than wall time keeps the check honest on a busy machine, where
the operating system may pause the whole process (that is not the app blocking its loop). A watchdog thread
samples the loop thread's stack while a heartbeat is overdue, so a failure names the code that was running.

Time in Python's cyclic garbage collector is counted apart (``watch.gc_worst``) and not charged to the
code that happened to trigger it: a full collection costs in proportion to the whole heap (Textual, the
in-process sandbox, the test's own fixtures), not to the interaction under test. The app freezes what it
holds at start-up (``gc.freeze``) to keep those pauses short; ``include_gc=True`` charges them anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

BUDGET = 0.050


@dataclass
class StallWatch:
    """What the detector saw: the worst block in seconds and a stack sampled during it."""

    limit: float
    worst: float = 0.0
    gc_worst: float = 0.0
    """The longest single garbage collection seen while watching, in seconds."""
    worst_stack: str = ""
    samples: list[tuple[float, str]] = field(default_factory=list)

    def report(self) -> str:
        where = self.worst_stack or "(no stack sampled)"
        return f"event loop blocked {self.worst * 1000:.0f} ms (budget {self.limit * 1000:.0f} ms) in:\n{where}"


def _own_frames(stack: list[traceback.FrameSummary]) -> str:
    """The project's frames of a stack (Textual's and asyncio's own frames say little), last ten."""
    ours = [f for f in stack if "/isptui/" in f.filename or "/tests/" in f.filename] or stack
    return "".join(traceback.format_list(ours[-10:]))


@contextlib.asynccontextmanager
async def no_loop_stalls(limit: float = BUDGET, *, check: bool = True,
                         include_gc: bool = False) -> AsyncIterator[StallWatch]:
    """Watch the running loop; on exit, fail (AssertionError) if it was ever blocked > ``limit`` seconds."""
    watch = StallWatch(limit)
    loop_thread = threading.get_ident()
    state = {"wall": time.monotonic(), "stop": False, "gc": 0.0, "gc_start": 0.0}

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != loop_thread:
            return
        if phase == "start":
            state["gc_start"] = time.thread_time()
        else:
            took = time.thread_time() - state["gc_start"]
            state["gc"] += took
            watch.gc_worst = max(watch.gc_worst, took)

    async def heartbeat() -> None:
        cpu = time.thread_time()
        while not state["stop"]:
            state["wall"] = time.monotonic()
            await asyncio.sleep(0.002)
            now_cpu = time.thread_time()
            spent = now_cpu - cpu - (0.0 if include_gc else state["gc"])
            state["gc"] = 0.0
            cpu = now_cpu
            if spent > watch.worst:
                watch.worst = spent
                # The first stack sampled while this heartbeat was overdue is inside the block (later samples
                # may catch the loop already idle again).
                if watch.samples:
                    watch.worst_stack = watch.samples[0][1]
            watch.samples.clear()

    def watchdog() -> None:
        while not state["stop"]:
            time.sleep(limit / 4)
            overdue = time.monotonic() - state["wall"]
            if overdue > limit / 2:
                frame = sys._current_frames().get(loop_thread)
                if frame is not None:
                    watch.samples.append((overdue, _own_frames(traceback.extract_stack(frame))))

    gc.callbacks.append(on_gc)
    beat = asyncio.create_task(heartbeat())
    dog = threading.Thread(target=watchdog, daemon=True)
    dog.start()
    try:
        await asyncio.sleep(0)
        yield watch
    finally:
        state["stop"] = True
        await beat
        dog.join()
        gc.callbacks.remove(on_gc)
    if check:
        assert watch.worst <= limit, watch.report()
