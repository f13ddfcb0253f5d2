"""Terminal safety: escape sequences and markup in API data never reach the terminal raw.

The sandbox puts hostile values at fixed subscriber numbers (``isptui.sandbox.dataset``): markup in a name
(3), ESC/BEL/CR/OSC in a note (5), a 300-character street (7), empty and null values (11), emoji and CJK
(13). Each test opens them the way a user would see them — the collection table, the tree, the record
views, the raw JSON view and the edit form — on the real adapters, and checks two things:

* what Textual actually writes to the terminal: the app runs on a driver that records every write (a
  headless driver that says it is not headless, so ``App._display`` renders as it would on a tty);
* the segments the compositor produced for the screen, whose text is what lands between Textual's own
  escape sequences.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from rich.cells import cell_len
from textual.drivers import headless_driver
from textual.pilot import Pilot

from isptui.model import ResourceRef
from isptui.sandbox.dataset import ESCAPE_NOTE, LONG_STRING, MARKUP_NAME
from isptui.ui.app import IspApp
from isptui.ui.places import Place
from isptui.ui.screens.explorer import ExplorerScreen
from tests.ui.conftest import settle
from tests.ui.screen_text import screen_text

SIZE = (120, 50)  # tall and wide enough that every field of a record view is on screen, wrapped or not
HOSTILE = (3, 5, 7, 11, 13)

# backend -> (customers collection, record id of subscriber N, the fields that carry the note / the name)
CUSTOMERS: dict[str, tuple[str, Any]] = {
    "splynx": ("customers", str),
    "krill": ("isp/customers", str),
    "ispcrm": ("users", str),
    "trisul": ("ipdrcustomers", lambda n: f"isp{n:05d}"),
    "carbon": ("Abonents", str),
}
NAME_COLUMN = {"splynx", "krill", "trisul", "carbon"}
"""Backends whose customer table has a name column (ISPCRM's users table shows logins and contacts)."""
STREET_SHOWN = {"splynx", "krill", "ispcrm", "trisul"}
"""Backends whose customer record carries the street (a Carbon abonent has no address)."""
NOTE_SHOWN = {"splynx", "krill", "ispcrm", "carbon"}
"""Backends whose customer record carries the subscriber's note (Trisul's IPDR record has none)."""

# What Textual itself writes: CSI sequences (SGR colours, cursor moves, synchronized output) and OSC 22,
# the mouse pointer shape. Anything else that starts with ESC (another OSC such as a window title or a
# hyperlink, DCS, APC, a bare ESC) or any other C0 control can only have come from data.
CSI = re.compile(r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]")
POINTER_SHAPE = re.compile(r"\x1b\]22;[a-z-]+\x07")
CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]")


class RecordingDriver(headless_driver.HeadlessDriver):
    """A headless driver that claims a terminal, so the app renders into ``write``, and keeps the output."""

    output: list[str] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        RecordingDriver.output.append(data)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Everything the app writes to its terminal during the test (``run_test`` builds a HeadlessDriver)."""
    RecordingDriver.output = []
    monkeypatch.setattr(headless_driver, "HeadlessDriver", RecordingDriver)
    yield RecordingDriver.output


def squeeze(text: str) -> str:
    """Text without whitespace, so a value wrapped over several lines or cut into cells still matches."""
    return re.sub(r"\s+", "", text)


def main_text(app: IspApp) -> str:
    """The text of the explorer's right-hand view (or of the whole screen elsewhere), without whitespace."""
    strips = app.screen._compositor.render_strips()
    main = app.screen.query("#main")
    if not main:
        return squeeze("".join(strip.text for strip in strips))
    region = main.first().region
    return squeeze("".join(strip.crop(region.x, region.right).text for strip in strips[region.y:region.bottom]))


def check_segments(app: IspApp) -> None:
    """No segment of the current screen carries a control character, and every line is exactly one
    screen wide (a wide CJK or emoji glyph counted wrong would shift every column after it)."""
    width = app.size.width
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            if segment.control:
                continue
            bad = CONTROLS.search(segment.text)
            assert bad is None, f"line {y}: control {bad.group()!r} in segment {segment.text!r}"
        assert sum(cell_len(s.text) for s in strip if not s.control) == width, f"line {y} is not {width} cells"


