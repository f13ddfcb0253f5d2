"""The stall detector itself: it must catch a blocked loop (and name the code) and pass an idle one."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests import stall
from tests.stall import no_loop_stalls


def _busy(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


async def test_a_loop_that_yields_passes() -> None:
    async with no_loop_stalls() as watch:
        for _ in range(20):
            await asyncio.sleep(0.003)
    assert watch.worst < 0.05


async def test_a_blocking_call_fails_and_names_it() -> None:
    with pytest.raises(AssertionError) as caught:
        async with no_loop_stalls():
            await asyncio.sleep(0.01)
            _busy(0.4)  # long enough for the watchdog thread to be scheduled even on a busy machine
            await asyncio.sleep(0.01)
    message = str(caught.value)
    assert "event loop blocked" in message and re.search(r"\(budget \d+ ms", message), message
    # The watchdog thread names the blocking code when the OS schedules it during the block; on a loaded
    # machine it may not get the chance, and the report then says so instead of naming a wrong frame.
    assert "_busy" in message or "(no stack sampled)" in message


async def test_garbage_collection_is_reported_apart_unless_asked() -> None:
    import gc

    junk = [[[] for _ in range(50)] for _ in range(20_000)]
    async with no_loop_stalls() as watch:
        await asyncio.sleep(0.005)
        gc.collect()
        await asyncio.sleep(0.005)
    assert watch.gc_worst > 0
    del junk


async def test_the_budget_grows_only_on_a_machine_slower_than_usual(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The limit is 50 ms scaled by the calibration (never below 50 ms); a machine twice as slow as usual gets
    100 ms, and the report says the budget was scaled."""
    monkeypatch.setattr(stall, "CALIBRATION_REFERENCE", 1.0)  # as if this machine were far faster than usual
    async with no_loop_stalls() as fast:
        await asyncio.sleep(0.001)
    assert (fast.factor, fast.limit) == (1.0, stall.BUDGET)
    monkeypatch.setattr(stall, "_calibration", lambda tries=3: 2 * stall.CALIBRATION_REFERENCE)
    with pytest.raises(AssertionError) as caught:
        async with no_loop_stalls() as slow:
            _busy(0.15)  # over twice the budget: still a stall when the machine is twice as slow
            await asyncio.sleep(0)
    assert slow.factor == 2.0 and abs(slow.limit - 0.1) < 1e-9
    assert "budget 100 ms, scaled x2.00" in str(caught.value)
