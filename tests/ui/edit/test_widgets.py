"""Form generation from a Schema: a widget per type, marks, help, locks, and client-side checks in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from textual.widgets import Input, Select, SelectionList, Switch, TextArea

from isptui.edit.editor import Editor
from isptui.edit.journal import Journal
from isptui.model import FieldSpec, FieldType, Record, ResourceRef, Schema
from isptui.ui.edit import RecordFormScreen
from tests.ui.edit.conftest import Host, field_input, screen_text, type_into, wait_for

SCHEMA = Schema(fields=(
    FieldSpec(name="id", type=FieldType.INTEGER, read_only=True),
    FieldSpec(name="name", required=True, help="[b]Shown[/b] as typed"),
    FieldSpec(name="port", type=FieldType.INTEGER, minimum=1, maximum=65535),
    FieldSpec(name="active", type=FieldType.BOOLEAN),
    FieldSpec(name="tech", type=FieldType.CHOICE, choices=(("gpon", "GPON"), ("adsl", "ADSL"))),
    FieldSpec(name="tags", type=FieldType.MULTI_CHOICE, choices=(("a", "A"), ("b", "B"))),
    FieldSpec(name="born", type=FieldType.DATE),
    FieldSpec(name="extra", type=FieldType.OBJECT),
    FieldSpec(name="notes", multiline=True),
    FieldSpec(name="token", secret=True),
))
RECORD = Record(ref=ResourceRef(collection="things", id="7"), title="thing 7",
                fields={"id": 7, "name": "Thing", "port": 8080, "active": "1", "tech": "vdsl", "tags": ["b"],
                        "born": "2020-01-02", "extra": {"k": 1}, "notes": "line 1\nline 2", "token": "tok-123456"})


def form_host(tmp_path: Path) -> Host:
    # No request can happen in these tests: every save stops at client-side validation.
    editor = Editor(cast(Any, None), Journal(path=tmp_path / "j.jsonl"), "test")
    return Host(lambda: RecordFormScreen(SCHEMA, RECORD, title="Edit thing 7", editor=editor,
                                         collection_ref=RECORD.ref))


async def test_each_type_gets_its_widget_filled_from_the_record(tmp_path: Path) -> None:
    host = form_host(tmp_path)
    async with host.run_test(size=(100, 60)) as pilot:
        # The form paints its first fields at once and the rest a page per repaint.
        await wait_for(pilot, lambda: not host.screen._unmounted, "every field shown")  # type: ignore[attr-defined]
        assert field_input(host, "id").disabled
        assert isinstance(field_input(host, "port"), Input) and field_input(host, "port").type == "integer"
        assert isinstance(field_input(host, "active"), Switch) and field_input(host, "active").value is True
        tech = field_input(host, "tech")
        assert isinstance(tech, Select) and tech.value == "vdsl"  # a value outside the list is kept, flagged
        assert isinstance(field_input(host, "tags"), SelectionList) and field_input(host, "tags").selected == ["b"]
        assert isinstance(field_input(host, "extra"), TextArea) and '"k": 1' in field_input(host, "extra").text
        assert field_input(host, "notes").text == "line 1\nline 2"
        assert field_input(host, "token").password and field_input(host, "token").value == ""
        text = screen_text(host)
        assert "Name *" in text and "[b]Shown[/b] as typed" in text and "(not in the list)" in text
        assert "(read-only)" in text and "tok-123456" not in text
        assert "Token  (secret)" in text  # the last page, built after the first paint, is painted too


async def test_bad_values_are_flagged_under_their_fields_and_kept(tmp_path: Path) -> None:
    host = form_host(tmp_path)
    async with host.run_test(size=(100, 60)) as pilot:
        await type_into(pilot, field_input(host, "port"), "70000")
        await type_into(pilot, field_input(host, "born"), "02/01/2020")
        extra = field_input(host, "extra")
        extra.load_text('{"k": ')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: host.screen.query(".-invalid"), "field errors")
        flagged = {e.spec.name for e in host.screen.editors if e.has_class("-invalid")}
        assert flagged == {"port", "born", "extra"}
        text = screen_text(host)
        assert "must be a date like" in text and "not valid JSON" in text and "less than or equal" in text
        assert field_input(host, "port").value == "70000" and field_input(host, "extra").text == '{"k": '
        assert host.results == []
