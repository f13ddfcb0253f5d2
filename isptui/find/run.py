"""Find across connections: one query, every connection searched at once, results yielded as they come.

``find_everywhere`` runs one task per connection and yields each connection's :class:`ConnectionResult`
the moment it is ready, so a slow or hanging server never holds back the others (it ends as ``timeout``).
``group()`` (isptui.find.group) turns the hits into subscribers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from isptui.find.group import Hit, Subscriber, group
from isptui.find.query import Query, recognize
from isptui.text import clean

if TYPE_CHECKING:
    from isptui.backends.base import Backend

__all__ = ["ConnectionResult", "Hit", "Subscriber", "find_everywhere", "group", "kinds_to_search"]

STATES = ("found", "none", "not-searchable", "failed", "timeout")


@dataclass(frozen=True)
class ConnectionResult:
    connection: str            # the connection/profile name
    state: str                 # "found" | "none" | "not-searchable" | "failed" | "timeout"
    hits: tuple[Hit, ...]
    elapsed: float             # seconds
    message: str = ""          # e.g. the error, already safe one-line text
    scannable: bool = False    # not searchable, but a bounded local scan is declared (offered, never run unasked)


def kinds_to_search(query: Query) -> tuple[str, ...]:
    """The kinds worth asking for: every kind the text can be, except ``login`` when the text is more
    specifically an email, MAC or IP (``10.0.0.42`` is not a login anyone has), nor ``name`` then."""
    kinds = query.kinds
    if any(k in kinds for k in ("email", "mac", "ip")):
        kinds = tuple(k for k in kinds if k not in ("login", "name"))
    return kinds


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(clean(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _records(n: int) -> str:
    return f"{n:,} record{'s' if n != 1 else ''}"


async def search_connection(name: str, backend: Backend, query: Query, scan: int = 0) -> ConnectionResult:
    """Every searchable kind of ``query`` on one connection, one after another; hits deduplicated.

    ``scan`` > 0 (the user asked for it): each kind the server cannot search but declares a scan for is
    looked for in at most ``scan`` records of that collection, read page by page and compared locally; the
    message says how many were read. With ``scan`` 0 such a connection is ``not-searchable`` and
    ``scannable``: the scan is offered, never run unasked."""
    start = time.perf_counter()
    wanted = kinds_to_search(query)
    kinds = [k for k in wanted if backend.search_way(k) is not None]
    scans = [k for k in wanted if k not in kinds and backend.scan_way(k) is not None]
    if not kinds and not (scans and scan > 0):
        asked = ", ".join(wanted) or "this text"
        offer = " (a bounded scan can be asked for)" if scans else ""
        return ConnectionResult(name, "not-searchable", (), time.perf_counter() - start,
                                _one_line(f"cannot search by {asked} on this server{offer}"), scannable=bool(scans))
    hits = _Hits(name)
    message = ""
    try:
        for kind in kinds:
            hits.add(await backend.search(kind, query.text))
        if scan > 0:
            for kind in scans:
                before = len(hits.found)
                found, read, ended = await backend.scan(kind, query.text, scan)
                hits.add(found)
                where = backend.scan_way(kind).collection  # type: ignore[union-attr]
                if len(hits.found) > before:
                    message = f"by scanning {_records(read)} of {where}"
                elif not message:
                    message = (f"none in all {_records(read)} of {where}" if ended
                               else f"none in the first {_records(read)} of {where}")
    except Exception as exc:  # noqa: BLE001 - a BackendError, or a broken plug-in: never everyone's search
        return _failed(name, hits, start, exc)
    return hits.result(start, message)


class _Hits:
    """One connection's hits, each record once, named by the connection (not the adapter's own name)."""

    def __init__(self, connection: str) -> None:
        self.connection = connection
        self.found: list[Hit] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, hits: list[Hit]) -> list[Hit]:
        """Add the records not seen yet; returns those."""
        new = []
        for hit in hits:
            if (hit.collection, hit.record_id) not in self._seen:
                self._seen.add((hit.collection, hit.record_id))
                new.append(hit if hit.connection == self.connection else replace(hit, connection=self.connection))
        self.found += new
        return new

    def result(self, start: float, message: str) -> ConnectionResult:
        return ConnectionResult(self.connection, "found" if self.found else "none", tuple(self.found),
                                time.perf_counter() - start, _one_line(message))


def _failed(name: str, hits: _Hits, start: float, exc: Exception) -> ConnectionResult:
    from isptui.errors import BackendError

    text = (exc.message or type(exc).__name__) if isinstance(exc, BackendError) else f"{type(exc).__name__}: {exc}"
    return ConnectionResult(name, "failed", tuple(hits.found), time.perf_counter() - start, _one_line(text))


PIVOT_KINDS = ("login", "email", "mac", "ip")
"""Keys strong enough to look a subscriber up by in the other systems (group.STRONG): not phone, not id,
not name (many people share one)."""
MAX_PIVOTS = 8
"""At most this many key values are taken from the first answers to ask the others (a bounded second hop)."""


async def pivot_connection(name: str, backend: Backend, pivots: list[tuple[str, str]]) -> ConnectionResult:
    """One connection asked again by keys other systems' records carry (the subscriber's login, e-mail, MAC
    or IP), for the kinds it can search; ``message`` says which key found it."""
    start = time.perf_counter()
    hits = _Hits(name)
    via: list[str] = []
    try:
        for kind, value in pivots:
            via += [f"{kind} {value}"] * len(hits.add(await backend.search(kind, value)))
    except Exception as exc:  # noqa: BLE001 - as in search_connection
        return _failed(name, hits, start, exc)
    return hits.result(start, "via " + ", ".join(dict.fromkeys(via)) if via else "")


async def find_everywhere(connections: Mapping[str, Backend], text: str, *, timeout: float = 10.0, scan: int = 0
                          ) -> AsyncIterator[ConnectionResult]:
    """Yield each connection's result as soon as it is ready (a slow one never holds back the others).

    Then one more hop: a connection that found nothing (or cannot search this kind of query) is asked by
    the strong keys the others' records carry — an e-mail found in billing gives the login to ask
    provisioning by. Such a connection yields a second result, with only the new hits and ``message``
    saying which key found them; consumers keep the last state per connection and add up the hits.

    ``scan`` > 0: a bounded local scan of at most that many records where a kind cannot be searched
    (``search_connection``); 0 never scans.
    """
    query = recognize(text)
    start = time.perf_counter()

    async def bounded(name: str, work: Awaitable[ConnectionResult]) -> ConnectionResult:
        try:
            return await asyncio.wait_for(work, max(0.1, timeout - (time.perf_counter() - start)))
        except TimeoutError:
            return ConnectionResult(name, "timeout", (), time.perf_counter() - start,
                                    f"no answer within {timeout:g} s")

    pending = {asyncio.create_task(bounded(name, search_connection(name, backend, query, scan)), name=name)
               for name, backend in connections.items()}
    empty: set[str] = set()  # answered, found nothing: may be asked by others' keys
    asked: dict[str, set[tuple[str, str]]] = {}
    second: set[asyncio.Task[ConnectionResult]] = set()
    shown: dict[str, set[tuple[str, str]]] = {}  # per connection, the records already yielded
    pivots: list[tuple[str, str]] = []
    try:
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                result = task.result()
                seen = shown.setdefault(result.connection, set())
                new_hits = tuple(h for h in result.hits if (h.collection, h.record_id) not in seen)
                if task in second and not new_hits and result.state != "failed":
                    continue  # nothing more by others' keys: the first answer stands
                seen.update((h.collection, h.record_id) for h in new_hits)
                if len(new_hits) != len(result.hits):
                    result = replace(result, hits=new_hits)
                yield result
                if task not in second and result.state in ("none", "not-searchable"):
                    empty.add(result.connection)
                for hit in result.hits:
                    for kind in PIVOT_KINDS:
                        value = hit.keys.get(kind)
                        if value and (kind, value) not in pivots and len(pivots) < MAX_PIVOTS:
                            pivots.append((kind, value))
            for name in sorted(empty):
                backend = connections[name]
                new = [(k, v) for k, v in pivots if (k, v) not in asked.get(name, set())
                       and backend.search_way(k) is not None]
                if new:
                    asked.setdefault(name, set()).update(new)
                    hop = asyncio.create_task(bounded(name, pivot_connection(name, backend, new)), name=name)
                    second.add(hop)
                    pending.add(hop)
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


def searchable_table(names: tuple[str, ...] | None = None) -> str:
    """Markdown: per backend (``names``, default every one installed), how each query kind is searched, from
    the descriptors; the README embeds it for the built-in five."""
    from isptui.backends import registry
    from isptui.find.query import KINDS

    rows = ["| backend | " + " | ".join(KINDS) + " |", "| --- |" + " --- |" * len(KINDS)]
    for desc in registry.descriptors():
        if names is not None and desc.name not in names:
            continue
        cells = []
        for kind in KINDS:
            way = desc.search.get(kind)
            if way is None:
                cells.append("—")
                continue
            how = "get by id" if way.by_id else f"`{way.filter}`".replace("{value}", "…")
            where = "" if way.server_side else ", list filtered locally"
            cells.append(f"{way.collection}: {how} ({way.match}{where})".replace("|", "\\|"))
        rows.append(f"| {desc.name} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
