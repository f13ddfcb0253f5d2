"""A record of about 1 MB is read, scrolled and copied without a long loop block (issue 15).

Two shapes. (a) One note of 1 MB (lines, control characters, ``[markup]``-looking text) written to the Krill
sandbox with the adapter's own update, so the app reads what a real server would send: the record view shows
the value by its head and size (whole on Enter, a screen at a time), inert, and copies it byte-exact. On the
old code the record view rendered the whole value on every repaint (Rich wrapping 1 MB of text into ~14,000
folded lines per line drawn), blocking the loop for seconds.

The note is also edited in the form and saved byte-exact.

(b) 5,000 fields plus a nested JSON value of 1 MB, from the memory backend (no sandbox keeps fields its
schema does not list): opened, scrolled, a masked field revealed, copied, raw JSON and the whole value viewed,
with the 50 ms check on. On the old code opening it blocked the loop 2.98 s (Textual's OptionList measuring
every option's table).
"""

from __future__ import annotations

import json
from typing import Any

from textual.app import App
from textual.widgets import OptionList

from isptui.model import Record, ResourceRef
from isptui.ui.app import IspApp
from isptui.ui.edit import DiffPreviewScreen, RecordFormScreen
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.text import byte_size
from isptui.ui.widgets.long_text import LongText, LongValueScreen
from isptui.ui.widgets.record_view import RecordView
from tests.stall import no_loop_stalls
from tests.ui.conftest import SIZE, settle
from tests.ui.edit.conftest import connect, wait_for
from tests.ui.memory_backend import MemoryBackend, MemoryLog, memory_settings
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import goto

BIG_VALUE_BOUND = 0.25
"""Seconds: far under the old code's blocks (seconds), above the ~40 ms measured alone (budget 50 ms)."""

MB = 1 << 20


def big_note() -> str:
    """~1 MB of operator notes: lines, a TAB, ESC and BEL, CR LF, ``[markup]`` that must stay literal."""
    parts = []
    i = size = 0
    while size < MB:  # a running total: summing the parts each time made this quadratic (seconds per test)
        parts.append(f"{i:06d} [bold]visit[/bold] \x1b[31mred\x1b[0m\tcable fixed at pole {i} [link=x]y[/link]\x07"
                     + ("\r\n" if i % 7 == 0 else "\n"))
        size += len(parts[-1])
        i += 1
    return "".join(parts)[:MB]


async def test_a_1mb_note_is_shown_scrolled_and_copied_without_a_long_stall(demo_app) -> None:
    app, sandbox = demo_app("krill")
    note = big_note()
    ref = ResourceRef(collection="isp/customers", id="1")
    writer = await connect("krill", sandbox)
    await writer.update(ref, {"comment": note})
    assert (await writer.get(ref)).fields["comment"] == note  # the server carries it byte-exact
    await writer.close()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        async with no_loop_stalls(check=False) as watch:
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
        # The old code blocked for seconds here (a repaint wrapped the whole 1 MB value). The 50 ms budget
        # is met alone (~40 ms) but not reliably on a loaded machine, so the bound checked is the regression's.
        assert watch.worst < BIG_VALUE_BOUND, watch.report()


