"""``ctrl+f`` — one query across every open connection, results streamed in and grouped into subscribers.

Each connection gets a status line (searching…, found N, none, not searchable on this server, failed,
timeout) with its time, updated the moment its answer arrives: a slow server never holds back the others.
Hits are grouped (``isptui.find.group``) into subscribers, each showing its records per system and the keys
they share (why they were grouped). Enter on a record opens it in its own connection's explorer; back from
there returns here, with the results kept. Every server string goes through ``clean`` into ``Text``.

A connection that cannot search the query's kind is never scanned unasked: where its backend declares a
bounded local scan, ``s`` reads at most ``SCAN_BUDGET`` records of each such connection and its status says
how many were read ("found 1 by scanning 60 records of users", "none in the first 1,000 records of users").
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from isptui.find.group import Hit, Subscriber, group
from isptui.find.query import recognize
from isptui.model import ResourceRef
from isptui.ui.places import Place
from isptui.ui.text import clean, cut
from isptui.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from isptui.backends.base import Backend

Finder = Callable[..., AsyncIterator[Any]]
"""``find_everywhere(connections, text, *, timeout)`` yielding ConnectionResult-like objects."""

STATE_TEXT = {"none": "none", "not-searchable": "not searchable on this server", "timeout": "timeout"}
NAME_WIDTH = 18
SCAN_BUDGET = 1_000
"""Records ``s`` reads at most per not-searchable connection (a bounded local scan, asked for)."""
KEY_ORDER = ("login", "email", "mac", "ip", "id", "phone")
"""Shared keys shown strongest first: the ones that joined the records before a phone or an id."""


def status_line(name: str, state: str, count: int = 0, elapsed: float | None = None, message: str = "",
                scannable: bool = False) -> Text:
    """``demo-krill        found 2 · 0.12 s`` (all server text cleaned, never markup)."""
    text = Text(cut(clean(name), NAME_WIDTH).ljust(NAME_WIDTH + 1), style="bold")
    if state == "found":
        text.append(f"found {count}", style="bold")
        if message:  # "via login isp00042": found by a key another system's record carries
            text.append(" " + cut(clean(message), 36), style="dim")
    elif state == "failed":
        text.append("failed: ", style="bold")
        text.append(cut(clean(message), 38))
    elif state in ("searching", "connecting"):
        text.append(message or "searching…", style="italic dim")
    elif state == "none" and message:  # "none in the first 1,000 records of users": how far a scan read
        text.append(cut(clean(message), 46))
    else:
        text.append(STATE_TEXT.get(state, clean(state)))
        if state == "not-searchable" and scannable:
            text.append(" · s scans", style="dim")
    if elapsed is not None:
        text.append(f" · {elapsed:.2f} s", style="dim")
    return text


def subscriber_header(number: int, subscriber: Subscriber) -> Text:
    """``Subscriber 1 · Olivia Taylor · in 5 systems`` and the shared keys on the next line."""
    labels = Counter(hit.label for hit in subscriber.hits if hit.label)
    first = labels.most_common(1)[0][0] if labels else ""  # the name most systems agree on
    systems = len(subscriber.connections)
    text = Text(f"Subscriber {number}", style="bold reverse")
    text.append(" ")
    text.append(cut(clean(first), 30), style="bold")
    text.append(f" · in {systems} system{'s' if systems != 1 else ''}")
    if subscriber.shared:
        text.append("\n  shared: ", style="dim")
        keys = sorted(subscriber.shared.items(), key=lambda kv: (KEY_ORDER.index(kv[0])
                                                                 if kv[0] in KEY_ORDER else len(KEY_ORDER), kv[0]))
        text.append(cut(clean(" · ".join(f"{k} {v}" for k, v in keys)), 62), style="dim")
    return text


def hit_line(hit: Hit) -> Text:
    """``  demo-krill        customers/42  Olivia Taylor``."""
    text = Text("  ")
    text.append(cut(clean(hit.connection), NAME_WIDTH).ljust(NAME_WIDTH + 1))
    text.append(cut(clean(f"{hit.collection}/{hit.record_id}"), 24).ljust(25), style="bold")
    text.append(cut(clean(hit.label), 30))
    return text


def place_of(hit: Hit) -> Place:
    """The explorer place of a hit: the record in its collection."""
    title = f"{hit.record_id} {hit.label}".strip()
    return Place("record", title, ref=ResourceRef(collection=hit.collection, id=str(hit.record_id)),
                 parent=hit.collection)


class FindScreen(Screen[None]):
    """One input; enter searches every open connection; results stream in, grouped into subscribers."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("ctrl+l", "focus_input", "New search"),
                Binding("s", "scan", "Scan not-searchable"), Binding("down", "focus_results", show=False)]
    DEFAULT_CSS = """
    FindScreen #find { height: 1fr; padding: 0 1; }
    FindScreen #find-title { text-style: bold; color: $primary; }
    FindScreen Input { border: tall $primary; }
    FindScreen #find-status { height: auto; max-height: 7; color: $foreground; }
    FindScreen #find-results { height: 1fr; border: round $primary; }
    """

    def __init__(self, *, timeout: float = 10.0) -> None:
        super().__init__()
        self.timeout = timeout
        self.query_text = ""
        self.states: dict[str, Text] = {}
        self.hits: list[Hit] = []
        self.subscribers: list[Subscriber] = []
        self.shown: list[Hit | None] = []
        """One per option of the results list: the hit, or None for a subscriber's header."""
        self.started: float | None = None
        self.first_hit_after: float | None = None
        """Seconds from enter to the first hit on screen (the benchmark reads it)."""
        self._leaving = False
        self._default_highlight: int | None = None
        self.offer: list[str] = []
        """Connections that cannot search this query but declare a bounded scan: what ``s`` would scan."""
        self._scannable: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="find"):
            yield Label("Find a subscriber in every open connection", id="find-title")
            yield Input(placeholder="id, login, email, phone, MAC, IP or name — enter searches", id="find-input")
            yield Static(id="find-status")
            yield OptionList(id="find-results")
        yield KeyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#find-input", Input).focus()
        self._render_status()

    def on_screen_resume(self) -> None:
        self._leaving = False
        results = self.query_one("#find-results", OptionList)
        if self.hits:
            results.focus()
        else:
            self.query_one("#find-input", Input).focus()

    # -- searching -------------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.search(text)

    def _finder(self) -> Finder:
        finder = getattr(self.app, "finder", None)
        if finder is not None:
            return finder
        from isptui.find.run import find_everywhere

        return find_everywhere

    @work(exclusive=True, group="find", exit_on_error=False)
    async def search(self, text: str) -> None:
        """Ask every open connection at once; each answer is shown the moment it arrives."""
        connections: Mapping[str, Backend] = self.app.open_connections()  # type: ignore[attr-defined]
        unavailable: Mapping[str, str] = self.app.unavailable_connections()  # type: ignore[attr-defined]
        self.query_text = text
        kinds = recognize(text).kinds
        self.query_one("#find-title", Label).update(Text(
            f"Find {cut(clean(text), 30)} · read as {', '.join(kinds) if kinds else 'a name'}"
            f" · {len(connections)} connection{'s' if len(connections) != 1 else ''}"))
        self.hits, self.subscribers = [], []
        self.offer, self._scannable = [], set()
        self.started, self.first_hit_after = time.perf_counter(), None
        self.states = {name: status_line(name, "searching") for name in connections}
        for name, why in unavailable.items():
            self.states[name] = status_line(name, "connecting", message=why)
        self._render_status()
        self._render_results()
        await self._take(self._finder()(connections, text, timeout=self.timeout))

    async def _take(self, answers: AsyncIterator[Any]) -> None:
        """Show each connection's answer the moment it arrives; then what ``s`` could still scan."""
        counts: dict[str, int] = {}
        last: dict[str, str] = {}
        async for result in answers:
            hits = tuple(result.hits)
            # A connection may answer twice (again by others' keys): its hits add up.
            counts[result.connection] = counts.get(result.connection, 0) + len(hits)
            scannable = bool(getattr(result, "scannable", False))
            if scannable:
                self._scannable.add(result.connection)
            last[result.connection] = result.state
            self.states[result.connection] = status_line(
                result.connection, result.state, counts[result.connection], result.elapsed, result.message or "",
                scannable=scannable)
            self.hits.extend(hits)
            self._render_status()
            if hits:
                self._render_results()
                if self.first_hit_after is None:
                    self.first_hit_after = time.perf_counter() - self.started
        self.offer = [name for name, state in last.items() if state == "not-searchable" and name in self._scannable]
        self._render_results()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scan":
            return bool(self.offer)
        return True

    def action_scan(self) -> None:
        if self.offer and self.query_text:
            self.scan(self.query_text, list(self.offer))

    @work(exclusive=True, group="find", exit_on_error=False)
    async def scan(self, text: str, names: list[str]) -> None:
        """A bounded local scan (asked for with ``s``) of the connections that cannot search this query."""
        connections: Mapping[str, Backend] = self.app.open_connections()  # type: ignore[attr-defined]
        chosen = {name: connections[name] for name in names if name in connections}
        self.offer = []
        self.refresh_bindings()
        for name in chosen:
            self.states[name] = status_line(name, "searching", message=f"scanning up to {SCAN_BUDGET:,} records…")
        self._render_status()
        self._render_results()
        await self._take(self._finder()(chosen, text, timeout=self.timeout, scan=SCAN_BUDGET))

    def _render_status(self) -> None:
        lines = list(self.states.values())
        status = Text("\n").join(lines) if lines else Text(
            "Enter searches every open connection at once.", style="dim")
        self.query_one("#find-status", Static).update(status)

    def _render_results(self) -> None:
        results = self.query_one("#find-results", OptionList)
        highlighted = results.highlighted
        # The hit the user moved to stays highlighted as more answers come in; untouched, the top one is.
        moved = highlighted is not None and highlighted != self._default_highlight
        keep = self.shown[highlighted] if moved and highlighted < len(self.shown) else None  # type: ignore[operator]
        order = {name: i for i, name in enumerate(self.states)}
        # Most systems first; ties keep the order the answers came in.
        self.subscribers = sorted(group(self.hits), key=lambda sub: -len(sub.connections))
        options: list[Option] = []
        self.shown = []
        for number, subscriber in enumerate(self.subscribers, 1):
            options.append(Option(subscriber_header(number, subscriber), disabled=True))
            self.shown.append(None)
            for hit in sorted(subscriber.hits, key=lambda h: order.get(h.connection, len(order))):
                options.append(Option(hit_line(hit)))
                self.shown.append(hit)
        if not options and self.query_text:
            options.append(Option(Text(f"Nothing found yet for {cut(clean(self.query_text), 40)}"), disabled=True))
            self.shown.append(None)
        if self.offer:
            names = ", ".join(clean(name) for name in self.offer)
            options.append(Option(Text(f"s — scan the not-searchable ones ({cut(names, 40)}), up to "
                                       f"{SCAN_BUDGET:,} records each", style="italic"), disabled=True))
            self.shown.append(None)
        results.set_options(options)
        if keep is not None and keep in self.shown:
            results.highlighted = self.shown.index(keep)
        else:
            first = next((i for i, hit in enumerate(self.shown) if hit is not None), None)
            if first is not None:
                results.highlighted = first
            self._default_highlight = first
        entry = self.query_one("#find-input", Input)
        if ((any(self.shown) or self.offer) and self.focused is entry
                and entry.value.strip() == self.query_text):
            results.focus()  # the query was sent: enter on the first hit opens it; ctrl+l edits the query

    # -- leaving -------------------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        hit = self.shown[event.option_index] if event.option_index < len(self.shown) else None
        if hit is None or self._leaving or self.app.screen is not self:
            return  # a second enter while the first is leaving: ignored
        self._leaving = True
        self.app.open_found(hit.connection, place_of(hit))  # type: ignore[attr-defined]

    def action_close(self) -> None:
        if self._leaving or self.app.screen is not self:
            return
        self._leaving = True
        self.app.pop_screen()

    def action_focus_results(self) -> None:
        self.query_one("#find-results", OptionList).focus()

    def action_focus_input(self) -> None:
        self.query_one("#find-input", Input).focus()