def check_stream(output: list[str]) -> str:
    """The terminal stream holds only Textual's CSI sequences; returns it with them removed (the text)."""
    stream = POINTER_SHAPE.sub("", "".join(output))
    assert stream, "nothing was written to the terminal: the recording driver did not take effect"
    assert "\x1b]" not in stream, "an OSC sequence (title, hyperlink, clipboard) reached the terminal"
    assert "\x1b[31mRED" not in stream, "the note's own SGR sequence reached the terminal"
    text = CSI.sub("", stream)
    leftover = re.search(r"[\x00-\x09\x0b-\x1f\x7f]", text)
    assert leftover is None, f"raw control {leftover.group()!r} at …{text[max(0, leftover.start() - 40):leftover.end()]!r}"
    return text


async def open_place(pilot: Pilot[Any], kind: str, ref: ResourceRef) -> ExplorerScreen:
    """Open a collection or record in the explorer as choosing it in the tree or go-to does."""
    screen = pilot.app.screen
    assert isinstance(screen, ExplorerScreen), f"not on the explorer:\n{screen_text(pilot.app)}"
    screen.open_place(Place(kind, ref.label(), ref=ref))
    await settle(pilot)
    return screen


@pytest.mark.parametrize("backend", list(CUSTOMERS))
async def test_hostile_values_in_tables_tree_and_records_are_shown_inert(demo_app, terminal, backend: str) -> None:
    collection, record_id = CUSTOMERS[backend]
    app, _ = demo_app(backend, customers=20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The tree: expand the customers collection, whose first records are listed under it by title.
        await pilot.press("space")
        await settle(pilot)
        check_segments(app)
        # The collection table: rows 1..20 are all on screen.
        await open_place(pilot, "collection", ResourceRef(collection=collection))
        check_segments(app)
        if backend in NAME_COLUMN:
            assert "[bold" in main_text(app), f"the markup name is not shown as typed:\n{screen_text(app)}"
        for number in HOSTILE:
            await open_place(pilot, "record", ResourceRef(collection=collection, id=record_id(number)))
            check_segments(app)
            seen = main_text(app)
            if number == 3:
                assert squeeze(MARKUP_NAME) in seen, f"markup not shown literally:\n{screen_text(app)}"
            if number == 5 and backend in NOTE_SHOWN:
                # What the user sees instead of the escapes: visible escapes (a plain field, isptui.text) or
                # JSON escapes (a note nested in an object, as Splynx's additional attributes), text intact.
                pictures = "\\x1b[31mRED\\x1b[0m\\x07bell" in seen and "\\x1b]0;pwned\\x07" in seen
                escaped = "\\u001b[31mRED\\u001b[0m\\u0007bell" in seen and "\\u001b]0;pwned\\u0007" in seen
                assert pictures or escaped, screen_text(app)
            if number == 7 and backend in STREET_SHOWN:
                assert squeeze(LONG_STRING) in seen, "the long street is cut in the record view"
            if number == 13:
                assert "Zoë🚀" in seen and "Ωmega-東京" in seen, screen_text(app)
            if number not in (3, 5):
                continue
            # The raw JSON view of the same record (t): JSON escapes or control pictures, nothing raw.
            await pilot.press("t")
            await settle(pilot)
            check_segments(app)
            if number == 3:
                assert "[boldred]Rich[/]" in main_text(app)
            await pilot.press("t")
            await settle(pilot)
    text = check_stream(terminal)
    assert "[bold red]Rich[/]" in text, "the literal markup never reached the terminal as text"


@pytest.mark.parametrize(("backend", "ref", "field"), [
    ("krill", ResourceRef(collection="isp/customers", id="5"), "comment"),
    ("splynx", ResourceRef(collection="customers", id="3"), "name"),
])
async def test_the_edit_form_shows_hostile_values_inert(demo_app, terminal, monkeypatch, tmp_path, backend: str,
                                                        ref: ResourceRef, field: str) -> None:
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(tmp_path))
    app, _ = demo_app(backend, customers=20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_place(pilot, "record", ref)
        await pilot.press("e")
        for _ in range(100):
            await pilot.pause(0.02)
            if type(app.screen).__name__ == "RecordFormScreen":
                break
        assert type(app.screen).__name__ == "RecordFormScreen", screen_text(app)
        await pilot.pause()
        check_segments(app)
        seen = main_text(app)
        if field == "name":
            assert "[boldred]Rich[/]" in seen, screen_text(app)
        else:
            assert "\\x1b[31mRED" in seen or "\\u001b[31mRED" in seen, screen_text(app)
    text = check_stream(terminal)
    if field == "name":
        assert "[bold red]Rich[/]" in text
    assert ESCAPE_NOTE not in text
