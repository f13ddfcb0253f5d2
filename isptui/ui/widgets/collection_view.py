"""A collection: a header line (size, position, filter and sort mode), the windowed table, a filter box.

Filters and sorts run on the server when the adapter can (``filter_spec(ref).server_side``; a sort the
server honours), else locally over the rows already loaded — and the header says which.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from isptui.backends.base import Backend
from isptui.errors import BackendError
from isptui.export import matches
from isptui.model import Page, PageRequest, Record, ResourceRef
from isptui.ui.screens.dialogs import ChooseScreen, PromptScreen
from isptui.ui.text import clean, cut, display, nice_title
from isptui.ui.widgets.record_table import RecordTable

PAGE_SIZE = 50


class FilterInput(Input):
    """The ``/`` box; escape closes it (and clears the filter when it is empty)."""

    BINDINGS = [Binding("escape", "close", "Close filter")]

    def action_close(self) -> None:
        view = self.parent
        if isinstance(view, CollectionView):
            view.close_filter()


def _sort_key(value: Any) -> tuple[int, Any]:
    # Numbers before text, nulls last; numeric strings (Splynx sends ids as strings) sort as numbers.
    if value is None or value == "":
        return (2, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    text = display(value)
    try:
        return (0, float(text))
    except ValueError:
        return (1, text.casefold())


def sort_records(records: list[Record], column: str, descending: bool) -> list[Record]:
    """Rows by ``column``; nulls (and blanks) last in either direction, numeric-looking text as numbers."""
    present = [r for r in records if _sort_key(r.fields.get(column))[0] != 2]
    missing = [r for r in records if _sort_key(r.fields.get(column))[0] == 2]
    return sorted(present, key=lambda r: _sort_key(r.fields.get(column)), reverse=descending) + missing


def fits_server_filter(record: Record, text: str) -> bool:
    """Whether a row the server sent fits the filter it was asked: each ``field=value`` term (the adapters'
    filter syntax) in that field, other terms anywhere. Only to check the server filtered; the local filter
    is ``export.matches``."""
    for term in text.casefold().split():
        name, eq, value = term.partition("=")
        if eq and name:
            if value not in display(record.fields.get(name, "")).casefold():
                return False
        elif not any(term in display(v).casefold() for v in record.fields.values()):
            return False
    return True


def is_sorted(records: list[Record], column: str, descending: bool) -> bool:
    """Whether a page came back ordered by ``column`` (to detect servers that ignore ``order_by``)."""
    keys = [_sort_key(r.fields.get(column)) for r in records]
    pairs = list(zip(keys, keys[1:], strict=False))
    try:
        return all((b <= a) if descending else (a <= b) for a, b in pairs)
    except TypeError:
        return False


class CollectionView(Vertical):
    """One collection of a backend, paged on demand, with filter and sort."""

    DEFAULT_CSS = """
    CollectionView { height: 1fr; }
    CollectionView > .collection-header { height: 1; width: 1fr; padding: 0 1; background: $boost; color: $foreground; }
    CollectionView > FilterInput { display: none; border: tall $accent; }
    CollectionView > FilterInput.-open { display: block; }
    """
    BINDINGS = [
        Binding("s", "sort", "Sort", id="isptui.sort"),
        Binding("g", "go_to_row", "Go to row", show=False, id="isptui.go_to_row"),
    ]

    def __init__(self, backend: Backend, ref: ResourceRef, title: str, *, first_page: Page | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.backend = backend
        self.ref = ref
        self.title = title
        self.spec = backend.filter_spec(ref)
        self.filter_text = ""
        self.filter_mode = ""
        self.sort_column: str | None = None
        self.sort_descending = False
        self.sort_mode = ""
        self.sort_note = ""
        """How much a local sort covered: every row, or only those loaded (said in the header)."""
        self.filter_note = ""
        """``filtered locally, N of M loaded`` or why a filter was refused, for the header."""
        self._first_page = first_page
        self._header: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="collection-header")
        yield RecordTable(self._fetch, page_size=PAGE_SIZE, first_page=self._first_page)
        # The placeholder is one line and an 80-column screen cuts it: the whole syntax is in ``?``
        # (``filter_help``), wrapped.
        where = "server" if self.spec.server_side else "local, loaded rows"
        yield FilterInput(placeholder=f"filter ({where}) · ? shows the syntax")

    @property
    def filter_help(self) -> str:
        """The filter syntax of this collection, as ``?`` shows it."""
        hint = self.spec.hint or ("server-side filter" if self.spec.server_side else "text in any column")
        where = "on the server" if self.spec.server_side else "locally, over the rows loaded so far"
        return f"Filter (/) runs {where}: {hint}"

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    async def _fetch(self, offset: int, limit: int) -> Page:
        server_filter = self.filter_text if self.filter_mode == "server" else None
        order = self.sort_column if self.sort_mode == "server" else None
        # Page 0 of a walk the table has already shown (Home after paging far) is not a refresh: the
        # adapter may answer it from what it kept (Trisul's whole list) instead of fetching everything again.
        request = PageRequest(offset=offset, limit=limit, filter=server_filter or None, order_by=order,
                              descending=self.sort_descending, again=offset == 0 and self.table.walk_started)
        return await self.backend.list(self.ref, request)

    # -- header ------------------------------------------------------------------------------------
    def on_record_table_state_changed(self, event: RecordTable.StateChanged) -> None:
        event.stop()
        self.update_header()

    def update_header(self) -> None:
        table = self.table
        table.empty_note = "(no rows match the filter)" if self.filter_text else "(no rows)"
        # One line: a long label is cut at the right edge, not wrapped out of sight.
        text = Text(cut(clean(nice_title(self.title)), 30), style="bold", no_wrap=True, overflow="ellipsis")
        text.append(f" · {table.total_label} {'row' if table.total == 1 else 'rows'}")
        if self.filter_text:
            # The server's label only once its answer showed the filter took effect (fewer rows or rows
            # that match); otherwise the loaded rows were searched here, and the header says how many.
            where = "filtered by the server" if self.filter_mode == "server" else self.filter_note
            text.append(f" · {where}: ")
            mask = getattr(self.app, "mask", None)  # a filter may be an email or an IP
            shown = mask.text(self.filter_text) if mask is not None else self.filter_text
            text.append(cut(clean(shown), 20), style="italic")
        elif self.filter_note:
            text.append(f" · {cut(clean(self.filter_note), 60)}", style="italic")
        if self.sort_column:
            arrow = "↓" if self.sort_descending else "↑"
            where = (self.sort_note or "sorted by the server") if self.sort_mode == "server" else self.sort_note
            text.append(f" · {where}: {cut(clean(self.sort_column), 16)} {arrow}")
        if table.offset_ignored is not None and not table.local:
            # Never the first rows presented as the whole: the server repeats its first page for any offset.
            text.append(f" · the server ignores offset: only the first {table.offset_ignored:,} rows can be "
                        "shown", style="italic")
        if table.loading:
            text.append(" · loading… (esc cancels)", style="italic")
        elif table.cancelled:
            text.append(" · load cancelled (r retries)", style="italic")
        elif table.error is not None:
            status = f" ({table.error.status})" if table.error.status else ""
            hint = "r retries" if table.can_retry else "not retried: the server refused the request"
            text.append(f" · load failed{status} ({hint})", style="italic")
        if text == self._header:
            return
        self._header = text
        # One line of fixed size: no layout pass (a layout pass repaints the whole screen, ~30 ms at 120x40,
        # and the header changes with every page loaded and every cursor move).
        self.query_one(".collection-header", Static).update(text, layout=False)

    # -- filter ------------------------------------------------------------------------------------
    def open_filter(self) -> None:
        box = self.query_one(FilterInput)
        box.add_class("-open")
        box.value = self.filter_text
        box.focus()

    def close_filter(self) -> None:
        box = self.query_one(FilterInput)
        if not box.value and self.filter_text:
            self.apply_filter("")
        box.remove_class("-open")
        self.table.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter(event.value.strip())
        self.query_one(FilterInput).remove_class("-open")
        self.table.focus()

    def apply_filter(self, text: str) -> None:
        """Filter on the server when the adapter can, else over the loaded rows."""
        was_local = self.filter_mode == "local"
        self.filter_text = text
        if not text:
            self.filter_mode = ""
            if was_local:
                self.table.show_local(None)
            else:
                self.table.reset(self._fetch)
        elif self.spec.server_side:
            self._server_filter(text, was_local)
            return
        else:
            self._local_filter(text, was_local)
        self.update_header()

    def _local_filter(self, text: str, was_local: bool) -> None:
        self.filter_mode = "local"
        source = self.table.loaded_records() if not was_local else self._unfiltered
        self._unfiltered = source
        rows = [r for r in source if matches(r, text)]
        whole = self.table.total is not None and len(source) >= self.table.total
        self.filter_note = (f"filtered locally, all {len(source):,} rows" if whole
                            else f"filtered locally, {len(rows):,} of {len(source):,} loaded")
        self.table.show_local(rows)

    @work(exclusive=True, group="collection-filter", exit_on_error=False)
    async def _server_filter(self, text: str, was_local: bool) -> None:
        """Ask the server; believe it filtered only when fewer rows came back or every row matches."""
        before = self.table.total
        try:
            page = await self.backend.list(self.ref, PageRequest(limit=self.table.page_size, filter=text))
        except BackendError as exc:
            # A rejected filter leaves the table as it was; the header and a notice say why.
            self.filter_text, self.filter_mode = "", ""
            self.filter_note = f"filter refused: {exc.message}"
            self.app.notify(f"{exc.message}\n{exc.where()}", title="Filter refused", severity="error",
                            markup=False)
            self.update_header()
            return
        fewer = before is not None and page.total is not None and page.total < before
        if fewer or all(fits_server_filter(r, text) for r in page.items):
            self.filter_mode, self.filter_note = "server", ""
            self.table.reset(self._fetch, first_page=page)
        else:
            # The server answered as if unfiltered (it ignores the parameter): filter what is loaded.
            self._local_filter(text, was_local)
        self.update_header()

    _unfiltered: list[Record] = []

    # -- sort --------------------------------------------------------------------------------------
    def action_sort(self) -> None:
        columns = [c.name for c in self.table.columns if not c.from_ref]  # the ref id is no field to sort by
        if not columns:
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                name = columns[index]
                descending = not self.sort_descending if name == self.sort_column else False
                self.sort_by(name, descending)

        self.app.push_screen(ChooseScreen("Sort by (again to reverse)", columns), chosen)

    @work(exclusive=True, group="collection-sort", exit_on_error=False)
    async def sort_by(self, column: str, descending: bool) -> None:
        """Ask the server for sorted rows; if it cannot (or ignores the order), sort the loaded rows."""
        self.sort_column, self.sort_descending = column, descending
        page: Page | None = None
        if not self.table.local:
            request = PageRequest(limit=self.table.page_size, order_by=column, descending=descending,
                                  filter=self.filter_text if self.filter_mode == "server" else None)
            try:
                page = await self.backend.list(self.ref, request)
            except BackendError:
                page = None  # the adapter refused the order; fall back to a local sort below
        if page is not None and is_sorted(list(page.items), column, descending):
            self.sort_mode = "server"
            # An adapter whose server cannot sort may sort the entire collection itself: say where it was.
            self.sort_note = "sorted locally" if page.sorted_locally else ""
            self.table.reset(self._fetch, first_page=page)
        else:
            self.sort_mode = "local"
            rows = sort_records(self.table.loaded_records(), column, descending)
            total = self.table.total
            # Sorting part of a collection looks like sorting all of it; the header says which it was.
            self.sort_note = ("sorted locally" if total is not None and len(rows) >= total
                              else f"sorted locally, {len(rows):,} loaded rows only")
            self.table.show_local(rows)
        self.update_header()

    # -- rows --------------------------------------------------------------------------------------
    def action_go_to_row(self) -> None:
        def chosen(value: str | None) -> None:
            if value and value.strip().replace(",", "").isdigit():
                self.table.go_to_row(int(value.strip().replace(",", "")) - 1)
                self.table.focus()

        self.app.push_screen(PromptScreen("Go to row", f"1 – {self.table.total_label}"), chosen)

    def refresh_rows(self) -> None:
        """``r``: retry failed pages, or reload from the first page."""
        table = self.table
        if table.error is not None or table.cancelled:
            table.retry()
        elif not table.local:
            table.reset(self._fetch)
        self.update_header()