async def test_a_1mb_note_is_edited_in_the_form_and_saved_byte_exact_without_a_long_stall(demo_app) -> None:
    """``e`` on the record, Tab to the note, Ctrl+End, three keys, Ctrl+S, Confirm: the server gets the
    stored note plus those keys, byte for byte (its CR LF and LF lines, ESC, BEL, NUL and DEL as they were).

    On the old code the form built the note's TextArea on the loop (splitting, measuring and wrapping the
    whole megabyte: about 1.5 s), drew its field by splitting the whole value on each repaint, and saved every
    line end as the first one found (the CR LF lines came back LF or the other way round).
    """
    app, sandbox = demo_app("krill")
    note = big_note()
    assert "\r\n" in note and "\n" in note.replace("\r\n", "")  # both line ends, in one value
    ref = ResourceRef(collection="isp/customers", id="1")
    writer = await connect("krill", sandbox)
    await writer.update(ref, {"comment": note})
    await writer.close()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "isp/customers 1")
        await settle(pilot)
        phases = {}
        async with no_loop_stalls(check=False) as phases["open and Tab"]:
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the form")
            form = app.screen
            assert isinstance(form, RecordFormScreen)
            editor = next(e for e in form.editors if e.spec.name == "comment")
            for _ in range(len(form.editors)):  # Tab to the note, as the user would
                if form.focused is editor.control:
                    break
                await pilot.press("tab")
            assert form.focused is editor.control
            await wait_for(pilot, lambda: not editor.control.loading_text, "the note ready in its field")
        async with no_loop_stalls(check=False) as phases["type"]:
            await pilot.press("ctrl+end", "!", "o", "k")
            await pilot.pause()
            text = screen_text(app)
        sandbox.clear_received()
        async with no_loop_stalls(check=False) as phases["preview"]:
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the diff preview")
            await pilot.pause()
            preview = screen_text(app)
        async with no_loop_stalls(check=False) as phases["confirm"]:
            await pilot.press("tab", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after saving")
            await settle(pilot)
        worst = max(phases.values(), key=lambda watch: watch.worst)
        print("1 MB note edited and saved, worst loop block: "
              + ", ".join(f"{name} {watch.worst * 1000:.0f} ms" for name, watch in phases.items()))
    assert "\x1b" not in text and "\x07" not in text and "ok" in text
    # The preview counts characters, exactly: a one-character change to a megabyte still reads as one.
    assert "\x1b" not in preview and f"{len(note):,} characters → {len(note) + 3:,} characters" in preview, preview
    patches = [r for r in sandbox.received if r.method in ("PATCH", "PUT") and "customers/1" in r.path]
    assert len(patches) == 1
    assert json.loads(patches[0].body)["comment"] == note + "!ok"  # byte-exact, line ends and all
    reader = await connect("krill", sandbox)
    assert (await reader.get(ref)).fields["comment"] == note + "!ok"
    await reader.close()
    assert worst.worst < BIG_VALUE_BOUND, worst.report()


FIELDS = 5000


def nested_value() -> dict[str, Any]:
    """~1 MB of nested JSON (ports with VLAN lists), with markup-looking text and an ESC in every label."""
    return {"ports": [{"id": i, "name": f"port {i}", "vlans": list(range(i % 40)), "label": "[b]up[/b]\x1b"}
                      for i in range(9000)]}


async def at_end(pilot, view: LongText) -> None:  # type: ignore[no-untyped-def]
    """Wait for a scroll to the end (animated) to arrive."""
    await wait_for(pilot, lambda: view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y, "the end")


class WideMemory(MemoryBackend):
    """Customer 1 carries 5,000 more fields, a secret-looking one last, and a nested JSON value of ~1 MB.

    No sandbox keeps fields its schema does not list (each drops unknown keys on write), so the memory
    backend serves this shape. The fields are made once, before the app runs: making them is the server's
    work, not the app's, and is not charged to the app's loop."""

    wide: dict[str, Any] = {}

    def _customer(self, number: int) -> Record:
        record = super()._customer(number)
        if number != 1:
            return record
        fields: dict[str, Any] = {**record.fields, **self.wide}
        return record.model_copy(update={"fields": fields, "raw": fields})


def wide_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {"config": nested_value()}
    fields.update({f"attr_{i:04d}": f"value {i} [i]x[/i]\x1b" for i in range(FIELDS)})
    fields["wifi_password"] = "hunter2-wide"
    return fields


async def test_5000_fields_and_a_1mb_json_value_open_scroll_reveal_and_copy_without_a_stall() -> None:
    WideMemory.wide = wide_fields()
    log = MemoryLog()
    entry = ProfileEntry("memory", "memory", lambda: WideMemory(memory_settings(log)), request_log=log)
    app = IspApp([entry], show_latency=False)
    compact = len(json.dumps(nested_value(), ensure_ascii=False, separators=(",", ":")))
    assert compact >= MB
    size = byte_size(compact)  # as the record view says it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        async with no_loop_stalls() as watch:
            await goto(pilot, "customers 1")
            await settle(pilot)
            view = app.screen.query_one(RecordView)
            assert len(view.record.fields) > FIELDS
            text = screen_text(app)
            assert "config" in text and "press Enter to view" in text, text
            await pilot.press("end")
            await pilot.pause()
            text = screen_text(app)
            assert "diagnostic" in text, text  # the last line: the last action
            assert "attr_4999" in text and "hunter2-wide" not in text and "v reveals" in text, text
            await pilot.press("home")
            await pilot.pause()
            text = screen_text(app)
            assert "config" in text and "attr_4999" not in text, text
            for key in ("down", "pagedown", "pagedown", "end", "pageup", "home"):
                await pilot.press(key)
                await pilot.pause()
            wanted = f"field-{list(view.record.fields).index('wifi_password')}"
            view.highlighted = next(i for i, o in enumerate(view.options) if o.id == wanted)
            await pilot.pause()
            await pilot.press("v")
            await pilot.pause()
            assert "hunter2-wide" in screen_text(app)
            await pilot.press("v")
            await pilot.pause()
            assert "hunter2-wide" not in screen_text(app)
            await pilot.press("y")  # the record as JSON
            await wait_for(pilot, lambda: app.clipboard, "the copy")
            copied = app.clipboard
            await pilot.press("t")  # the raw JSON: drawn by rows too
            await wait_for(pilot, lambda: app.screen.query(LongText) and app.screen.query_one(LongText).ready,
                           "the raw JSON")
            await pilot.press("pagedown", "end")
            await at_end(pilot, app.screen.query_one(LongText))
            assert '"attr_4999": "value 4999 [i]x[/i]\\u001b"' in screen_text(app), screen_text(app)
            await pilot.press("t")
            await settle(pilot)
            view = app.screen.query_one(RecordView)
            assert "config" in screen_text(app)
            wanted = f"field-{list(view.record.fields).index('config')}"
            view.highlighted = next(i for i, o in enumerate(view.options) if o.id == wanted)
            await wait_for(pilot, lambda: f"{size}, press Enter" in screen_text(app), "the JSON value's size")
        worst = watch
        # Pushing and popping the viewer is a screen switch (24 ms here since a dialog's second layout is a
        # callback of its own), held to the budget like the rest.
        async with no_loop_stalls() as switch:
            await pilot.press("enter")  # the whole JSON value, indented, drawn a screen at a time
            await wait_for(pilot, lambda: isinstance(app.screen, LongValueScreen)
                           and app.screen.query_one(LongText).ready, "the viewer")
        async with no_loop_stalls() as watch:
            await pilot.press("pagedown", "end")
            await at_end(pilot, app.screen.query_one(LongText))
            text = screen_text(app)
            assert '"label": "[b]up[/b]\\u001b"' in text and "\x1b" not in text, text
        worst = max(worst, watch, key=lambda w: w.worst)
        async with no_loop_stalls() as closed:
            await pilot.press("escape")
            await pilot.pause()
        copied_value = json.loads(copied)
        assert copied_value["config"] == nested_value()
        assert copied_value["attr_4999"] == "value 4999 [i]x[/i]\x1b"
        print(f"5,000 fields: worst block {worst.worst * 1000:.1f} ms in {worst.worst_callback}\n{worst.worst_stack}"
              f"; viewer opened {switch.worst * 1000:.1f} ms, closed {closed.worst * 1000:.1f} ms")


async def test_a_field_drawn_on_one_line_without_its_table_looks_as_the_table_drew_it() -> None:
    """The one-line fast path draws exactly what the name/value table draws (text, style, cell by cell)."""
    fields: dict[str, Any] = {"id": 7, "name": "[b]Zoë[/b] 東京", "note": None, "empty": "", "text": "null",
                              "a_rather_long_field_name_cut_here": "x", "pppoe_password": "s3cret",
                              "ctl": "a\x1bb\tc", "flag": True, "list": [1, "two"]}
    record = Record(ref=ResourceRef(collection="c", id="7"), title="t", fields=fields)

    class One(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield RecordView(record)

    async with One().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = pilot.app.query_one(RecordView)
        view.focus()
        await pilot.pause()
        width = view.scrollable_content_region.width
        for option in view.options:
            assert view._fits(option, width), option.id
            for classes in (("option-list--option",), ("option-list--option", "option-list--option-highlighted")):
                style = view.get_visual_style(*classes)
                view._option_render_cache.clear()  # both drawn afresh (they share the cache)
                fast = view._get_option_render(option, style)
                view._option_render_cache.clear()
                drawn = OptionList._get_option_render(view, option, style)
                assert [list(s) for s in fast] == [list(s) for s in drawn], (option.id, fast, drawn)
