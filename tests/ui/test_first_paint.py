"""First paint (issue 15 item 8): the explorer shows the backend's collections before the connection is
made, keys pressed meanwhile are kept, and the picker's start path imports neither httpx nor pydantic."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from textual.widgets import OptionList

from isptui.sandbox import create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.launch import DeferredSandbox, demo_profiles
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.screens.picker import PickerScreen
from isptui.ui.widgets.footer import KeyFooter
from isptui.ui.widgets.record_table import RecordTable
from isptui.ui.widgets.resource_tree import ResourceTree
from tests.ui.conftest import SIZE, settle
from tests.ui.screen_text import screen_text


def gated_app(backend: str) -> tuple[IspApp, threading.Event, list]:  # type: ignore[type-arg]
    """The demo app on ``backend`` whose connection waits (in its thread) until the gate opens."""
    sandbox = create_sandbox("all", customers=30, seed=1)
    gate = threading.Event()
    entry = demo_profiles(sandbox, (backend,))[0]
    build = entry.build

    def gated_build():  # type: ignore[no-untyped-def]
        assert gate.wait(10), "the test never opened the gate"
        return build()

    entry.build = gated_build
    return IspApp([entry], start=entry.name, show_latency=False), gate, sandbox.received


async def test_tree_is_painted_from_the_catalogue_before_connecting_and_enter_waits(tmp_path) -> None:
    app, gate, received = gated_app("splynx")
    try:
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(5):
                await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ExplorerScreen)
            text = screen_text(app)
            assert "Customers" in text and "Voice tariffs" in text and "Tickets" in text, text
            assert "connecting…" in text
            assert received == [], "nothing may be sent before the gate opens"
            tree = screen.query_one(ResourceTree)
            assert app.focused is tree
            await pilot.press("enter")  # on the first collection, Customers, before the connection exists
            await pilot.pause()
            assert "Opening Customers once connected" in screen_text(app)
            gate.set()
            await settle(pilot)
            table = app.screen.query_one(RecordTable)
            assert table.row_count > 0
            text = screen_text(app)
            assert "Customers · 30 rows" in text, text
            assert "connecting…" not in text
            lists = [r for r in received if r.method == "GET" and r.path.endswith("admin/customers/customer")]
            assert len(lists) == 1, [(r.method, r.path) for r in received]
    finally:
        gate.set()


async def test_discovery_corrects_the_declared_tree_in_place(tmp_path) -> None:
    app, gate, _ = gated_app("krill")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ExplorerScreen)
            tree = screen.query_one(ResourceTree)
            # As if the declared catalogue were out of date: one entry the server lacks, one it has is missing.
            from isptui.backends.registry import CatalogueEntry

            declared = [e for e in screen.entries if e.key != "rubik/services"]
            declared.append(CatalogueEntry("isp/gone", "Gone", "ISP"))
            tree.show_entry_points(declared)
            await pilot.pause()
            await pilot.press("down")  # the cursor on the second collection (CPEs) stays there
            await pilot.pause()
            assert "Gone" in screen_text(app)
            gate.set()
            await settle(pilot)
            text = screen_text(app)
            assert "Gone" not in text and "Services" in text, text
            node = tree.cursor_node
            assert node is not None and node.data is not None and node.data.key == "collection:isp/cpes"
            assert node.data.ref is not None  # the discovered place, ready to open
    finally:
        gate.set()


def test_picker_and_explorer_first_paint_import_neither_httpx_nor_pydantic(tmp_path) -> None:
    """What runs before the first paint: the command line, the picker's profiles, the explorer module; the
    demo sandbox (its dataset, chaos, recorder) is made later, by the first connection."""
    code = (
        "import sys\n"
        "from isptui.cli.main import build_parser\n"
        "from isptui.ui.launch import DeferredSandbox, config_profiles, demo_profiles\n"
        "build_parser()\n"
        "profiles = [*config_profiles(), *demo_profiles(DeferredSandbox())]\n"
        "from isptui.ui.app import IspApp\n"
        "from isptui.ui.screens.explorer import ExplorerScreen\n"
        "ExplorerScreen(profiles[0])\n"
        "print(sorted(m for m in ('httpx', 'pydantic', 'starlette', 'isptui.model', 'isptui.http',"
        " 'isptui.edit.editor', 'anyio', 'isptui.sandbox.dataset', 'isptui.sandbox.chaos',"
        " 'isptui.sandbox.recorder') if m in sys.modules))\n")
    env = {**os.environ, "ISPTUI_CONFIG": str(tmp_path / "none.toml")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                         cwd=os.getcwd())
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


async def test_the_picker_under_a_profile_started_on_is_built_when_first_shown() -> None:
    """Starting on a profile, the picker under the explorer is not built before the explorer's first paint;
    "Switch profile" (command palette) shows it built, on the profile left; enter connects elsewhere."""
    sandbox = create_sandbox("all", customers=20, seed=1)
    profiles = demo_profiles(sandbox, ("krill", "splynx"))
    app = IspApp(profiles, start=profiles[1].name, show_latency=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        picker = app.screen_stack[1]
        assert isinstance(picker, PickerScreen)
        assert not picker.query(OptionList) and not picker.query(KeyFooter), "built under the explorer"
        app.action_switch_profile()  # what the palette's "Switch profile" runs
        await settle(pilot)
        assert app.screen is picker
        text = screen_text(app)
        assert "demo-krill" in text and "demo-splynx" in text and "enter connects · q quits" in text, text
        assert "q Quit" in text.splitlines()[-1]
        options = picker.query_one(OptionList)
        assert options.highlighted == 1 and app.focused is options
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and app.screen.profile is profiles[0]
        assert "Krill" in screen_text(app)


async def test_the_demo_sandbox_is_made_by_the_first_connection() -> None:
    """``isptui demo``: the sandbox is made in the connection's thread, after the explorer's first paint."""
    sandbox = DeferredSandbox(customers=30, seed=1)
    gate = threading.Event()
    entry = demo_profiles(sandbox, ("splynx",))[0]
    build = entry.build

    def gated_build():  # type: ignore[no-untyped-def]
        assert gate.wait(10), "the test never opened the gate"
        return build()

    entry.build = gated_build
    app = IspApp([entry], start=entry.name, show_latency=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(3):
                await pilot.pause()
            assert "Customers" in screen_text(app)
            assert sandbox._made is None, "made before the first paint"
            gate.set()
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert "Customers · 30 rows" in screen_text(app)
            made = sandbox.made()
            assert any(r.path.endswith("admin/customers/customer") for r in made.received)
    finally:
        gate.set()


def test_a_bad_demo_chaos_or_size_is_refused_before_the_app_starts() -> None:
    for bad in ({"chaos": "latency=5"}, {"chaos": "bogus"}, {"customers": 0}):
        with pytest.raises(ValueError) as refused:
            DeferredSandbox(**bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError) as same:
            create_sandbox("all", **bad)  # type: ignore[arg-type]
        assert str(refused.value) == str(same.value)
