"""A loop-stall detector for tests: fail when the event loop is blocked longer than a budget.

PRODUCT.md's budget is that the event loop never blocks more than 50 ms. Use it around any interaction::

    async with app.run_test() as pilot:
        async with no_loop_stalls() as watch:
            await pilot.press(":")
            ...
        print(watch.worst)  # seconds of the longest block seen

Each callback the loop runs (``asyncio.Handle._run``: every task step, every ``call_soon``/``call_later``)
is timed on the loop thread's own CPU clock (``time.thread_time``) while watching: a callback is what the
loop cannot interrupt, so the longest one is the longest block. CPU rather than wall time keeps the check
honest on a busy machine, where the operating system may pause the whole process (that is not the app
blocking its loop). A watchdog thread samples the loop thread's stack while a callback runs past half the
budget, so a failure names the code that was running.

The detector adds no wake-ups of its own. An earlier version ticked a heartbeat task every 2 ms; that kept
the process from ever looking idle to Textual's ``Pilot.pause`` (idle means < 5% CPU over 20 ms), so every
pause under the detector ran to its one-second limit and a 10-key go-to test took 28 s.

Time in Python's cyclic garbage collector is counted apart (``watch.gc_worst``) and not charged to the
code that happened to trigger it: a full collection costs in proportion to the whole heap (Textual, the
in-process sandbox, the test's own fixtures), not to the interaction under test. The app freezes what it
holds at start-up (``gc.freeze``) to keep those pauses short; ``include_gc=True`` charges them anyway.

The budget is scaled by the speed of the machine at the time, measured in the same run: a fixed piece of
Python work (``_calibration``, about 4.5 ms on the development machine at its usual speed) is timed before
and after the watch, and when even its fastest try is slower than that, the limit grows in proportion
(never shrinks). The development machine is a shared 2-core host whose speed changed by half within an
hour (a fixed 20-million-step loop: 4.0-5.9 s): a repaint measured at 35 ms on it came to 53 ms in the
slow hour, with no change in the code. A block that is over budget at the machine's usual speed stays over
it at any speed; ``watch.limit`` is the scaled limit and the report names the factor.
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
from dataclasses import dataclass

BUDGET = 0.050
CALIBRATION_REFERENCE = 0.0045
"""Seconds ``_calibration`` takes on the development machine at its usual speed (fastest of a few tries)."""


def _workload() -> int:
    # Python work of the kind a repaint does: small objects, strings, dicts, method calls.
    out = []
    for i in range(6000):
        item = {"x": i, "s": str(i) * 3}
        out.append((item["s"].upper(), len(item), i % 7))
    return len(out)


def host_factor() -> float:
    """How much slower than usual this machine runs now (1.0 at its usual speed or faster): for other timed
    assertions that must not fail only because the shared host is slow (the form's first paint)."""
    return max(1.0, _calibration(5) / CALIBRATION_REFERENCE)


def _calibration(tries: int = 3) -> float:
    """The fastest of a few runs of ``_workload`` on this thread's CPU clock, in seconds."""
    best = float("inf")
    for _ in range(tries):
        started = time.thread_time()
        _workload()
        best = min(best, time.thread_time() - started)
    return best


@dataclass
class StallWatch:
    """What the detector saw: the worst block in seconds and a stack sampled during it."""

    limit: float
    """The budget scaled by the machine's speed at the time (``BUDGET`` on the development machine)."""
    factor: float = 1.0
    """How much slower than usual the machine ran the calibration (1.0 when at its usual speed or faster)."""
    worst: float = 0.0
    gc_worst: float = 0.0
    """The longest single garbage collection seen while watching, in seconds."""
    worst_stack: str = ""
    worst_callback: str = ""
    """What the loop was running in the worst block (the handle: a task's coroutine, or a callback)."""

    def report(self) -> str:
        where = self.worst_stack or "(no stack sampled)"
        scaled = f", scaled x{self.factor:.2f} for a slow machine" if self.factor > 1 else ""
        return (f"event loop blocked {self.worst * 1000:.0f} ms (budget {self.limit * 1000:.0f} ms{scaled}) "
                f"running {self.worst_callback}, in:\n{where}")


def _own_frames(stack: list[traceback.FrameSummary]) -> str:
    """The project's frames of a stack (Textual's and asyncio's own frames say little), last ten; when the
    block is in Textual alone, its innermost frames (the detector's own frame names nothing)."""
    stack = [f for f in stack if not f.filename.endswith("tests/stall.py")]
    ours = [f for f in stack if "/isptui/" in f.filename or "/tests/" in f.filename]
    return "".join(traceback.format_list(ours[-10:] if ours else stack[-10:]))


@contextlib.asynccontextmanager
async def no_loop_stalls(limit: float = BUDGET, *, check: bool = True,
                         include_gc: bool = False) -> AsyncIterator[StallWatch]:
    """Watch the running loop; on exit, fail (AssertionError) if it was ever blocked > ``limit`` seconds
    (scaled by the machine's speed, see the module's docstring)."""
    watch = StallWatch(limit)
    calibrated = _calibration()
    loop_thread = threading.get_ident()
    # "running": monotonic start of the callback now running (None between callbacks); "seq" numbers the
    # callbacks so the watchdog's sample is matched to the one it was taken in.
    state: dict[str, float | int | None] = {"running": None, "seq": 0, "gc": 0.0, "gc_start": 0.0, "stop": 0}
    sampled: dict[int, str] = {}
    outer_run = asyncio.events.Handle._run

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != loop_thread:
            return
        if phase == "start":
            state["gc_start"] = time.thread_time()
        else:
            took = time.thread_time() - float(state["gc_start"] or 0.0)
            state["gc"] = float(state["gc"] or 0.0) + took
            watch.gc_worst = max(watch.gc_worst, took)

    def timed_run(handle: asyncio.Handle) -> None:
        if threading.get_ident() != loop_thread:
            outer_run(handle)
            return
        seq = int(state["seq"] or 0) + 1
        state["seq"] = seq
        state["gc"] = 0.0
        cpu = time.thread_time()
        state["running"] = time.monotonic()
        try:
            outer_run(handle)
        finally:
            state["running"] = None
            spent = time.thread_time() - cpu - (0.0 if include_gc else float(state["gc"] or 0.0))
            if spent > watch.worst:
                watch.worst = spent
                watch.worst_stack = sampled.get(seq, "")
                watch.worst_callback = repr(handle)[:300]
            sampled.pop(seq, None)

    def watchdog() -> None:
        while not state["stop"]:
            time.sleep(limit / 4)
            started, seq = state["running"], state["seq"]
            if started is not None and time.monotonic() - float(started) > limit / 2 and seq not in sampled:
                frame = sys._current_frames().get(loop_thread)
                if frame is not None:
                    sampled[int(seq or 0)] = _own_frames(traceback.extract_stack(frame))

    gc.callbacks.append(on_gc)
    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
    dog = threading.Thread(target=watchdog, daemon=True)
    dog.start()
    try:
        await asyncio.sleep(0)
        yield watch
    finally:
        asyncio.events.Handle._run = outer_run  # type: ignore[method-assign]
        state["stop"] = 1
        dog.join()
        gc.callbacks.remove(on_gc)
    watch.factor = max(1.0, min(calibrated, _calibration()) / CALIBRATION_REFERENCE)
    watch.limit = limit * watch.factor
    if check:
        assert watch.worst <= watch.limit, watch.report()
