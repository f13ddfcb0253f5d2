"""Opening a 100,000-customer collection through a real adapter, against the sandbox.

``python3 benchmarks/big_table.py [backend] [collection] [--in-process]``. By default the sandbox is served by a
separate process on 127.0.0.1 (``isptui sandbox serve``) and the app talks to it over TCP with a real profile,
so the figures are the client's alone: building and JSON-encoding 100,000 rows is the server's work, on its
own loop and in its own memory. ``--in-process`` runs the sandbox in the app's process (in-process ASGI), as
earlier rounds measured: then the server's work is on the same loop and in the same RSS.

Prints time to first rows on screen, time to the last rows after End, and the peak RSS of this (the client)
process (``ru_maxrss`` of RUSAGE_SELF: a child process is not counted).
Budgets (PRODUCT.md): first rows within 0.3 s, last rows within 1 s, peak RSS under 150 MB.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def served_sandbox(backend: str, customers: int) -> Iterator[str]:
    """``isptui sandbox serve --backend B --customers N --port 0`` in a child process; yields its root URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "isptui", "sandbox", "serve", "--backend", backend,
                             "--customers", str(customers), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            found = re.match(r"isptui sandbox on (\S+)", line)
            if found:
                url = found.group(1)
                break
        if not url:
            raise RuntimeError("the sandbox did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _profiles(backend: str, url: str | None, sandbox: Any) -> list[Any]:
    from isptui.backends.base import BackendSettings, load_backend
    from isptui.http import RequestLog
    from isptui.ui.launch import demo_credentials, demo_profiles
    from isptui.ui.profiles import ProfileEntry

    if url is None:
        return demo_profiles(sandbox, (backend,))
    log = RequestLog()
    settings = BackendSettings(url=url, credentials=demo_credentials(backend, sandbox), request_log=log,
                               profile_name=f"served-{backend}")
    return [ProfileEntry(name=f"served-{backend}", backend_name=backend,
                         build=lambda: load_backend(backend)(settings), request_log=log,
                         secrets=settings.secrets(), source="config")]


async def measure(backend: str, collection: str, customers: int, url: str | None = None,
                  around: Any = None) -> dict[str, float]:
    """Open ``collection``, press End, then Home; ``url``: a served sandbox (None: one in this process).
    ``around``: an async context manager factory entered for the open, End and Home only."""
    from isptui.sandbox import create_sandbox
    from isptui.ui.app import IspApp
    from isptui.ui.launch import DeferredSandbox
    from isptui.ui.places import Place
    from isptui.ui.screens.explorer import ExplorerScreen
    from isptui.ui.widgets.record_table import RecordTable

    sandbox = create_sandbox("all", customers=customers) if url is None else DeferredSandbox()
    profiles = _profiles(backend, url, sandbox)
    app = IspApp(profiles, start=profiles[0].name, show_latency=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, ExplorerScreen) and app.screen.entries):
            await pilot.pause(0.01)
        # Let the explorer finish starting (tree, first paint), so only opening the collection is timed.
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        entry = next(e for e in screen.entries if e.ref.collection == collection)
        painted: dict[str, int] = {}
        paint_line = RecordTable.render_line

        def spy(table: RecordTable, y: int):  # type: ignore[no-untyped-def]
            # A body line whose record is loaded is being drawn: that is "rows on screen".
            index = int(table.scroll_offset.y) + y - 1
            if y >= 1 and table.row(index) is not None:
                painted["last"] = index
            return paint_line(table, y)

        RecordTable.render_line = spy  # type: ignore[method-assign]
        watching = around() if around is not None else contextlib.nullcontext()
        await watching.__aenter__()
        start = time.perf_counter()
        screen.open_place(Place("collection", entry.title, ref=entry.ref))
        while "last" not in painted:
            await asyncio.sleep(0.001)
        first = time.perf_counter() - start
        table = screen.query_one(RecordTable)
        start = time.perf_counter()
        # Posted as the terminal driver posts a key: ``pilot.press`` also waits for the app to look idle,
        # which a ticker (paging_stalls.py) never lets it, so that wait would run to its limit and be timed.
        app.simulate_key("end")
        while painted["last"] != table.row_count - 1:
            await asyncio.sleep(0.001)
        last = time.perf_counter() - start
        start = time.perf_counter()
        app.simulate_key("home")
        while painted["last"] > 40:
            await asyncio.sleep(0.001)
        home = time.perf_counter() - start
        await watching.__aexit__(None, None, None)
        RecordTable.render_line = paint_line  # type: ignore[method-assign]
        where = "in-process ASGI" if url is None else "served by another process over 127.0.0.1"
        print(f"{customers:,} records via {backend}, sandbox {where}: total shown {table.total_label}")
        print(f"first rows on screen: {first * 1000:.0f} ms (budget 300 ms)")
        print(f"last rows after End: {last * 1000:.0f} ms (budget 1000 ms)")
        print(f"first rows after Home: {home * 1000:.0f} ms")
        print(f"pages in memory: {table.cached_pages} (max {table.max_pages})")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS of the client: {peak_kb / 1024:.0f} MB (budget 150 MB)")
    return {"first": first, "end": last, "home": home, "rss_mb": peak_kb / 1024}


def run(backend: str, collection: str, customers: int, in_process: bool, around: Any = None) -> None:
    """Measure once, the sandbox served (default) or in this process; ``around`` as ``measure`` takes it."""
    if in_process:
        asyncio.run(measure(backend, collection, customers, around=around))
        return
    with served_sandbox(backend, customers) as url:
        asyncio.run(measure(backend, collection, customers, url, around=around))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    run(args[0] if args else "krill", args[1] if len(args) > 1 else "isp/customers", 100_000,
        "--in-process" in sys.argv)


if __name__ == "__main__":
    main()
