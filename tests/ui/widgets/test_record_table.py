"""RecordTable on its own: rows keyed by position, a whole-collection page, failed pages (issues 14 B, 15)."""

from __future__ import annotations

import unicodedata

from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region

from isptui.errors import BackendError
from isptui.model import Page, Record, ResourceRef
from isptui.ui.widgets.record_table import RecordTable, column_cap
from tests.ui.conftest import settle
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import goto


def rec(n: int) -> Record:
    return Record(ref=ResourceRef(collection="c", id=str(n)), title=f"row {n}", fields={"id": n, "name": f"row {n}"})


class Server:
    """A collection of ``size`` rows (ids from 0); pages listed in ``fail`` raise the given status."""

    def __init__(self, size: int, *, fail: dict[int, int] | None = None) -> None:
        self.size, self.fail = size, dict(fail or {})
        self.asked: list[int] = []

    async def __call__(self, offset: int, limit: int) -> Page:
        self.asked.append(offset)
        if offset in self.fail:
            raise BackendError("refused", status=self.fail[offset])
        rows = tuple(rec(n) for n in range(offset, min(self.size, offset + limit)))
        return Page(items=rows, offset=offset, total=self.size)


class Host(App[None]):
    def __init__(self, server: Server, page_size: int) -> None:
        super().__init__()
        self.server, self.page_size = server, page_size

    def compose(self) -> ComposeResult:
        yield RecordTable(self.server, page_size=self.page_size)


def lines(table: RecordTable) -> list[str]:
    return [table.render_line(y).text for y in range(1, table.scrollable_content_region.height)]


async def test_pk_zero_row_is_shown_not_loading() -> None:
    app = Host(Server(3), page_size=50)
    async with app.run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        table = app.query_one(RecordTable)
        shown = lines(table)
    assert "row 0" in shown[0] and not any("loading" in line for line in shown)


async def test_a_failed_page_keeps_loaded_rows_marks_its_range_and_r_retries_it_alone() -> None:
    server = Server(12, fail={4: 503})
    app = Host(server, page_size=4)
    async with app.run_test(size=(60, 16)) as pilot:
        await settle(pilot)
        table = app.query_one(RecordTable)
        shown = lines(table)
        assert [("row 0" in shown[0]), ("failed — r to retry" in shown[4]), ("row 8" in shown[8])] == [True] * 3
        assert table.can_retry
        del server.fail[4]
        before = len(server.asked)
        table.retry()
        await settle(pilot)
        assert server.asked[before:] == [4]
        assert "row 4" in lines(table)[4] and table.error is None


async def test_a_client_error_page_is_not_offered_for_retry() -> None:
    server = Server(12, fail={4: 400})
    app = Host(server, page_size=4)
    async with app.run_test(size=(60, 16)) as pilot:
        await settle(pilot)
        table = app.query_one(RecordTable)
        row = lines(table)[4]
        assert "not retried" in row and "r to retry" not in row and not table.can_retry
        before = len(server.asked)
        table.retry()
        await settle(pilot)
        assert server.asked[before:] == []


async def test_a_400_on_opening_is_not_offered_for_retry_in_the_app(memory_app) -> None:  # type: ignore[no-untyped-def]
    app, made = memory_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        made["backend"].fail_next, made["backend"].fail_status = 1, 400
        await goto(pilot, "customers")
        text = screen_text(app)
        assert "not retried" in text and "r retr" not in text


class IgnoresOffset(Server):
    """Counts nothing and answers every later page as the first again (what Backend marks offset_ignored)."""

    async def __call__(self, offset: int, limit: int) -> Page:
        self.asked.append(offset)
        if offset:
            return Page(items=(), offset=offset, offset_ignored=True)
        return Page(items=tuple(rec(n) for n in range(limit)), offset=0, next_cursor="more")


