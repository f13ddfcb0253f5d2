"""The explorer: resource tree on the left, the current view on the right, breadcrumbs and status line.

Every request runs in a worker; a ``BackendError`` becomes an error panel (for the main view) or a
notification (for side loads), and ``r`` retries. The app never dies on a backend error.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.widget import Widget
from textual.widgets import Footer

from isptui.backends.base import Backend
from isptui.errors import BackendError, retryable
from isptui.http.redact import Redactor
from isptui.mask import DOT
from isptui.model import EntryPoint, Link, Page, PageRequest, Record, ResourceRef
from isptui.ui.places import History, Place
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.dialogs import ConfirmScreen, GoToScreen, HelpScreen
from isptui.ui.screens.explorer_support import MAX_KNOWN, KnownPlaces, help_keys, record_place
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
        Binding("x", "export", "Export", show=False, id="isptui.export"),
        Binding("m", "toggle_mask", "Mask", show=False, id="isptui.mask"),
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
        self._titles: dict[str, str] = {}
        """Record place titles, plain -> masked and masked -> plain (see ``_title``)."""
        self.badge = ""
        """Several connections open: the header badge naming this one (set by the app); empty otherwise."""
        self.from_find: Place | None = None
        """The place Find opened here: back from it returns to Find's results."""

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
        self.query_one(Breadcrumbs).show([self.profile.name], badge=self.badge)
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
        if self.history.current is not None:
            return  # a place was opened meanwhile (from Find): it stays on screen
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
                                         forward=self.history.can_forward, badge=self.badge)
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
            view = RecordView(self._masked(result), read_only=self.backend.read_only)
            await self._show(view)
            view.focus()
        else:
            ref = place.ref or (place.link.target if place.link else None) or ResourceRef(
                href=place.link.href if place.link else "")
            for record in result.items:
                self.known.add(Place("record", self._title(record), ref=record.ref,
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
        if place.link.external:
            # Reached only through follow_link's confirmation; goes without credentials (origin policy).
            return await self.backend.fetch_external(place.link)
        return await self.backend.follow(place.link)

    async def _show(self, widget: Widget) -> None:
        main = self.query_one("#main", Container)
        await main.remove_children()
        await main.mount(widget)

    def open_found(self, place: Place) -> None:
        """Open a record Find found; back from it returns to Find."""
        self.open_place(place)
        self.from_find = self.history.current

    def action_back(self) -> None:
        if self.from_find is not None and self.history.current is self.from_find:
            self.from_find = None
            back_to_find = getattr(self.app, "action_find", None)
            if callable(back_to_find):
                back_to_find()
                return
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
        self.app.push_screen(GoToScreen(self._as_masked_now(self.known.all()), initial, resolve), chosen)

    # -- messages from the views -------------------------------------------------------------------
    def on_resource_tree_place_chosen(self, event: ResourceTree.PlaceChosen) -> None:
        if event.place.link is not None and event.place.link.external:
            self.follow_link(event.place.link)
            return
        self.open_place(event.place)

    def on_resource_tree_places_found(self, event: ResourceTree.PlacesFound) -> None:
        for place in event.places:
            self.known.add(place)

    def on_record_table_record_chosen(self, event: RecordTable.RecordChosen) -> None:
        current = self.history.current
        parent = " › ".join(current.crumbs) if current else ""
        self.open_place(Place("record", self._title(event.record),
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
        place = Place("link", link.rel, link=link, ref=link.target, parent=parent)
        if not link.external:
            self.open_place(place)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.open_place(place)

        # An off-origin link is never fetched unless the user says so, and then without credentials.
        question = (f"{link.href}\nis on another origin than this connection. Open it anyway? It is fetched "
                    "without your credentials (no token, no cookie).")
        self.app.push_screen(ConfirmScreen("External link", question, confirm_label="Open"), answered)

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
            view: Widget = JsonView(self.app.mask.value(record.raw if record.raw is not None else record.fields))
        else:
            view = RecordView(self._masked(record), read_only=self.backend.read_only)
        await self._show(view)
        view.focus()

    def redactor(self) -> Redactor:
        """The one redactor, knowing the profile's secrets and the tokens the connection learned since."""
        redactor = Redactor(self.profile.secrets)
        learned = getattr(self.backend, "redactor", None)
        if isinstance(learned, Redactor):
            redactor.add(*learned.secrets)
        return redactor

    def action_copy_json(self) -> None:
        record = self._focused_record()
        if record is None:
            self.notify("No record here to copy.", title="Copy")
            return
        redactor = self.redactor()
        value = self.app.mask.value(redactor.data(record.raw if record.raw is not None else record.fields))
        self.app.copy_to_clipboard(redactor.text(json.dumps(value, ensure_ascii=False, indent=2, default=str)))
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
        self.app.copy_to_clipboard(self.app.mask.text(self.redactor().text(curl_for(exchange))))
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
        collection = self._collection()
        if collection is not None:
            note += "\n" + collection.filter_help
        if self.backend.read_only:
            note += ("\nRead-only: edit, new, delete, undo and every action that writes (uploads, reboots, "
                     "payments) are hidden. " + self.read_only_reason())
        elif view in ("collection", "record"):
            note += "\nEvery write shows a diff first and lands in the journal; u undoes this session's last one."
        self.app.push_screen(HelpScreen(view, help_keys(self), note=note.strip()))

    # -- personal-data mask and export (m, x) --------------------------------------------------------
    def badges(self) -> list[str]:
        return [*super().badges(), *(["MASKED"] if self.app.mask.on else [])]

    def _title(self, record: Record) -> str:
        """``42 Olivia Taylor`` for crumbs and go-to; the name masked while the mask is on.

        Both forms are remembered (as many as go-to knows places), so ``m`` later can switch the titles
        of places found before it without fetching them again.
        """
        plain = f"{record.id} {record.title}".strip()
        masked = f"{record.id} {self.app.mask.masker.title(record.title, record.fields)}".strip()
        if masked != plain:
            self._titles[plain], self._titles[masked] = masked, plain
            while len(self._titles) > 2 * MAX_KNOWN:
                del self._titles[next(iter(self._titles))]
        return masked if self.app.mask.on else plain

    def _as_masked_now(self, places: list[Place]) -> list[Place]:
        """Go-to's places with record titles as the mask says now (found before a toggle, or after)."""
        mask_on = self.app.mask.on
        out = []
        for place in places:
            other = self._titles.get(place.title) if place.kind == "record" else None
            is_masked = other is not None and DOT in place.title and DOT not in other
            if other is not None and is_masked != mask_on:
                place = replace(place, title=other)
            out.append(place)
        return out

    def _masked(self, record: Record) -> Record:
        """The record as shown and copied: personal data hidden while the mask is on."""
        if not self.app.mask.on:
            return record
        return record.model_copy(update={"fields": self.app.mask.masker.fields(record.fields)})

    def action_toggle_mask(self) -> None:
        on = self.app.mask.toggle()
        self.on_elevated()  # redraws the badges
        current = self.history.current
        if current is not None and self.record is not None and current.kind == "record":
            # The crumb was made before the switch: show the record's title as the mask now says.
            plain, masked = self.record.title, self.app.mask.masker.title(self.record.title, self.record.fields)
            crumbs = [c.replace(plain, masked) if on else c.replace(masked, plain) for c in current.crumbs]
            self.query_one(Breadcrumbs).show([self.profile.name, *crumbs], back=self.history.can_back,
                                             forward=self.history.can_forward, badge=self.badge)
        view = self._collection()
        if view is not None:
            view.table.refresh()
            view.update_header()
        elif self.record is not None and self.error is None:
            self._toggle_raw_view(self.record)
        for panel in self.query(RequestLogPanel):
            panel.reload()
        self.notify("Personal data masked on screen, in copies and exports." if on else "Mask off.",
                    title="Mask")

    def action_export(self) -> None:
        from isptui.ui.screens.export import ExportScreen

        view = self._collection()
        if view is None:
            self.notify("Open a collection first; x exports it (as filtered).", title="Export")
            return

        def done(message: str | None) -> None:
            if message:
                self.notify(message, title="Export")

        masker = self.app.mask.masker if self.app.mask.on else None
        self.app.push_screen(ExportScreen(self.backend, view.ref, view.title, filter_text=view.filter_text,
                                          masker=masker), done)

    def on_elevated(self) -> None:
        status = self.query_one(StatusLine)
        status.badges = self.badges()
        status.redraw()

    def show_error_notice(self, error: BackendError) -> None:
        """A side request failed: say what, where, and that r retries (not for a 4xx: it would fail again)."""
        hint = "r retries" if retryable(error) else "not retried: the server refused the request"
        self.notify(f"{error.message}\n{error.where()}\n{hint}", title=error.title, severity="error", markup=False)


def help_note(view: str) -> str:
    return {
        "collection": "Rows load page by page as you scroll; the header says if a filter or sort runs on "
                      "the server or only over loaded rows.",
        "record": "enter on a → line follows the link; on a ⚡ line runs the action.",
        "tree": "space expands a node (loaded on demand); enter opens it on the right.",
        "request log": "c copies the highlighted request as curl, with secrets redacted.",
    }.get(view, "")
