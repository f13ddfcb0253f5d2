"""The property: for any server text, nothing written to the terminal holds a byte in 0x00-0x1f or
0x7f-0x9f other than newline (and Textual's own CSI sequences), and no widget raises on it.

Two levels, both deterministic: hypothesis (derandomized, few examples) over the one sanitizer and the
redactor's message line; and a seeded corpus of hostile strings pushed through the app's real output paths
(toast, dialog title, record view, tree label) while a recording driver keeps every terminal write.
"""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Label

from isptui.http.redact import Redactor
from isptui.model import Link, Record, ResourceRef
from isptui.text import clean, is_clean
from isptui.ui.screens.dialogs import ConfirmScreen
from isptui.ui.text import safe_text, shown
from isptui.ui.widgets.record_view import RecordView
from tests.trust.test_ui_trust import hostile_app, open_hostile
from tests.ui.conftest import settle
from tests.ui.test_terminal_safety import terminal  # noqa: F401  (fixture: what the app wrote to its tty)

# Textual's own output: CSI sequences, the pointer-shape OSC 22, and OSC 52 carrying base64 (the app's
# own copy to the clipboard: base64 cannot hold an escape).
CSI = re.compile(r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]")
OWN_OSC = re.compile(r"\x1b\](?:22;[a-z-]+|52;c;[A-Za-z0-9+/=]*)\x07")
BAD = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

SERVER_TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=None), max_size=40) | st.lists(
    st.sampled_from(["\x1b", "]52;c;", "\x07", "[/]", "[@click=app.quit]", "[bold]", "\x9b", "\r", "\n",
                     "\t", "\x00", "\x7f", "\u202e", "x", "é", "東"]), max_size=12).map("".join)


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(SERVER_TEXT)
def test_the_sanitizer_and_the_error_line_never_let_a_control_through(text: str) -> None:
    assert is_clean(clean(text), multiline=False)
    assert is_clean(clean(text, multiline=True))
    assert clean(clean(text)) == clean(text)  # idempotent: sanitising twice changes nothing
    line = Redactor(["hunter22"]).message(text + "hunter22")
    assert is_clean(line, multiline=False) and "hunter22" not in line
    assert safe_text(text).plain == clean(shown(text))  # "null" and "" quoted, so None stays apart


def corpus(seed: int = 12, count: int = 3) -> list[str]:
    rng = random.Random(seed)
    pieces = ["\x1b]52;c;cm0=\x07", "\x1b]0;t\x07", "\x1b[2J", "[/]", "[@click=app.quit]x[/]", "[b]", "\x9b1m",
              "\r\n", "\x00", "\x7f", "\u202e", "\x08", "ok", "Zoë", "東京", "\\"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(4, 10))) for _ in range(count)]


async def test_hostile_text_through_every_output_path_writes_no_control_to_the_terminal(terminal) -> None:  # noqa: F811
    app, _ = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_hostile(pilot)
        for text in corpus():
            app.notify(text, title=text, severity="error")
            record = Record(ref=ResourceRef(collection="c", id=text), title=text, fields={text: text},
                            links=(Link(rel=text, href="http://elsewhere.example/", external=True),))
            await screen._show(RecordView(record))
            await screen.mount(Label(safe_text(text)))
            app.push_screen(ConfirmScreen(text, text))
            await pilot.pause()
            app.pop_screen()
            app.sub_title = clean(text)
        await settle(pilot)
        assert app.is_running
    stream = OWN_OSC.sub("", "".join(terminal))
    assert stream, "the recording driver saw nothing"
    text = CSI.sub("", stream)
    bad = BAD.search(text)
    assert bad is None, f"raw {bad.group()!r} near {text[max(0, bad.start() - 30):bad.end() + 10]!r}"
