"""Find across connections: one query, every connection searched at once, results yielded as they come.

``find_everywhere`` runs one task per connection and yields each connection's :class:`ConnectionResult`
the moment it is ready, so a slow or hanging server never holds back the others (it ends as ``timeout``).
``group()`` (isptui.find.group) turns the hits into subscribers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
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


def kinds_to_search(query: Query) -> tuple[str, ...]:
    """The kinds worth asking for: every kind the text can be, except ``login`` when the text is more
    specifically an email, MAC or IP (``10.0.0.42`` is not a login anyone has)."""
    kinds = query.kinds
    if any(k in kinds for k in ("email", "mac", "ip")):
        kinds = tuple(k for k in kinds if k != "login")
    return kinds


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(clean(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


async def search_connection(name: str, backend: Backend, query: Query) -> ConnectionResult:
    """Every searchable kind of ``query`` on one connection, one after another; hits deduplicated."""
    from isptui.errors import BackendError

    start = time.perf_counter()
    kinds = [k for k in kinds_to_search(query) if backend.search_way(k) is not None]
    if not kinds:
        asked = ", ".join(kinds_to_search(query)) or "this text"
        return ConnectionResult(name, "not-searchable", (), time.perf_counter() - start,
                                _one_line(f"cannot search by {asked} on this server"))
    hits: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    try:
        for kind in kinds:
            for hit in await backend.search(kind, query.text):
                if (hit.collection, hit.record_id) in seen:
                    continue
                seen.add((hit.collection, hit.record_id))
                hits.append(hit if hit.connection == name else _renamed(hit, name))
    except BackendError as exc:
        return ConnectionResult(name, "failed", tuple(hits), time.perf_counter() - start,
                                _one_line(exc.message or type(exc).__name__))
    except Exception as exc:  # noqa: BLE001 - a broken plug-in must not end everyone's search
        return ConnectionResult(name, "failed", tuple(hits), time.perf_counter() - start,
                                _one_line(f"{type(exc).__name__}: {exc}"))
    return ConnectionResult(name, "found" if hits else "none", tuple(hits), time.perf_counter() - start)


def _renamed(hit: Hit, connection: str) -> Hit:
    from dataclasses import replace

    return replace(hit, connection=connection)


async def find_everywhere(connections: Mapping[str, Backend], text: str, *, timeout: float = 10.0
                          ) -> AsyncIterator[ConnectionResult]:
    """Yield each connection's result as soon as it is ready (a slow one never holds back the others)."""
    query = recognize(text)
    start = time.perf_counter()

    async def bounded(name: str, backend: Backend) -> ConnectionResult:
        try:
            return await asyncio.wait_for(search_connection(name, backend, query), timeout)
        except TimeoutError:
            return ConnectionResult(name, "timeout", (), time.perf_counter() - start,
                                    f"no answer within {timeout:g} s")

    tasks = [asyncio.create_task(bounded(name, backend), name=f"find:{name}")
             for name, backend in connections.items()]
    try:
        for done in asyncio.as_completed(tasks):
            yield await done
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def searchable_table() -> str:
    """Markdown: per backend, how each query kind is searched (from the descriptors; the README embeds it)."""
    from isptui.backends import registry
    from isptui.find.query import KINDS

    rows = ["| backend | " + " | ".join(KINDS) + " |", "| --- |" + " --- |" * len(KINDS)]
    for desc in registry.descriptors():
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