async def test_a_server_ignoring_offset_ends_the_table_at_its_first_rows_without_placeholders() -> None:
    server = IgnoresOffset(12)
    app = Host(server, page_size=5)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        table = app.query_one(RecordTable)
        table.focus()
        await pilot.press("end")
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        shown = lines(table)
        assert (table.row_count, table.total_label, table.offset_ignored, table.cursor) == (5, "5 of ?", 5, 4)
    assert server.asked == [0, 5]
    assert not any("loading" in line for line in shown) and "row 4" in shown[4] and not shown[5].strip()


async def test_columns_drawn_fit_the_table_even_when_its_resize_event_comes_late(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The first page often arrives before the table is laid out (width 0). Its columns were sized then, at the
    widest cap, and put right only by the Resize event that follows layout; on a busy machine frames were drawn
    before that event was handled, with a wide cut column (a flaky snapshot). Drawing sizes them for the width."""
    long_row = Record(ref=ResourceRef(collection="c", id="1"), title="x",
                      fields={"id": 1, "name": "n" * 60, "city": "Bristol"})
    first = Page(items=(long_row,), offset=0, total=1)

    class Late(App[None]):
        def compose(self) -> ComposeResult:
            yield RecordTable(Server(1), page_size=50, first_page=first)

    monkeypatch.setattr(RecordTable, "on_resize", lambda self: None)  # the Resize event not handled yet
    async with Late().run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        table = pilot.app.query_one(RecordTable)
        shown = [table.render_line(0).text, *lines(table)]
        cap = column_cap(table.size.width)
    name_width = next(c.width for c in table.columns if c.name == "name")
    assert (name_width, "Bristol" in shown[1]) == (cap, True), shown[:2]


def test_a_repaint_before_the_tables_styles_are_applied_draws_blank_instead_of_crashing() -> None:
    """The chaos soak crashed the app: a repaint reached a RecordTable whose component styles were not applied
    yet (Textual raised KeyError "No 'record-table--header' key in COMPONENT_CLASSES")."""
    table = RecordTable(Server(3), page_size=50)  # not mounted: no styles applied
    strips = table.render_lines(Region(0, 0, 20, 3))
    assert [s.text for s in strips] == [" " * 20] * 3
    assert table.render_line(0).text == ""


def bare(text: str) -> str:
    return "".join(c for c in text if not unicodedata.combining(c))


async def test_rows_cut_at_the_right_edge_read_as_the_general_crop_draws_them() -> None:
    """A row is drawn from the columns that reach the right edge only, cut there (issue 15: the general crop
    was a fifth of a big collection's first paint). What the operator reads is the same, wide and combining
    characters at the edge included (a combining mark at the cut now stays with its letter, where the general
    crop dropped it), and every line is exactly the table's width."""
    values = ["Ünïcödé ünïcödé ünïcödé", "北京市朝阳区建国路北京市朝阳区", "e\u0301" * 30, "plain " * 8, "🙂🙂🙂🙂🙂🙂🙂🙂🙂"]
    records = tuple(Record(ref=ResourceRef(collection="c", id=str(n)), title="x",
                           fields={"id": n, "name": values[n % 5], "city": values[(n + 1) % 5],
                                   "note": values[(n + 2) % 5]}) for n in range(25))

    async def fetch(offset: int, limit: int) -> Page:
        return Page(items=records[offset:offset + limit], offset=offset, total=len(records))

    class Wide(App[None]):
        def compose(self) -> ComposeResult:
            yield RecordTable(fetch, page_size=50)

    for width in (31, 37, 44, 52):
        async with Wide().run_test(size=(width, 30)) as pilot:
            await settle(pilot)
            table = pilot.app.query_one(RecordTable)
            inner = table.scrollable_content_region.width
            gutter_w = table._gutter_width()
            for y in range(1, 26):
                drawn = table.render_line(y)
                record = table.row(y - 1)
                assert record is not None
                body = "  ".join(table._cell(record, c) for c in table.columns)
                general = table._strip(" " * gutter_w, body, Style(), Style(), 0, inner)
                assert drawn.cell_length == inner, (width, y)
                assert bare(drawn.text[gutter_w:]) == bare(general.text[gutter_w:]), (width, y)
