"""Issue 13 case 1: the form edits the original value; control characters are stand-ins on screen only.

On the old code a note with CR LF, TAB and ESC was loaded as ``␍``, a space and ``␛``, and appending one
word saved those stand-ins. Here the user appends a word through the keyboard and the save sends exactly
the stored text plus that word (what the sandbox received), while the screen never carries a raw ESC.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from textual.widgets import TextArea

from isptui.model import ResourceRef
from isptui.ui.edit import DiffPreviewScreen, RecordFormScreen
from tests.ui.edit.conftest import SIZE, Connected, Host, field_input, screen_text, wait_for

NOTE = "first line\r\n\tindented \x1b[31mred\x1b[0m [b]x[/b]"
CITY = "Tab\there \x1b esc"


async def test_appending_a_word_saves_the_original_plus_the_word(
        backend_for: Callable[[str], Awaitable[Connected]]) -> None:
    krill = await backend_for("krill")
    ref = ResourceRef(collection="isp/customers", id="1")
    await krill.backend.update(ref, {"comment": NOTE, "city": CITY})
    record = await krill.backend.get(ref)
    schema = await krill.backend.schema(ResourceRef(collection="isp/customers"))
    host = Host(lambda: RecordFormScreen(schema, record, title="Edit", editor=krill.editor, collection_ref=ref))
    async with host.run_test(size=SIZE) as pilot:
        note = field_input(host, "comment")
        assert isinstance(note, TextArea) and note.text == NOTE  # multi-line: a TextArea with CR LF kept
        city = field_input(host, "city")
        assert city.value == CITY
        text = screen_text(host)
        assert "\x1b" not in text, [row for row in text.splitlines() if "\x1b" in row]
        assert "\\x1b" in text  # stand-ins drawn, the value untouched
        note.focus()
        note.move_cursor(note.document.end)
        await pilot.press("space", "w", "o", "r", "d")
        city.focus()
        await pilot.pause()
        await pilot.press("end", "space", "x")
        krill.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the preview")
        preview = screen_text(host)
        assert "\\r\\n\\tindented \\x1b[31m" in preview.replace("\n", "")  # the diff shows escapes
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: host.results, "the save")
    (method, _, body), = krill.writes()
    assert method == "PATCH"
    assert json.loads(body) == {"comment": NOTE + " word", "city": CITY + " x"}
    stored: Any = (await krill.backend.get(ref)).fields
    assert stored["comment"] == NOTE + " word" and stored["city"] == CITY + " x"


MIXED = "visit 1\r\nvisit 2\nvisit 3\x0cpage 2\rold mac line"  # Krill (DRF) trims the ends


async def test_a_note_with_mixed_line_ends_keeps_each_one_when_a_word_is_added(
        backend_for: Callable[[str], Awaitable[Connected]]) -> None:
    """Textual's TextArea joins its lines with the first newline it found: the LF, FF and CR lines of this
    note were saved as CR LF (on the old code) though the user only added a word to its first line."""
    krill = await backend_for("krill")
    ref = ResourceRef(collection="isp/customers", id="1")
    await krill.backend.update(ref, {"comment": MIXED})
    record = await krill.backend.get(ref)
    assert record.fields["comment"] == MIXED, repr(record.fields["comment"])
    schema = await krill.backend.schema(ResourceRef(collection="isp/customers"))
    host = Host(lambda: RecordFormScreen(schema, record, title="Edit", editor=krill.editor, collection_ref=ref))
    async with host.run_test(size=SIZE) as pilot:
        note = field_input(host, "comment")
        note.focus()
        await pilot.pause()
        await pilot.press("end", "space", "o", "k")
        krill.sandbox.clear_received()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(host.screen, DiffPreviewScreen), "the preview")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: host.results, "the save")
    (_, _, body), = krill.writes()
    assert json.loads(body) == {"comment": MIXED.replace("visit 1", "visit 1 ok", 1)}
