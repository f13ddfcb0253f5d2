"""A windowed table for collections of any size: renders only visible lines from an LRU cache of pages.

Textual's DataTable builds every row up front (about 18 s and 150 MB for 100,000 rows), so this is a
``ScrollView`` in the style of Textualize/toolong's ``log_lines.py``: the virtual height is the row count,
``render_line`` looks the row up in a page cache, and a missing page shows placeholder rows while a worker
fetches it. Only ``max_pages`` pages stay in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.actions import SkipAction
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import WorkerState

from isptui.errors import BackendError, retryable
from isptui.model import Page, Record
from isptui.ui.text import cell, cut, fit

Fetch = Callable[[int, int], Awaitable[Page]]
"""``fetch(offset, limit)``: one page of the collection, from the backend."""

COLUMN_CAP = 28
PREFERRED = ("id", "userid", "pk", "name", "surname", "title", "cpename", "full_name", "login", "username",
             "status", "state", "email", "phone", "city", "sn", "mac", "description", "total", "price")
SEPARATOR = "  "
PAGE_GROUP = "record-table-pages"


LINES_KEPT = 2000
"""Rows kept drawn (``RecordTable._lines``): a few screens of them; the cache starts afresh past that."""


@dataclass(frozen=True)
class _Paint:
    """The styles and geometry of one repaint, and the columns it draws (part of what a kept line depends on).
    Looked up once per repaint: ``rich_style`` walks the ancestors, and the content region and scroll offset
    are computed properties (~0.3 ms and ~50 µs a line)."""

    base: Style
    header: Style
    placeholder: Style
    gutter: Style
    cursor: Style
    columns: tuple[tuple[str, int, bool], ...]
    width: int
    scroll_x: int
    gutter_width: int
    scroll_y: int = field(compare=False)  # a kept line is kept by its row's index, wherever it is scrolled to


@dataclass
class Column:
    """A column: the record field it shows and its width in cells."""

    name: str
    width: int
    from_ref: bool = False
    """Shows the record's id from its ref: for APIs whose bodies carry no id field (Carbon's ``pk``)."""

    def value(self, record: Record) -> object:
        """What this column shows for ``record``."""
        return record.id if self.from_ref else record.fields.get(self.name, "")


def columns_from(records: list[Record], cap: int = COLUMN_CAP) -> list[Column]:
    """Columns in field order of the first records, sized to their widest value there, capped."""
    names: list[str] = []
    seen: set[str] = set()
    for record in records:
        for name in record.fields:
            if name not in seen and not name.startswith("_"):
                seen.add(name)
                names.append(name)
    # What operators look for first (id, who, state); the rest keep the server's order behind them.
    rank = {name: i for i, name in enumerate(PREFERRED)}
    names.sort(key=lambda n: rank.get(n.casefold(), len(rank)))
    columns = []
    if records and not any(n.casefold() in ("id", "pk") for n in names) and records[0].id is not None:
        widest = max(cell_len(cell(r.id)) for r in records)
        columns.append(Column("id", max(2, min(cap, widest)), from_ref=True))
    for name in names:
        widest = max((cell_len(cell(r.fields.get(name, ""))) for r in records), default=0)
        columns.append(Column(name, max(3, min(cap, max(cell_len(cell(name)), widest)))))
    return columns


def column_cap(width: int) -> int:
    """The widest a column may be: a third of the table (so an 80-column terminal shows 3+ columns)."""
    if width <= 0:
        return COLUMN_CAP
    return max(12, min(COLUMN_CAP, width // 3))


class RecordTable(ScrollView, can_focus=True):
    """The rows of one collection, fetched a page at a time as they come into view."""

    COMPONENT_CLASSES = {
        "record-table--header",
        "record-table--cursor",
        "record-table--placeholder",
        "record-table--gutter",
    }
    DEFAULT_CSS = """
    RecordTable { height: 1fr; background: $surface; }
    RecordTable > .record-table--header { text-style: bold; color: $primary; background: $panel; }
    RecordTable > .record-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    RecordTable:blur > .record-table--cursor { background: $block-cursor-blurred-background; }
    RecordTable:nocolor > .record-table--cursor { text-style: reverse; }
    RecordTable > .record-table--placeholder { color: $foreground-muted; }
    RecordTable > .record-table--gutter { color: $foreground-muted; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First row", show=False),
        Binding("end", "last", "Last row", show=False),
        Binding("left", "scroll_cells(-8)", "Scroll left", show=False),
        Binding("right", "scroll_cells(8)", "Scroll right", show=False),
        Binding("enter", "choose", "Open"),
        Binding("escape", "cancel_load", "Cancel load", show=False),
    ]

    class RecordChosen(Message):
        """The user pressed enter on a loaded row."""

        def __init__(self, table: RecordTable, record: Record, index: int) -> None:
            super().__init__()
            self.table = table
            self.record = record
            self.index = index

        @property
        def control(self) -> RecordTable:
            return self.table

    class StateChanged(Message):
        """Rows, total, loading or cursor changed: the header line should be redrawn."""

        def __init__(self, table: RecordTable) -> None:
            super().__init__()
            self.table = table

    class LoadFailed(Message):
        """A page could not be fetched; the rows stay placeholders until a retry."""

        def __init__(self, table: RecordTable, error: BackendError) -> None:
            super().__init__()
            self.table = table
            self.error = error

    def __init__(self, fetch: Fetch, *, page_size: int = 50, max_pages: int = 40,
                 first_page: Page | None = None, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.page_size = page_size
        self.max_pages = max_pages
        self.columns: list[Column] = []
        self.cursor = 0
        self.error: BackendError | None = None
        self.cancelled = False
        self._fetch = fetch
        self._pages: OrderedDict[int, list[Record]] = OrderedDict()
        self._pending: set[int] = set()
        self._failed: dict[int, BackendError] = {}
        """Pages whose fetch failed: their rows say so, the rest of the table keeps loading and showing."""
        self._wanted: set[int] = set()
        self._fetch_scheduled = False
        self._total: int | None = None
        self._known_end = 0
        self._has_more = True
        self._cap: int | None = None
        """Rows that can be shown at all when the server ignores ``offset`` (a later page came back as the
        first one again, ``Page.offset_ignored``); None while paging works."""
        self._local: list[Record] | None = None
        self._paint: _Paint | None = None
        self._lines: dict[tuple[Any, ...], tuple[Record, Strip]] = {}
        """Rows drawn, by what they show (``render_line``): drawn again from here until something changes."""
        self.walk_started = False
        """A page of this walk was shown since the last reset: page 0 asked for now is asked again, not anew."""
        self._first_page = first_page
        self.empty_note = "(no rows)"
        """Shown in place of rows when the collection (or the filter) has none."""
        self._column_sample: list[Record] = []
        """The rows the columns were sized from; sized again when the table's width changes."""
        self._columns_width = -1
        """The table width the columns were last sized for."""

    def _has_more_rows(self) -> bool:
        return self._local is None and self._total is None and self._has_more and self._cap is None

    def _fit_columns(self) -> None:
        """Size the columns from the sample for the width the table has now. Called when a page arrives, on a
        resize and before drawing: the first page often arrives before the table is laid out (width 0), and
        the Resize event that follows layout can come after the first frames are drawn."""
        width = self.size.width
        if self._column_sample and width != self._columns_width:
            self._columns_width = width
            self.columns = columns_from(self._column_sample, column_cap(width))
            self._update_size()

    def on_resize(self) -> None:
        self._fit_columns()
        self.refresh()

    # -- state that the header and tests read --------------------------------------------------------
    @property
    def total(self) -> int | None:
        """Rows in the collection when the server said so (or in the local view); None when unknown."""
        return len(self._local) if self._local is not None else self._total

    @property
    def row_count(self) -> int:
        """Rows the table scrolls over: the total, or what is known plus one page of placeholders."""
        if self._local is not None:
            return len(self._local)
        if self._cap is not None:
            return self._cap
        if self._total is not None:
            return self._total
        return self._known_end + (self.page_size if self._has_more else 0)

    @property
    def total_label(self) -> str:
        """``1,234`` when known, ``1,234+`` when more may follow; ``50 of 60`` when only the
        first rows can be shown because the server ignores offset (``50 of ?`` when it gave no count)."""
        if self._cap is not None and self._local is None:
            return f"{self._cap:,} of {self._total:,}" if self._total is not None else f"{self._cap:,} of ?"
        if self.total is not None:
            return f"{self.total:,}"
        return f"{self._known_end:,}+" if self._has_more else f"{self._known_end:,}"

    @property
    def offset_ignored(self) -> int | None:
        """How many rows can be shown when the server ignores ``offset``; None while paging works."""
        return self._cap

    @property
    def loading(self) -> bool:
        return bool(self._pending)

    @property
    def local(self) -> bool:
        """True when rows come from a local filter or sort over loaded rows, not from the server."""
        return self._local is not None

    @property
    def can_retry(self) -> bool:
        """True when ``r`` may help: a cancel, or a failed page whose error is not the client's (4xx)."""
        return self.cancelled or any(retryable(e) for e in self._failed.values())

    @property
    def cached_pages(self) -> int:
        return len(self._pages)

    def row(self, index: int) -> Record | None:
        """The record at ``index`` if it is loaded, else None (and its page is requested)."""
        if self._local is not None:
            return self._local[index] if 0 <= index < len(self._local) else None
        page_no, slot = divmod(index, self.page_size)
        rows = self._pages.get(page_no)
        if rows is None:
            self._want(page_no)
            return None
        self._pages.move_to_end(page_no)
        return rows[slot] if slot < len(rows) else None

    @property
    def cursor_record(self) -> Record | None:
        return self.row(self.cursor) if self.row_count else None

    def loaded_records(self) -> list[Record]:
        """Every record held in memory, in collection order (for local filters and sorts)."""
        if self._local is not None:
            return list(self._local)
        return [r for page_no in sorted(self._pages) for r in self._pages[page_no]]

    # -- changing what is shown ----------------------------------------------------------------------
    def reset(self, fetch: Fetch | None = None, first_page: Page | None = None) -> None:
        """Drop every page and start again (after refresh, a server filter or a server sort)."""
        self.workers.cancel_group(self, PAGE_GROUP)
        if fetch is not None:
            self._fetch = fetch
        self._pages.clear()
        self._pending.clear()
        self._failed.clear()
        self._wanted.clear()
        self._total, self._known_end, self._has_more, self._cap = None, 0, True, None
        self._local = None
        self.error, self.cancelled, self.cursor = None, False, 0
        self.walk_started = False
        self._first_page = first_page
        if first_page is not None:
            self._store(0, first_page)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._update_size()
        self._changed()

    def show_local(self, records: list[Record] | None) -> None:
        """Show exactly ``records`` (a local filter or sort), or go back to server pages with None."""
        self._local = records
        self.cursor = 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._update_size()
        self._changed()

    def go_to_row(self, index: int) -> None:
        """Move the cursor to row ``index`` (0-based), fetching its page."""
        self._move(index)

    # -- loading -------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self._first_page is not None:
            self._store(0, self._first_page)
            self._update_size()
            self._changed()
        else:
            self._want(0)

    def _want(self, page_no: int) -> None:
        if page_no in self._pending or page_no in self._pages or page_no in self._failed or self.cancelled:
            return
        self._wanted.add(page_no)
        if not self._fetch_scheduled:
            # Coalesce: while the user holds PgDn, only pages still on screen at the next idle are fetched.
            self._fetch_scheduled = True
            self.call_after_refresh(self._fetch_wanted)

    def _visible_pages(self) -> set[int]:
        top = int(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height - 1)
        first, last = top // self.page_size, (top + height) // self.page_size
        return {*range(first, last + 1), self.cursor // self.page_size}

    def _fetch_wanted(self) -> None:
        self._fetch_scheduled = False
        wanted, self._wanted = self._wanted & self._visible_pages(), set()
        for page_no in sorted(wanted):
            if page_no not in self._pending and page_no not in self._pages:
                self._pending.add(page_no)
                # Several pages may load at once (not exclusive); errors are caught in _load_page itself. A
                # partial, not a coroutine: a worker cancelled before it starts (the app closing) then leaves
                # no coroutine that was never awaited.
                self.run_worker(partial(self._load_page, page_no), group=PAGE_GROUP, exit_on_error=False)
        if wanted:
            self._changed()

    async def _load_page(self, page_no: int) -> None:
        try:
            page = await self._fetch(page_no * self.page_size, self.page_size)
        except BackendError as exc:
            self._pending.discard(page_no)
            # Only this page's rows are marked failed; rows already loaded stay (issue 15 item 3).
            self._failed[page_no] = exc
            self.error = exc
            self.post_message(self.LoadFailed(self, exc))
            self._changed()
            return
        self._pending.discard(page_no)
        self._store(page_no, page)
        self._update_size()
        self.refresh()
        self._changed()

    def _store(self, page_no: int, page: Page) -> None:
        # No page is larger than asked: a server that ignored paging is paged by Backend.keep_unpaged.
        items = list(page.items)
        self.walk_started = True
        if page.offset_ignored:
            # A later page came back as the first again: the server ignores offset. Only the rows before
            # this page (and any new ones it still carried) can ever be shown; the table ends there and the
            # header says so, with the server's own count.
            cap = page_no * self.page_size + len(items)
            self._cap = cap if self._cap is None else min(self._cap, cap)
            self._total = page.total
            self._has_more = False
            if items:
                self._pages[page_no] = items
            self.cursor = max(0, min(self.cursor, self._cap - 1))
            return
        if page_no == 0 and page.has_more and 0 < len(items) < self.page_size:
            # The server caps pages below our request; follow its size so page numbers line up.
            self.page_size = len(items)
        if not self._column_sample and items:
            self._column_sample = items
            self._fit_columns()
        self._pages[page_no] = items
        self._pages.move_to_end(page_no)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        self._total = page.total
        end = page_no * self.page_size + len(items)
        if page.total is None:
            if end >= self._known_end:
                self._has_more = page.has_more and bool(items)
            self._known_end = max(self._known_end, end)
        self._known_end = max(self._known_end, end)

    def action_cancel_load(self) -> None:
        """``escape`` stops pages in flight; with nothing loading, escape means back (the screen's)."""
        if not self._pending:
            raise SkipAction()
        self.workers.cancel_group(self, PAGE_GROUP)
        self._pending.clear()
        self.cancelled = True
        self._changed()

    def retry(self) -> None:
        """Fetch again the failed pages whose error may pass (not a 4xx) and, after a cancel, visible ones."""
        again = [p for p, e in self._failed.items() if retryable(e)]
        for page_no in again:
            del self._failed[page_no]
        self.error = next(iter(self._failed.values()), None)
        # After a cancel the pages in view were never fetched; after failures only the failed ones are asked.
        pages = {*again, *(self._visible_pages() if self.cancelled else ())}
        self.cancelled = False
        for page_no in pages:
            self._want(page_no)
        self.refresh()
        self._changed()

    def on_unmount(self) -> None:
        for worker in self.workers:
            if worker.node is self and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
                worker.cancel()

    # -- cursor and scrolling ------------------------------------------------------------------------
    def _update_size(self) -> None:
        width = self._gutter_width() + sum(c.width for c in self.columns) + len(SEPARATOR) * len(self.columns)
        self.virtual_size = Size(width, self.row_count + 1)

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move(self, index: int) -> None:
        count = self.row_count
        if count == 0:
            return
        self.cursor = max(0, min(count - 1, index))
        top, height = int(self.scroll_offset.y), self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.row(self.cursor)
        self.refresh()
        self._changed()

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * self._body_height())

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.row_count - 1)

    def action_scroll_cells(self, delta: int) -> None:
        self.scroll_to(x=max(0, self.scroll_offset.x + delta), animate=False)

    def action_choose(self) -> None:
        record = self.cursor_record
        if record is not None:
            self.post_message(self.RecordChosen(self, record, self.cursor))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._changed()

    def _changed(self) -> None:
        if self.is_attached:
            self.post_message(self.StateChanged(self))

    # -- rendering -----------------------------------------------------------------------------------
    def _gutter_width(self) -> int:
        return len(f"{max(self.row_count, 1):,}") + 1

    def _new_paint(self) -> _Paint | None:
        """The styles of one repaint; None while this table's component styles are not applied yet (a repaint
        can arrive while it is being mounted or restyled: Textual then raises KeyError, which crashed the app
        in the chaos soak)."""
        try:
            parts = [self.get_component_rich_style(f"record-table--{part}")
                     for part in ("header", "placeholder", "gutter", "cursor")]
        except KeyError:
            return None
        scroll_x, scroll_y = self.scroll_offset
        return _Paint(self.rich_style, *parts, tuple((c.name, c.width, c.from_ref) for c in self.columns),
                      self.scrollable_content_region.width, int(scroll_x), self._gutter_width(), int(scroll_y))

    def render_lines(self, crop: Region) -> list[Strip]:
        self._fit_columns()
        self._paint = self._new_paint()
        if self._paint is None:
            return [Strip.blank(crop.width)] * crop.height  # drawn properly by the repaint that follows
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        paint = self._paint
        if paint is None:
            self._paint = paint = self._new_paint()
            if paint is None:
                return Strip.blank(self.size.width)
            try:
                return self.render_line(y)
            finally:
                self._paint = None
        width, scroll_x, scroll_y, gutter_w = paint.width, paint.scroll_x, paint.scroll_y, paint.gutter_width
        base = paint.base
        if y == 0:
            style = paint.header
            body = SEPARATOR.join(cut(cell(c.name), c.width).ljust(c.width) for c in self.columns)
            return self._strip(" " * gutter_w, body, style, style, scroll_x, width)
        index = scroll_y + y - 1
        if index >= self.row_count:
            if index == 0 and not self.loading and self.error is None and not self._has_more_rows():
                style = paint.placeholder
                return self._strip(" " * gutter_w, self.empty_note, style, style, 0, width)
            return Strip.blank(width, base)
        record = self.row(index)
        failed = self._failed.get(index // self.page_size) if self._local is None else None
        mask = getattr(self.app, "mask", None)
        masked = mask is not None and mask.on
        # A row drawn before is drawn the same while nothing it shows has changed: the same record object
        # (a page loaded again is new objects), cursor, scroll, width, columns, styles and mask.
        key = (index, index == self.cursor, id(record) if record is not None else None, failed is not None,
               self.cancelled, masked, paint)
        if record is not None:
            kept = self._lines.get(key)
            if kept is not None and kept[0] is record:
                return kept[1]
        gutter_style = paint.gutter
        if index == self.cursor:
            style = paint.cursor
            gutter_style = style
        elif record is None:
            style = paint.placeholder
        else:
            style = base
        gutter = f"{index + 1:,}".rjust(gutter_w - 1) + " "
        if record is None:
            if failed is not None:
                note = ("failed — r to retry" if retryable(failed)
                        else f"failed ({failed.status or 'error'}) — the server refused it; not retried")
            else:
                note = "cancelled — r to retry" if self.cancelled else "loading…"
            return self._strip(gutter, "·" * min(3, width) + " " + note, gutter_style, style, scroll_x, width)
        strip = self._row_strip(record, mask if masked else None, gutter, gutter_style, style, scroll_x, width)
        if len(self._lines) >= LINES_KEPT:
            self._lines.clear()
        self._lines[key] = (record, strip)
        return strip

    @staticmethod
    def _cell(record: Record, column: Column, mask: Any = None) -> str:
        value = column.value(record)
        if mask is not None and not column.from_ref:
            value = mask.value(value, column.name)  # personal data hidden (m); the row id is not personal
        text = cell(value, column.width)
        return text + " " * (column.width - cell_len(text))

    def _row_strip(self, record: Record, mask: Any, gutter: str, gutter_style: Style, style: Style,
                   scroll_x: int, width: int) -> Strip:
        """A record's row. Unscrolled, only the columns that reach the right edge are drawn, and the row is cut
        to the edge directly (every cell is padded to its column's width, so the row's width is known): the
        general path builds and crops five strips a row and drew the columns past the edge too, a fifth of
        a big collection's first paint (issue 15)."""
        room = width - len(gutter)
        if scroll_x or room <= 0 or not all(c.width > 0 for c in self.columns):
            body = SEPARATOR.join(self._cell(record, c, mask) for c in self.columns)
            return self._strip(gutter, body, gutter_style, style, scroll_x, width)
        cells: list[str] = []
        used = 0
        for column in self.columns:
            if used >= room:
                break
            text = (SEPARATOR if cells else "") + self._cell(record, column, mask)
            span = (len(SEPARATOR) if cells else 0) + column.width
            if used + span > room:
                text, span = fit(text, room - used), room - used  # the column the right edge cuts through
            cells.append(text)
            used += span
        body = "".join(cells)
        if used < room:
            body += " " * (room - used)
        return Strip([Segment(gutter, gutter_style), Segment(body, style)], width)

    @staticmethod
    def _strip(gutter: str, body: str, gutter_style: Style, style: Style, scroll_x: int, width: int) -> Strip:
        # The row-number gutter stays put while the cells scroll sideways.
        cells = Strip([Segment(body, style)]).crop(scroll_x, scroll_x + max(0, width - len(gutter)))
        strip = Strip.join([Strip([Segment(gutter, gutter_style)]), cells])
        return strip.extend_cell_length(width, style).crop(0, width)
