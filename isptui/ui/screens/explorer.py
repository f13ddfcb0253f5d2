"""The explorer: resource tree on the left, the current view on the right, breadcrumbs and status line.

Every request runs in a worker; a ``BackendError`` becomes an error panel (for the main view) or a
notification (for side loads), and ``r`` retries. The app never dies on a backend error.
"""

from __future__ import annotations

import json
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.widget import Widget
from textual.widgets import Footer

from isptui.backends.base import Backend
from isptui.errors import BackendError
from isptui.model import EntryPoint, Link, Page, PageRequest, Record, ResourceRef
from isptui.ui.places import History, Place
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.dialogs import GoToScreen, HelpScreen
from isptui.ui.screens.explorer_support import KnownPlaces, help_keys, record_place, redact
from isptui.ui.screens.explorer_writes import WriteCommands
from isptui.ui.widgets.collection_view import PAGE_SIZE, CollectionView
from isptui.ui.widgets.panels import ErrorPanel, JsonView, Notice
from isptui.ui.widgets.record_table import RecordTable
from isptui.ui.widgets.record_view import RecordView
from isptui.ui.widgets.request_log import RequestLogPanel, curl_for
from isptui.ui.widgets.resource_tree import ResourceTree
from isptui.ui.widgets.status import Breadcrumbs, StatusLine


