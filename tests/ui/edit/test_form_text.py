"""The form's own words (issue 15, item 7): a record-wide error shown once, an inferred schema named plainly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from isptui.model import ResourceRef
from isptui.ui.edit import RecordFormScreen
from tests.ui.edit.conftest import SIZE, Connected, Host, screen_text


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
