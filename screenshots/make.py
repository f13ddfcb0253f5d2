"""Regenerate the SVG screenshots of isptui on the demo: ``python3 screenshots/make.py [--out DIR] [--only NAME]``.

Each shot starts the real app (``IspApp`` over ``demo_profiles``: the real adapters against the in-process
sandbox, no network) with a fresh seeded sandbox, presses keys as an operator would, waits until the
screen is quiet and saves an SVG. Latency figures are hidden and the seed is fixed, so running it twice
gives the same files; a shot that does not reach the screen it is named after fails loudly instead of
saving a misleading picture.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the package importable without installing it.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input  # noqa: E402

from isptui.sandbox import Sandbox, create_sandbox  # noqa: E402
from isptui.sandbox.chaos import ChaosSpec  # noqa: E402
from isptui.ui.app import IspApp  # noqa: E402
from isptui.ui.launch import demo_profiles  # noqa: E402

SIZE = (100, 30)
SEED = 1
CUSTOMERS = 200
OUT = Path(__file__).resolve().parent

Steps = Callable[[Pilot[Any], Sandbox], Awaitable[None]]


@dataclass(frozen=True)
class Shot:
    """One screenshot: the file name, what it shows (for the README), the demo backend and the key presses."""

    name: str
    caption: str
    backend: str | None
    steps: Steps
    expect: str
    """The screen class (by name) the shot must end on, so a broken flow is not saved as a picture."""
    chaos: str = ""
    """A chaos spec that injects nothing by itself but gives the sandbox a chaos layer a shot can turn up."""
    customers: int = CUSTOMERS


# -- driving the app ---------------------------------------------------------------------------------
async def settle(pilot: Pilot[Any], rounds: int = 3, patience: float = 1.0) -> None:
    """Let workers finish and the screen repaint (a worker may start another, hence a few rounds).

    A write flow's worker waits on the form or dialog it opened, so it cannot finish while that is shown:
    wait at most ``patience`` seconds per round rather than for every worker.
    """
    for _ in range(rounds):
        await pilot.pause()
        running = [asyncio.ensure_future(_finished(w)) for w in pilot.app.workers if not w.is_finished]
        if running:
            _, late = await asyncio.wait(running, timeout=patience)
            for task in late:
                task.cancel()
    await pilot.pause()


async def _finished(worker: Any) -> None:
    # A worker that failed or was cancelled has finished too; the app shows its error, not this script.
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await worker.wait()


async def wait_for(pilot: Pilot[Any], condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Run the app until ``condition()`` holds; a save flow waits on dialogs, so workers never 'complete'."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise RuntimeError(f"timed out waiting for {what} (on {type(pilot.app.screen).__name__})")
        await pilot.pause(0.02)
    await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key into whatever has focus."""
    await pilot.press(*[{" ": "space", "/": "slash", ":": "colon"}.get(ch, ch) for ch in text])


async def goto(pilot: Pilot[Any], target: str) -> None:
    """``:`` then the target (``isp/cpes 1``) then enter, as in the go-to dialog."""
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(pilot.app.focused, Input), "the go-to box")
    await type_text(pilot, target)
    await pilot.press("enter")
    await settle(pilot)


async def focus_field(pilot: Pilot[Any], name: str) -> None:
    """Tab through the form until the field called ``name`` has focus (as a user would, no mouse)."""
    app = pilot.app
    for _ in range(80):
        if any(e.spec.name == name and app.focused is e.control for e in app.screen.editors):  # type: ignore[attr-defined]
            return
        await pilot.press("tab")
    raise RuntimeError(f"no form field {name!r} reached by tab")


async def replace_field(pilot: Pilot[Any], name: str, value: str) -> None:
    """Focus a form field, clear it (ctrl+u deletes to the start after end) and type ``value``."""
    await focus_field(pilot, name)
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, value)


