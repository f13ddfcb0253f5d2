"""Snapshots of the main screens at 80x24 and 120x40 (fixed seed; latency hidden so they are stable)."""

from __future__ import annotations

import pytest

from isptui.sandbox import create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.launch import demo_profiles

SIZES = [(80, 24), (120, 40)]


def _app(start: bool = True) -> IspApp:
    sandbox = create_sandbox("all", customers=200, seed=1)
    profiles = demo_profiles(sandbox, ("krill", "splynx"))
    return IspApp(profiles, start=profiles[0].name if start else None, show_latency=False)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Workers done and the screen unchanged over two looks (up to 3 s): a snapshot of a settled screen, not of
    one a pause happened to end on (the pilot's idle check is short, tests/conftest.py)."""
    from tests.ui.screen_text import screen_text

    before = None
    for _ in range(60):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        now = screen_text(pilot.app)
        if now == before:
            return
        before = now


async def _goto(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("colon")
    await pilot.pause()
    pilot.app.focused.value = text
    await pilot.press("enter")
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_picker(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(_app(start=False), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_collection(snap_compare, size: tuple[int, int]) -> None:
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await _goto(pilot, "isp/customers")

    assert snap_compare(_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_record(snap_compare, size: tuple[int, int]) -> None:
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await _goto(pilot, "isp/cpes 3")

    assert snap_compare(_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size: tuple[int, int]) -> None:
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await _goto(pilot, "isp/customers")
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_goto(snap_compare, size: tuple[int, int]) -> None:
    """The go-to list names each collection's group (Krill has CPEs under both isp and monitoring)."""

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("colon")
        await pilot.pause()
        pilot.app.focused.value = "cpe"
        await _settle(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=before)