class ExplorerScreen(WriteCommands):
    """One connected profile: browse collections, records and links; write through ``WriteCommands``."""

    BINDINGS = [
        Binding("escape,backspace", "back", "Back", show=False, id="isptui.back"),
        Binding("alt+left", "back", "Back", show=False, id="isptui.back_alt"),
        Binding("alt+right", "forward", "Forward", show=False, id="isptui.forward"),
        Binding("colon", "goto", "Go to", id="isptui.goto"),
        Binding("slash", "filter", "Filter", id="isptui.filter"),
        Binding("r", "refresh", "Refresh", show=False, id="isptui.refresh"),
        Binding("t", "toggle_raw", "Raw JSON", show=False, id="isptui.raw_json"),
        Binding("l", "toggle_log", "Log", id="isptui.toggle_log"),
        Binding("c", "copy_curl", "Copy as curl", show=False, id="isptui.copy_curl"),
        Binding("y", "copy_json", "Copy JSON", show=False, id="isptui.copy_json"),
        Binding("question_mark", "help", "Help", id="isptui.help"),
        Binding("q", "app.quit", "Quit", id="isptui.quit"),
    ]
    DEFAULT_CSS = """
    ExplorerScreen #body { height: 1fr; }
    ExplorerScreen ResourceTree { width: 30%; min-width: 22; max-width: 42; border-right: solid $panel; }
    ExplorerScreen #main { width: 1fr; height: 1fr; }
    ExplorerScreen.-production Breadcrumbs, ExplorerScreen.-production StatusLine {
        background: $error; color: $text;
    }
    ExplorerScreen.-production.-elevated Breadcrumbs, ExplorerScreen.-production.-elevated StatusLine {
        background: $warning; color: $background; text-style: bold;
    }
    """

    def __init__(self, profile: ProfileEntry, backend: Backend, *, show_latency: bool = True) -> None:
        super().__init__()
        self.profile = profile
        self.backend = backend
        self.history = History()
        self.known = KnownPlaces()
        self.entries: list[EntryPoint] = []
        self.record: Record | None = None
        self.error: BackendError | None = None
        self.raw = False
        self.show_latency = show_latency
        self.setup_writes()

    def compose(self) -> ComposeResult:
        yield Breadcrumbs()
        with Horizontal(id="body"):
            yield ResourceTree(self.backend, id="tree", on_error=self.show_error_notice)
            yield Container(Notice("Discovering what the server offers…"), id="main")
        yield StatusLine(self.profile.name, self.backend.title or self.backend.name, self.badges(),
                         show_latency=self.show_latency)
        yield Footer(compact=True, show_command_palette=False)

    # -- start ---------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        log = self.profile.request_log
        if log is not None and hasattr(log, "subscribe"):
            self._unsubscribe = log.subscribe(self._exchange_seen)
        self.call_after_refresh(self._update_status)
        self.query_one(Breadcrumbs).show([self.profile.name])
        self.discover()

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def discover(self) -> None:
        """Entry points into the tree and go-to; the first view is a hint, not a request."""
        try:
            self.entries = await self.backend.discover()
        except BackendError as exc:
            self.error = exc
            await self._show(ErrorPanel(exc))
            return
        tree = self.query_one(ResourceTree)
        tree.show_entry_points(self.entries)
        for entry in self.entries:
            self.known.add(Place("collection", entry.title, ref=entry.ref))
        hint = f"{len(self.entries)} collections. enter opens · : go to · ? help"
        await self._show(Notice(hint))
        tree.focus()

    def on_unmount(self) -> None:
        if callable(getattr(self, "_unsubscribe", None)):
            self._unsubscribe()

    def _exchange_seen(self, exchange: Any) -> None:
        # The log may call back from inside an adapter coroutine; defer the redraw to the message loop.
        self.app.call_later(self._after_exchange, exchange)

    def _after_exchange(self, exchange: Any) -> None:
        self._update_status()
        for panel in self.query(RequestLogPanel):
            panel.add(exchange)

    def _update_status(self) -> None:
        log = self.profile.request_log
        if log is None or not self.is_attached:
            return
        latency = getattr(log, "last_latency_ms", None)
        self.query_one(StatusLine).set_counts(int(getattr(log, "count", 0)), latency)

    # -- navigation ----------------------------------------------------------------------------------
    def open_place(self, place: Place, *, record_history: bool = True) -> None:
        """Show ``place`` in the main view (fetching it in a worker) and remember it in history."""
        if record_history:
            self.history.visit(place)
        self.known.add(place)
        self.raw = False
        self.query_one(Breadcrumbs).show([self.profile.name, *place.crumbs], back=self.history.can_back,
                                         forward=self.history.can_forward)
        self.load_place(place)

    @work(exclusive=True, group="view", exit_on_error=False)
    async def load_place(self, place: Place) -> None:
        """Fetch what ``place`` names and mount the matching view."""
        await self._show(Notice(f"Loading {place.title}…"))
        self.error = None
        self.record = None
        try:
            result = await self._fetch(place)
        except BackendError as exc:
            self.error = exc
            await self._show(ErrorPanel(exc))
            self.query_one(ErrorPanel).focus()
            return
        crumb = " › ".join(place.crumbs)
        if isinstance(result, Record):
            self.record = result
            for link in result.links:
                self.known.add(Place("link", link.rel, link=link, ref=link.target, parent=crumb))
            view = RecordView(result, read_only=self.backend.read_only)
            await self._show(view)
            view.focus()
        else:
            ref = place.ref or (place.link.target if place.link else None) or ResourceRef(
                href=place.link.href if place.link else "")
            for record in result.items:
                self.known.add(Place("record", f"{record.id} {record.title}".strip(), ref=record.ref,
                                     parent=crumb))
            view = CollectionView(self.backend, ref, place.title, first_page=result)
            await self._show(view)
            view.table.focus()
        # What e, n, d and a may do depends on what is shown now.
        self.refresh_bindings()

    async def _fetch(self, place: Place) -> Record | Page:
        target = place.ref if place.ref is not None else (place.link.target if place.link else None)
        if target is not None:
            if target.is_record:
                return await self.backend.get(target)
            return await self.backend.list(target, PageRequest(limit=PAGE_SIZE))
        assert place.link is not None
        return await self.backend.follow(place.link)

    async def _show(self, widget: Widget) -> None:
        main = self.query_one("#main", Container)
        await main.remove_children()
        await main.mount(widget)

    def action_back(self) -> None:
        place = self.history.back()
        if place is not None:
            self.open_place(place, record_history=False)

    def action_forward(self) -> None:
        place = self.history.forward()
        if place is not None:
            self.open_place(place, record_history=False)

    def action_goto(self, initial: str = "") -> None:
        def chosen(place: Place | None) -> None:
            if place is not None:
                self.open_place(place)

        resolve = lambda text: record_place(self.entries, text)  # noqa: E731
        self.app.push_screen(GoToScreen(self.known.all(), initial, resolve), chosen)

    # -- messages from the views -------------------------------------------------------------------
    def on_resource_tree_place_chosen(self, event: ResourceTree.PlaceChosen) -> None:
        self.open_place(event.place)

    def on_resource_tree_places_found(self, event: ResourceTree.PlacesFound) -> None:
        for place in event.places:
            self.known.add(place)

    def on_record_table_record_chosen(self, event: RecordTable.RecordChosen) -> None:
        current = self.history.current
        parent = " › ".join(current.crumbs) if current else ""
        self.open_place(Place("record", f"{event.record.id} {event.record.title}".strip(),
                              ref=event.record.ref, parent=parent))

    def on_record_table_load_failed(self, event: RecordTable.LoadFailed) -> None:
        self.show_error_notice(event.error)

    def on_record_view_link_chosen(self, event: RecordView.LinkChosen) -> None:
        self.follow_link(event.link)

    def on_record_view_action_chosen(self, event: RecordView.ActionChosen) -> None:
        self.run_action(event.action)

    def follow_link(self, link: Link) -> None:
        current = self.history.current
        parent = " › ".join(current.crumbs) if current else ""
        self.open_place(Place("link", link.rel, link=link, ref=link.target, parent=parent))

    # -- commands ------------------------------------------------------------------------------------
    def _collection(self) -> CollectionView | None:
        views = self.query(CollectionView)
        return views.first() if views else None

    def action_filter(self) -> None:
        view = self._collection()
        if view is None:
            self.notify("Open a collection first; / filters its rows.", title="Filter")
            return
        view.open_filter()

    def action_refresh(self) -> None:
        view = self._collection()
        if view is not None and self.error is None:
            view.refresh_rows()
        elif self.history.current is not None:
            self.open_place(self.history.current, record_history=False)
        else:
            self.discover()

    def _focused_record(self) -> Record | None:
        view = self._collection()
        if view is not None:
            return view.table.cursor_record
        return self.record

    def action_toggle_raw(self) -> None:
        record = self.record
        if record is None:
            view = self._collection()
            record = view.table.cursor_record if view is not None else None
            if record is None:
                return
            self.record = record
        self.raw = not self.raw
        self._toggle_raw_view(record)

    @work(exclusive=True, group="view", exit_on_error=False)
    async def _toggle_raw_view(self, record: Record) -> None:
        if self.raw:
            view: Widget = JsonView(record.raw if record.raw is not None else record.fields)
        else:
            view = RecordView(record, read_only=self.backend.read_only)
        await self._show(view)
        view.focus()

    def action_copy_json(self) -> None:
        record = self._focused_record()
        if record is None:
            self.notify("No record here to copy.", title="Copy")
            return
        text = json.dumps(record.raw if record.raw is not None else record.fields, ensure_ascii=False,
                          indent=2, default=str)
        self.app.copy_to_clipboard(redact(text, self.profile.secrets))
        self.notify(f"Copied {record.ref.label()} as JSON.", title="Copy")

    def action_copy_curl(self) -> None:
        panels = self.query(RequestLogPanel)
        exchange = panels.first().selected_exchange if panels else None
        log = self.profile.request_log
        if exchange is None and log is not None:
            entries = list(log.entries())
            exchange = entries[-1] if entries else None
        if exchange is None:
            self.notify("No request yet.", title="Copy as curl")
            return
        self.app.copy_to_clipboard(redact(curl_for(exchange), self.profile.secrets))
        self.notify("Copied the request as curl (secrets redacted).", title="Copy as curl")

    async def action_toggle_log(self) -> None:
        panels = self.query(RequestLogPanel)
        if panels:
            await panels.remove()
            return
        panel = RequestLogPanel(self.profile.request_log)
        await self.mount(panel, before=self.query_one(StatusLine))
        panel.focus()

    def action_help(self) -> None:
        view = "request log" if isinstance(self.focused, RequestLogPanel) else (
            "collection" if self._collection() else "record" if self.record else "tree")
        note = help_note(view)
        if self.backend.read_only:
            note += ("\nRead-only: edit, new, delete, undo and every action that writes (uploads, reboots, "
                     "payments) are hidden. " + self.read_only_reason())
        elif view in ("collection", "record"):
            note += "\nEvery write shows a diff first and lands in the journal; u undoes this session's last one."
        self.app.push_screen(HelpScreen(view, help_keys(self), note=note.strip()))

    def on_elevated(self) -> None:
        status = self.query_one(StatusLine)
        status.badges = self.badges()
        status.redraw()

    def show_error_notice(self, error: BackendError) -> None:
        """A side request failed: say what, where, and that r retries."""
        self.notify(f"{error.message}\n{error.where()}\nr retries", title=error.title, severity="error")


def help_note(view: str) -> str:
    return {
        "collection": "Rows load page by page as you scroll; the header says if a filter or sort runs on "
                      "the server or only over loaded rows.",
        "record": "enter on a → line follows the link; on a ⚡ line runs the action.",
        "tree": "space expands a node (loaded on demand); enter opens it on the right.",
        "request log": "c copies the highlighted request as curl, with secrets redacted.",
    }.get(view, "")