# -- the shots -----------------------------------------------------------------------------------------
async def picker(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await pilot.press("down")  # the highlight moves as the user looks through the profiles


async def tree(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await pilot.press("down", "space")  # expand CPEs: its first records load lazily
    await settle(pilot)
    await pilot.press("down", "space")  # expand CPE 1: its links (POTS lines, customer, …) appear under it
    await settle(pilot)
    await pilot.press("enter")  # and open it on the right
    await settle(pilot)
    await pilot.press("shift+tab")  # back to the tree, so its highlight shows where we are


async def collection(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await goto(pilot, "isp/customers")
    await pilot.press("down", "down")


async def record(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await goto(pilot, "isp/cpes 1")
    # Scroll to the end (the links and actions) and put the highlight on the first link.
    view: Any = pilot.app.screen.query_one("RecordView")
    ids = [str(o.id) for o in view.options]
    first_link = next(i for i, key in enumerate(ids) if key.startswith("link-"))
    await pilot.press("end")
    await pilot.press(*["up"] * (len(ids) - 1 - first_link))


async def edit_form(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await goto(pilot, "customers 1")
    await pilot.press("e")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "RecordFormScreen", "the edit form")
    await settle(pilot)
    await replace_field(pilot, "city", "Galway")


async def diff_preview(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await edit_form(pilot, sandbox)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DiffPreviewScreen", "the diff preview")


async def delete_confirm(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await goto(pilot, "isp/cpes 7")
    await pilot.press("d")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ConfirmDeleteScreen", "the delete dialog")


async def request_log(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await goto(pilot, "customers")
    await pilot.press("enter")  # open the first customer
    await settle(pilot)
    await goto(pilot, "customers 99999")  # a 404, to show a failed exchange in the log
    await pilot.press("l")
    await settle(pilot)
    await pilot.press("up", "c")  # copy the customer's GET as curl: the toast says secrets were redacted
    await settle(pilot)


async def error_404(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    await goto(pilot, "isp/cpes 99999")


async def error_chaos(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await settle(pilot)
    if sandbox.chaos is None:
        raise RuntimeError("the error-chaos shot needs a sandbox made with a chaos spec")
    # From now on every body is cut short, as a broken proxy would; logins stay exempt.
    sandbox.chaos.spec = ChaosSpec(malformed_rate=1.0)
    await goto(pilot, "ipdrcustomers")


class _SteppedClock:
    """The exporter's clock for the export shot: each reading is 0.25 s later, so rate and ETA are the same
    on every run instead of depending on how fast this machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        self.now += 0.25
        return self.now


async def masked_collection(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    from isptui.mask import Masker

    # A fixed key instead of the session's random one, so the masked tags are the same on every run.
    pilot.app.mask.masker = Masker(b"screenshots")  # type: ignore[attr-defined]
    await settle(pilot)
    await goto(pilot, "users")
    await pilot.press("m")  # the MASKED badge, and names, emails, phones, IPs and MACs partly hidden
    await settle(pilot)


async def export_progress(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    import isptui.export as exporter

    if sandbox.chaos is None:
        raise RuntimeError("the export shot needs a sandbox made with a chaos spec")
    await settle(pilot)
    await goto(pilot, "customers")
    await pilot.press("x")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ExportScreen", "the export dialog")
    box = pilot.app.screen.query_one(Input)
    box.value = "customers.csv"  # relative: the shot runs in a temporary folder
    exporter.time = _SteppedClock()  # type: ignore[attr-defined, assignment]
    screen: Any = pilot.app.screen
    shown = screen.on_progress
    chaos = sandbox.chaos

    def stall_after_two_pages(progress: Any) -> None:
        # Called before the next page is asked for: from here the server stalls and the bar stays part-way.
        shown(progress)
        if progress.scanned >= 1000:
            chaos.spec = ChaosSpec(latency=60.0)

    screen.on_progress = stall_after_two_pages
    await pilot.press("enter")
    await wait_for(pilot, lambda: chaos.spec.latency > 0, "two pages exported")


SHOTS = (
    Shot("picker", "The profile picker: one entry per demo backend (and configured profiles).", None,
         picker, "PickerScreen"),
    Shot("explorer-tree", "The explorer's lazy resource tree (Krill): CPE 1's links under it, CPE 1 open.", "krill", tree,
         "ExplorerScreen"),
    Shot("collection", "A collection table: Krill customers, paged, total shown.", "krill", collection,
         "ExplorerScreen"),
    Shot("record-links", "A record view with links and actions: Krill CPE 1.", "krill", record, "ExplorerScreen"),
    Shot("edit-form", "The edit form (e) of Splynx customer 1, city being changed.", "splynx", edit_form,
         "RecordFormScreen"),
    Shot("diff-preview", "The diff preview (ctrl+s): the exact request and the field diff, before the write.",
         "splynx", diff_preview, "DiffPreviewScreen"),
    Shot("delete-confirm", "The delete confirmation (d) of Krill CPE 7: Cancel has focus.", "krill",
         delete_confirm, "ConfirmDeleteScreen"),
    Shot("request-log", "The request log (l) of a Splynx session; c copies one as curl.", "splynx", request_log,
         "ExplorerScreen"),
    Shot("error-404", "An error panel: Krill CPE 99999 does not exist (HTTP 404); r retries.", "krill", error_404,
         "ExplorerScreen"),
    Shot("error-chaos", "A sandbox chaos fault: a malformed body from Trisul, shown as an error panel.", "trisul",
         error_chaos, "ExplorerScreen", chaos="rate_limit=1000/s"),
    Shot("masked-collection", "The personal-data mask (m): ISPCRM users with names, emails, phones, IPs and MACs "
         "partly hidden; the MASKED badge.", "ispcrm", masked_collection, "ExplorerScreen"),
    Shot("export-progress", "Exporting Splynx customers (x): count/total, rate and ETA; esc cancels.", "splynx",
         export_progress, "ExportScreen", chaos="rate_limit=100000/s", customers=3000),
)


async def take(shot: Shot, out: Path) -> Path:
    """Run one shot on a fresh sandbox and save ``out/<name>.svg``."""
    sandbox = create_sandbox("all", customers=shot.customers, seed=SEED, chaos=shot.chaos)
    backends = (shot.backend,) if shot.backend else ("splynx", "krill", "ispcrm", "trisul", "carbon")
    profiles = demo_profiles(sandbox, backends)
    app = IspApp(profiles, start=profiles[0].name if shot.backend else None, show_latency=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await shot.steps(pilot, sandbox)
        await settle(pilot)
        reached = type(app.screen).__name__
        if reached != shot.expect:
            raise RuntimeError(f"{shot.name}: ended on {reached}, not {shot.expect}")
        path = out / f"{shot.name}.svg"
        path.write_text(app.export_screenshot(title=f"isptui · {shot.name}"), encoding="utf-8")
    return path


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help="directory for the SVGs (default: screenshots/)")
    parser.add_argument("--only", action="append", default=[], help="make only this shot (repeatable)")
    args = parser.parse_args(argv)
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    if not shots:
        print(f"make.py: no shot named {', '.join(args.only)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    # The edit shots never confirm a write, but the explorer opens its journal: keep it out of the user's data.
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["ISPTUI_DATA_DIR"] = data_dir
        args.out = args.out.resolve()
        os.chdir(data_dir)  # an export shot writes (and cancels) its file here, never in the checkout
        for shot in shots:
            path = await take(shot, args.out)
            print(f"{path.name:<20} {shot.caption}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
