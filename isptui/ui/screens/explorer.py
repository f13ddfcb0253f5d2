"""The explorer: resource tree on the left, the current view on the right, breadcrumbs and status line.

Every request runs in a worker; a ``BackendError`` becomes an error panel (for the main view) or a
notification (for side loads), and ``r`` retries. The app never dies on a backend error.

First paint (issue 15): the screen is pushed before the connection is made, with the tree painted from
the collections the backend declares (``BackendDescriptor.catalogue``) and a "connecting…" badge. This
module therefore imports no adapter, httpx or pydantic: the views and models are imported inside the
methods that show them, and :func:`preload` imports them in the connecting thread. Once connected,
discovery corrects the tree in place; a collection opened meanwhile waits for it and then opens.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.widget import Widget

from isptui.backends import registry
from isptui.errors import BackendError, retryable
from isptui.mask import DOT
from isptui.ui.places import History, Place
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.dialogs import ConfirmScreen, GoToScreen, HelpScreen
from isptui.ui.screens.explorer_support import MAX_KNOWN, KnownPlaces, help_keys, record_place
from isptui.ui.screens.explorer_writes import WriteCommands
from isptui.ui.screens.explorer_writes import preload as preload_writes
from isptui.ui.widgets.footer import KeyFooter
from isptui.ui.widgets.panels import ErrorPanel, JsonView, Notice
from isptui.ui.widgets.request_log import RequestLogPanel, curl_for
from isptui.ui.widgets.resource_tree import ResourceTree
from isptui.ui.widgets.status import Breadcrumbs, StatusLine

if TYPE_CHECKING:
    from isptui.backends.base import Backend
    from isptui.http.redact import Redactor
    from isptui.model import EntryPoint, Link, Page, Record
    from isptui.ui.widgets.collection_view import CollectionView
    from isptui.ui.widgets.record_table import RecordTable
    from isptui.ui.widgets.record_view import RecordView


def preload() -> None:
    """Import what showing a collection or a record needs (call it off the event loop, while connecting)."""
    import isptui.http.redact
    import isptui.model
    import isptui.ui.widgets.collection_view
    import isptui.ui.widgets.record_view  # noqa: F401

    preload_writes()


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

    def __init__(self, profile: ProfileEntry, backend: Backend | None = None, *,
                 show_latency: bool = True) -> None:
        """``backend`` None: not connected yet; the app calls :meth:`connected` once it is."""
        super().__init__()
        self.profile = profile
        self.backend = backend
        self.history = History()
        self.known = KnownPlaces()
        try:
            descriptor: registry.BackendDescriptor | None = registry.descriptor(profile.backend_name)
        except registry.RegistryError:
            descriptor = None  # a profile of a broken plug-in: connecting says why
        self.backend_title = descriptor.title if descriptor is not None else profile.backend_name
        self.entries: list[EntryPoint | registry.CatalogueEntry] = list(
            descriptor.first_paint() if descriptor is not None else ())
        """The declared catalogue until discovery has run, then the discovered entry points."""
        self.discovered = False
        self._ready = asyncio.Event()
        """Set once discovery has run (or failed): loads asked for before wait for it."""
        self.record: Record | None = None
        self.error: BackendError | None = None
        self.raw = False
        self.show_latency = show_latency
        self.set_class(profile.production, "-production")
        if backend is not None:
            self.setup_writes()
        self._titles: dict[str, str] = {}
        """Record place titles, plain -> masked and masked -> plain (see ``_title``)."""
        self.badge = ""
        """Several connections open: the header badge naming this one (set by the app); empty otherwise."""
        self.from_find: Place | None = None
        """The place Find opened here: back from it returns to Find's results."""

    def compose(self) -> ComposeResult:
        title = (self.backend.title or self.backend.name) if self.backend is not None else self.backend_title
        yield Breadcrumbs()
        with Horizontal(id="body"):
            yield ResourceTree(self.backend, title=title, id="tree", on_error=self.show_error_notice)
            waiting = "Discovering what the server offers…" if self.backend is not None else (
                f"Connecting to {self.profile.name}…")
            yield Container(Notice(waiting), id="main")
        yield StatusLine(self.profile.name, title, self.badges(), show_latency=self.show_latency)
        yield KeyFooter(compact=True, show_command_palette=False)

    # -- start ---------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._subscribe()
        self.call_after_refresh(self._update_status)
        self.query_one(Breadcrumbs).show([self.profile.name], badge=self.badge)
        if self.entries:
            # Painted from what the backend declares; discovery corrects it once connected.
            tree = self.query_one(ResourceTree)
            tree.show_entry_points(self.entries)
            tree.focus()
        if self.backend is not None:
            self.discover()

    def _subscribe(self) -> None:
        log = self.profile.request_log
        if log is not None and hasattr(log, "subscribe") and not callable(getattr(self, "_unsubscribe", None)):
            self._unsubscribe = log.subscribe(self._exchange_seen)

    def connected(self, backend: Backend) -> None:
        """The app made the connection: take it, then discover (the tree is corrected in place)."""
        self.backend = backend
        self.setup_writes()
        self._subscribe()  # a demo entry's request log is made with its backend
        self.on_elevated()  # the badges: no longer connecting; read-only as the connection says
        self.refresh_bindings()
        self.discover()

    def connection_failed(self, error: BackendError) -> None:
        """The app could not connect (it goes back to the picker): loads waiting for it stop waiting."""
        self.error = error
        self._ready.set()

    async def wait_ready(self) -> bool:
        """Wait until connected and discovered; False when that failed (the error is shown)."""
        await self._ready.wait()
        return self.backend is not None

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def discover(self) -> None:
        """Entry points into the tree and go-to; the first view is a hint, not a request."""
        assert self.backend is not None
        tree = self.query_one(ResourceTree)
        try:
            entries = await self.backend.discover()
        except BackendError as exc:
            self.error = exc
            self._ready.set()
            tree.connected(self.backend)
            if self.history.current is None:
                await self._show(ErrorPanel(exc))
            else:
                self.show_error_notice(exc)
            return
        self.entries = list(entries)
        self.discovered = True
        self.error = None
        places = tree.reconcile(entries)
        self.known.retain_collections({p.key for p in places})
        for place in places:
            self.known.add(place)
        tree.connected(self.backend)
        self._ready.set()
        if self.history.current is None:  # nothing opened meanwhile: the hint, and the tree to start from
            hint = f"{len(entries)} collections. enter opens · : go to · ? help"
            await self._show(Notice(hint))
            if self.focused is None or self.focused is tree:
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

    def _resolve(self, place: Place) -> Place | None:
        """A collection from the declared catalogue as discovery found it (None: the server lacks it)."""
        if place.ref is not None or place.link is not None or not place.entry:
            return place
        from isptui.model import ResourceRef  # connected by now, so imported (in the connecting thread)

        for entry in self.entries:
            if entry.key == place.entry and not isinstance(entry, registry.CatalogueEntry):
                return replace(place, ref=entry.ref)
        if not self.discovered:  # discovery failed: every adapter names its collections by their key
            return replace(place, ref=ResourceRef(collection=place.entry))
        return None

    @work(exclusive=True, group="view", exit_on_error=False)
    async def load_place(self, place: Place) -> None:
        """Fetch what ``place`` names and mount the matching view (once connected, if asked before)."""
        from isptui.errors import NotFound

        await self._show(Notice(f"Loading {place.title}…" if self._ready.is_set() else
                                f"Opening {place.title} once connected to {self.profile.name}…"))
        if not await self.wait_ready():
            return  # the app went back to the picker, which says why
        from isptui.model import Record, ResourceRef
        from isptui.ui.widgets.collection_view import CollectionView
        from isptui.ui.widgets.record_view import RecordView

        self.error = None
        self.record = None
        resolved = self._resolve(place)
        try:
            if resolved is None:
                raise NotFound(f"{self.backend_title} does not offer {place.title} (not found by discovery)",
                               "Not offered")
            place = resolved
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
        from isptui.model import PageRequest
        from isptui.ui.widgets.collection_view import PAGE_SIZE

        assert self.backend is not None
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
        views = self.query("CollectionView")  # by name: the module is imported once one is shown
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
        elif self.backend is not None:
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

    # Described, not named by its arguments: Textual writes the repr of each argument otherwise (a record of
    # 5,000 fields: ~60 ms on the loop).
    @work(exclusive=True, group="view", exit_on_error=False, description="toggle the raw view")
    async def _toggle_raw_view(self, record: Record) -> None:
        from isptui.ui.widgets.record_view import RecordView  # a record is shown: imported already

        if self.raw:
            view: Widget = JsonView(self.app.mask.value(record.raw if record.raw is not None else record.fields))
        else:
            view = RecordView(self._masked(record), read_only=self.backend.read_only)
        await self._show(view)
        view.focus()

    def redactor(self) -> Redactor:
        """The one redactor, knowing the profile's secrets and the tokens the connection learned since."""
        from isptui.http.redact import Redactor  # imported while connecting (preload), not before paint

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
        source = record.raw if record.raw is not None else record.fields

        def as_json() -> str:
            value = self.app.mask.value(redactor.data(source))
            return redactor.text(json.dumps(value, ensure_ascii=False, indent=2, default=str))

        from isptui.ui.widgets.long_text import LONG_JSON, json_longer_than  # imported with the record view

        if json_longer_than(source, LONG_JSON):
            # Redacting, masking and writing out a megabyte takes ~60 ms: done in a thread, then copied.
            self._copy_json_later(as_json, record.ref.label())
            return
        self.app.copy_to_clipboard(as_json())
        self.notify(f"Copied {record.ref.label()} as JSON.", title="Copy")

    @work(group="copy", exit_on_error=False, description="copy a record as JSON")
    async def _copy_json_later(self, as_json: Callable[[], str], label: str) -> None:
        text = await asyncio.to_thread(as_json)
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {label} as JSON.", title="Copy")

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
        if self.read_only:
            note += ("\nRead-only: edit, new, delete, undo and every action that writes (uploads, reboots, "
                     "payments) are hidden. " + self.read_only_reason())
        elif view in ("collection", "record"):
            note += "\nEvery write shows a diff first and lands in the journal; u undoes this session's last one."
        self.app.push_screen(HelpScreen(view, help_keys(self), note=note.strip()))

    # -- personal-data mask and export (m, x) --------------------------------------------------------
    def badges(self) -> list[str]:
        connecting = ["connecting…"] if self.backend is None else []
        return [*super().badges(), *(["MASKED"] if self.app.mask.on else []), *connecting]

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
