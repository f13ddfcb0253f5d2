"""A record of about 1 MB is read, scrolled, edited and copied without blocking the loop (issue 15).

Two shapes: (a) one note of 1 MB (lines, control characters, ``[markup]``-looking text) written to the Krill
sandbox with the adapter's own update, so the app reads what a real server would send; (b) a record of
5,000 fields plus a nested JSON value of 1 MB, served by the memory backend (no sandbox keeps fields its
schema does not list). Every interaction runs under ``no_loop_stalls`` with the 50 ms check on.

On the old code the record view rendered the whole value on every repaint (Rich wrapping 1 MB of text
into ~14,000 folded lines per line drawn), blocking the loop for seconds.
"""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import TextArea

from isptui.model import Record, ResourceRef
from isptui.ui.app import IspApp
from isptui.ui.edit import RecordFormScreen
from isptui.ui.profiles import ProfileEntry
from isptui.ui.widgets.record_view import RecordView
from tests.stall import no_loop_stalls
from tests.ui.conftest import SIZE, settle
from tests.ui.edit.conftest import connect, wait_for
from tests.ui.memory_backend import MemoryBackend, MemoryLog, memory_settings
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import goto

MB = 1 << 20


def big_note() -> str:
    """~1 MB of operator notes: lines, a TAB, ESC and BEL, CR LF, ``[markup]`` that must stay literal."""
    parts = []
    i = 0
    while sum(map(len, parts)) < MB:
        parts.append(f"{i:06d} [bold]visit[/bold] \x1b[31mred\x1b[0m\tcable fixed at pole {i} [link=x]y[/link]\x07"
                     + ("\r\n" if i % 7 == 0 else "\n"))
        i += 1
    return "".join(parts)[:MB]


async def test_a_1mb_note_is_shown_scrolled_edited_and_copied_without_a_stall(demo_app) -> None:
    app, sandbox = demo_app("krill")
    note = big_note()
    ref = ResourceRef(collection="isp/customers", id="1")
    writer = await connect("krill", sandbox)
    await writer.update(ref, {"comment": note})
    assert (await writer.get(ref)).fields["comment"] == note  # the server carries it byte-exact
    await writer.close()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        async with no_loop_stalls() as watch:
            await goto(pilot, "isp/customers 1")
            await settle(pilot)
            view = app.screen.query_one(RecordView)
            assert view.record.fields["comment"] == note
            text = screen_text(app)
            assert "1.0 MB" in text, text
            assert "\x1b" not in text and "\x07" not in text
            assert "[bold]visit[/bold]" in text  # markup-looking text shown literally
            await pilot.press("end")
            await pilot.pause()
            await pilot.press("home")
            await pilot.pause()
            for _ in range(12):
                await pilot.press("down")
            await pilot.pause()
            await pilot.press("y")  # copy the record as JSON
            await pilot.pause()
            assert json.loads(app.clipboard)["comment"] == note
        print(f"record view worst {watch.worst * 1000:.1f} ms", watch.worst_stack)
        async with no_loop_stalls() as watch:
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the form")
            await settle(pilot)
            form = app.screen
            control = next(e.control for e in form.editors if e.spec.name == "comment")
            await wait_for(pilot, lambda: isinstance(control, TextArea) and control.text == note, "the note")
            control.focus()
            await pilot.pause()
            await pilot.press("ctrl+end")
            await pilot.pause()
            text = screen_text(app)
            assert "\x1b" not in text and "\x07" not in text
        print(f"form worst {watch.worst * 1000:.1f} ms", watch.worst_stack)
        assert form.editors[[e.spec.name for e in form.editors].index("comment")].touched is False


class BigMemory(MemoryBackend):
    """Customer 1 carries 5,000 extra fields and a nested JSON value of ~1 MB."""

    def _customer(self, number: int) -> Record:
        record = super()._customer(number)
        if number != 1:
            return record
        fields: dict[str, Any] = dict(record.fields)
        fields.update({f"attr_{i:04d}": f"value {i} [i]x[/i]" for i in range(5000)})
        fields["config"] = nested_value()
        return record.model_copy(update={"fields": fields, "raw": fields})


def nested_value() -> dict[str, Any]:
    return {"ports": [{"id": i, "name": f"port {i}", "vlans": list(range(i % 40)), "label": "[b]up[/b]\x1b"}
                      for i in range(5500)]}


async def test_5000_fields_and_a_1mb_json_value_are_shown_and_copied_without_a_stall() -> None:
    log = MemoryLog()
    entry = ProfileEntry("memory", "memory", lambda: BigMemory(memory_settings(log)), request_log=log)
    app = IspApp([entry], show_latency=False)
    assert len(json.dumps(nested_value())) >= MB
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        async with no_loop_stalls() as watch:
            await goto(pilot, "customers 1")
            await settle(pilot)
            view = app.screen.query_one(RecordView)
            assert len(view.record.fields) > 5000
            await pilot.press("end")
            await pilot.pause()
            await pilot.press("home")
            await pilot.pause()
            await pilot.press("pagedown", "pagedown")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert json.loads(app.clipboard)["config"] == nested_value()
        print(f"memory worst {watch.worst * 1000:.1f} ms", watch.worst_stack)
