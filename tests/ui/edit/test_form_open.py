"""A 60-field form opens at once and keys typed right away land in a field the user can see (issue 15, item 4).

On the old code the form composed all 60 fields before its first paint (2.1 s; seconds more on a busy
machine) and the keys typed meanwhile were routed into its first field before it was ever drawn.
"""

from __future__ import annotations

from typing import Any

from isptui.model import FieldSpec, FieldType, Record, ResourceRef, Schema
from isptui.ui.edit import RecordFormScreen
from isptui.ui.edit.form import FIRST_FIELDS
from tests.stall import no_loop_stalls
from tests.ui.edit.conftest import SIZE, Host, wait_for

TYPES = (FieldType.STRING, FieldType.INTEGER, FieldType.BOOLEAN, FieldType.DATE)


def sixty_fields() -> tuple[Schema, Record]:
    fields = tuple(FieldSpec(name=f"field_{i}", type=TYPES[i % 4], required=i % 5 == 0,
                             help=f"what field {i} is for") for i in range(60))
    record = Record(ref=ResourceRef(collection="things", id="1"), title="thing 1",
                    fields={f.name: None for f in fields})
    return Schema(fields=fields, source="OPTIONS"), record


def form(schema: Schema, record: Record) -> Any:
    return RecordFormScreen(schema, record, title="Edit thing 1", editor=None,  # type: ignore[arg-type]
                            collection_ref=record.ref)


async def test_sixty_fields_paint_a_screenful_first_and_the_rest_follow_in_order() -> None:
    schema, record = sixty_fields()
    host = Host(lambda: form(schema, record))
    async with host.run_test(size=SIZE) as pilot:
        screen = host.screen
        assert isinstance(screen, RecordFormScreen)
        assert len(screen.query("FieldEditor")) <= FIRST_FIELDS + 1
        # Each later field is mounted after a repaint, so keys are handled between them. Each step still
        # costs Textual a layout of every field mounted so far (about 0.1 s at 60 fields): measured, not
        # asserted here — see the README's benchmark table.
        async with no_loop_stalls(check=False) as watch:
            await wait_for(pilot, lambda: len(screen.query("FieldEditor")) == 60, "all 60 fields", timeout=60)
        assert watch.worst > 0
        assert [e.spec.name for e in screen.query("FieldEditor")] == [f.name for f in schema.fields]


async def test_keys_typed_while_the_form_opens_are_not_routed_into_an_unseen_field() -> None:
    schema, record = sixty_fields()
    host = Host(lambda: form(schema, record))
    async with host.run_test(size=SIZE) as pilot:
        screen = host.screen
        first = screen.editors[0].control
        await wait_for(pilot, lambda: screen.focused is first, "the first field to take the focus")
        assert first.region.height > 0, "the focused field is on screen"
        await pilot.press("4", "2")
        assert first.value == "42"
        assert screen.touched() == ["field_0"]  # the fields not yet mounted count as untouched
