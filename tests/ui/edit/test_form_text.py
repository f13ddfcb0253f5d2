"""The form's own words (issue 15, item 7): a record-wide error shown once, an inferred schema named plainly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from isptui.model import ResourceRef
from isptui.ui.edit import RecordFormScreen
from tests.ui.edit.conftest import SIZE, Connected, Host, field_input, screen_text


async def test_non_field_errors_are_shown_once_without_their_key(
        backend_for: Callable[[str], Awaitable[Connected]]) -> None:
    krill = await backend_for("krill")
    ref = ResourceRef(collection="isp/customers", id="1")
    record = await krill.backend.get(ref)
    schema = await krill.backend.schema(ResourceRef(collection="isp/customers"))
    host = Host(lambda: RecordFormScreen(schema, record, title="Edit", editor=krill.editor, collection_ref=ref))
    async with host.run_test(size=SIZE) as pilot:
        message = "Invalid data. Expected a dictionary, but got str."
        host.screen.show_field_errors({"non_field_errors": [message]}, f"Validation failed: {message}")
        await pilot.pause()
        text = screen_text(host)
        assert text.count("Expected a dictionary") == 1, text
        assert "non_field_errors" not in text


async def test_an_inferred_schema_is_named_once(backend_for: Callable[[str], Awaitable[Connected]]) -> None:
    krill = await backend_for("krill")
    ref = ResourceRef(collection="isp/customers", id="1")
    record = await krill.backend.get(ref)
    schema = (await krill.backend.schema(ResourceRef(collection="isp/customers"))).model_copy(
        update={"source": "inferred from 20 records"})
    host = Host(lambda: RecordFormScreen(schema, record, title="Edit", editor=krill.editor, collection_ref=ref))
    async with host.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(host)
        assert "inferred from 20 records" in text and "fields from inferred" not in text


async def test_a_long_value_is_sized_in_characters_not_in_kilobytes(
        backend_for: Callable[[str], Awaitable[Connected]]) -> None:
    """A long note is drawn by its head and its length while its field is not focused. The length is counted in
    characters, and the old text called 3,412 characters "3.3 kB" (counting 1,024 of them to a kilobyte)."""
    krill = await backend_for("krill")
    ref = ResourceRef(collection="isp/customers", id="1")
    note = "\n".join(f"visit {i:04d} ok" for i in range(244))[:3412]
    await krill.backend.update(ref, {"comment": note})
    record = await krill.backend.get(ref)
    assert record.fields["comment"] == note
    schema = await krill.backend.schema(ResourceRef(collection="isp/customers"))
    host = Host(lambda: RecordFormScreen(schema, record, title="Edit", editor=krill.editor, collection_ref=ref))
    async with host.run_test(size=SIZE) as pilot:
        field_input(host, "comment").parent.scroll_visible(animate=False)
        await pilot.pause()
        text = screen_text(host)
        assert "… 3,412 characters in all, focus to edit" in text, text
        assert "kB" not in text
