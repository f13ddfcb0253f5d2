"""Streaming a collection to CSV, JSONL or JSON, page by page, in constant memory.

Used by ``isptui export`` and the explorer's ``x``. Records are written as they arrive, to a temporary file
beside the target; only a finished export is renamed to the final name, so a cancel (Escape, Ctrl-C) or a
failure never leaves a partial file under that name. Values are written as the server sent them; in CSV,
nested objects become dotted columns and text a spreadsheet would run as a formula is defused.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import operator
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from isptui.errors import BackendError
from isptui.model import FieldType, Page, PageRequest, Record, ResourceRef, Schema

if TYPE_CHECKING:
    from isptui.backends.base import Backend
    from isptui.mask import Masker

FORMATS = ("csv", "jsonl", "json")
REDACTED = "***"
PAGE_SIZE = 500
CHUNK = 100
"""Records written between two yields to the event loop: the prefetched page's request goes out (and the
TUI repaints) while a page is being written, not only after it."""
SEND_STEPS = 8
"""Loop steps given to the prefetch before a page is written: httpx, httpcore and anyio take a few (their
locks and checkpoints) before the request is on the socket; one ``sleep(0)`` was not enough (measured)."""
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may execute at the start of a cell (OWASP "CSV injection")."""


@dataclass
class Progress:
    """How far an export is: records written, records scanned, total when the server tells."""

    written: int = 0
    scanned: int = 0
    total: int | None = None
    started: float = field(default_factory=lambda: time.monotonic())
    done: bool = False

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        """Records scanned per second."""
        return self.scanned / self.elapsed

    @property
    def eta(self) -> float | None:
        """Seconds left, when the total is known and something was scanned."""
        if self.total is None or not self.scanned:
            return None
        return max(self.total - self.scanned, 0) / max(self.rate, 1e-9)

    def line(self) -> str:
        """``1,500/10,000 records · 2,300/s · ETA 4 s`` (what the CLI and the TUI show)."""
        count = f"{self.scanned:,}" + (f"/{self.total:,}" if self.total is not None else "")
        text = f"{count} records · {self.rate:,.0f}/s"
        if self.written != self.scanned:
            text += f" · {self.written:,} matched"
        eta = self.eta
        if eta is not None and not self.done:
            text += f" · ETA {_duration(eta)}"
        elif self.done:
            text += f" · {_duration(self.elapsed)}"
        return text


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


# -- values --------------------------------------------------------------------------------------------
def flatten(fields: Mapping[str, Any], prefix: str = "") -> Mapping[str, Any]:
    """Nested objects become dotted keys (``address.city``); lists and scalars stay as they are."""
    # JSON objects are dicts: the exact type check is many times cheaper than an ABC isinstance.
    nested = [k for k, v in fields.items() if type(v) is dict and v]
    if not nested:
        return fields if not prefix else {f"{prefix}{k}": v for k, v in fields.items()}
    flat = {f"{prefix}{k}": v for k, v in fields.items()} if prefix else dict(fields)
    for key in nested:  # only the nested ones are replaced by their dotted keys (appended; columns order them)
        del flat[f"{prefix}{key}"]
    for key in nested:  # from the record itself: a sent key "a.b" and {"a": {"b": …}} may collide in ``flat``
        flat.update(flatten(fields[key], f"{prefix}{key}."))
    return flat


def schema_columns(schema: Schema) -> list[str]:
    """The CSV columns the schema declares, objects with known children as dotted columns."""
    columns: list[str] = []

    def walk(specs: Iterable[Any], prefix: str) -> None:
        for spec in specs:
            if spec.type == FieldType.OBJECT and spec.children:
                walk(spec.children, f"{prefix}{spec.name}.")
            else:
                columns.append(f"{prefix}{spec.name}")

    walk(schema.fields, "")
    return columns


_NUMBERISH = re.compile(r"\s*[+-]?[\w.]*(?:[+-][\w.]*)?\s*")
"""A superset of what ``float`` accepts (digits of any script, ``_``, ``.``, an exponent's sign, inf/nan,
surrounding space): text it does not match is not a number, without the cost of a raised ValueError."""


def _is_number(text: str) -> bool:
    if _NUMBERISH.fullmatch(text) is None:  # a phone (``+44 7700 900123``), a command (``-cmd``)
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


_LEADS = frozenset(FORMULA_LEADS)
_AS_IS = frozenset((int, type(None)))
_TEXT = frozenset((str, type(None)))


def cell(value: Any) -> str:
    """One CSV cell: text as sent, JSON for the rest, and formula-leading text defused with a ``'``.

    A negative number as text (``-12.50``) is data a spreadsheet reads as a number, not a formula, so it
    is left alone; everything else starting with ``= + - @`` (or a tab / CR) gets the ``'`` prefix.
    """
    kind = type(value)
    if kind is str:
        if value and value[0] in _LEADS and not _is_number(value):
            return "'" + value
        return value
    if value is None:
        return ""
    if kind is int:
        return str(value)  # what json.dumps gives, without its machinery (the bulk of non-text cells)
    if kind is bool:
        return "true" if value else "false"
    if not value and kind in (list, dict):
        return "[]" if kind is list else "{}"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def uncell(text: str) -> str:
    """The inverse of ``cell``'s defusing, for readers (and tests) that want the server's text back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_LEADS):
        return text[1:]
    return text


def matches(record: Record, needle: str) -> bool:
    """The one local filter (the explorer's ``/`` where the server cannot filter, and exports of it): the
    text in any field, case-insensitive, values written as JSON writes them (``null``, ``true``, compact)."""
    needle = needle.casefold()
    return any(needle in (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(",", ":"),
                                                                  default=str)).casefold()
               for v in record.fields.values())


# -- writers -------------------------------------------------------------------------------------------
class _Writer:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def start(self, first: list[Mapping[str, Any]]) -> None:
        pass

    def rows(self, rows: list[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


def _encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, default=str)``, without building an encoder for every record:
    the C encoder made once (no cycle check: records parsed from JSON have none), else the public one."""
    public = json.JSONEncoder(ensure_ascii=False, default=str)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return public.encode
    try:
        encode = make(None, public.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
        if "".join(encode({"a": [1, 2.5, None, True, "é\""]}, 0)) != public.encode({"a": [1, 2.5, None, True, "é\""]}):
            return public.encode
    except TypeError:  # another Python's signature
        return public.encode
    return lambda value: "".join(encode(value, 0))


_ENCODE = _encoder()


class _JsonLines(_Writer):
    def rows(self, rows: list[Mapping[str, Any]]) -> None:
        if rows:
            self.out.write("\n".join(map(_ENCODE, rows)))
            self.out.write("\n")


class _JsonArray(_Writer):
    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.first = True

    def start(self, first: list[Mapping[str, Any]]) -> None:
        self.out.write("[")

    def rows(self, rows: list[Mapping[str, Any]]) -> None:
        if rows:
            self.out.write("\n" if self.first else ",\n")
            self.out.write(",\n".join(map(_ENCODE, rows)))
            self.first = False

    def finish(self) -> None:
        self.out.write("\n]\n" if not self.first else "]\n")


class _Absent:
    """A key the record does not have (``None`` would be a key sent as null, which flattening keeps)."""

    __slots__ = ()


_ABSENT = _Absent()
_EMPTY: dict[str, Any] = {}
_FIRST = operator.itemgetter(0)
_NESTED = frozenset((dict, _Absent))


def _plain(values: Sequence[Any], kinds: set[type]) -> Sequence[Any]:
    """One column's values as cells: looked at in C, and only a column holding something other than ints,
    empty values and formula-free text goes through ``cell`` value by value (booleans, lists, objects,
    floats, text starting like a formula); ints and ``None`` the csv module writes as ``cell`` would."""
    if kinds <= _AS_IS:
        return values
    if kinds <= _TEXT:
        if _LEADS.isdisjoint(map(_FIRST, filter(None, values))):
            return values
        leads, number = _LEADS, _is_number  # ``cell`` for text, inline (a column of phones: +44 …)
        return [v if not v or v[0] not in leads or number(v) else "'" + v for v in values]
    return list(map(cell, values))


class _Plan:
    """The known columns read straight from records as the server sent them, without flattening each one:
    plain columns by key, dotted ones (``additional_attributes.vip``) from the nested object.

    It is used for a page only when flattening its records could not give anything else: every key of every
    record is a plain column or a nested object's name, each such object is a non-empty object whose keys
    are known and hold no object themselves, and no plain column holds an object. Any other page is
    flattened record by record (new columns, deeper nesting, an object where text was)."""

    def __init__(self, columns: list[str]) -> None:
        plain = [c for c in columns if "." not in c]
        groups: dict[str, list[str]] = {}
        for column in columns:
            if "." in column:
                head, _, rest = column.partition(".")
                groups.setdefault(head, []).append(rest)
        self.usable = not set(plain) & groups.keys()
        self.width = len(plain)
        self.top = plain + list(groups)
        self.defaults = [None] * len(plain) + [_ABSENT] * len(groups)
        self.allowed = frozenset(self.top)
        self.groups = [(frozenset(children), children) for children in groups.values()]
        read = plain + [f"{head}.{child}" for head, children in groups.items() for child in children]
        where = {name: i for i, name in enumerate(read)}
        self.order = [where[c] for c in columns]

    def table(self, rows: list[Mapping[str, Any]]) -> list[Sequence[Any]] | None:
        """The page's cells column by column, in the columns' order; None when the page needs flattening."""
        if not self.usable or not all(map(self.allowed.issuperset, rows)):
            return None
        top, defaults = self.top, self.defaults
        read = list(zip(*[list(map(row.get, top, defaults)) for row in rows], strict=True))
        cells: list[Sequence[Any]] = []
        for values in read[:self.width]:
            kinds = set(map(type, values))
            if dict in kinds:
                return None
            cells.append(_plain(values, kinds))
        for objects, (known, children) in zip(read[self.width:], self.groups, strict=True):
            kinds = set(map(type, objects))
            if not kinds <= _NESTED or not all(objects):  # text or null where an object was, or {}
                return None
            if _Absent in kinds:
                objects = [_EMPTY if o is _ABSENT else o for o in objects]
            if not all(map(known.issuperset, objects)):
                return None
            for child in children:
                values = list(map(dict.get, objects, repeat(child)))
                kinds = set(map(type, values))
                if dict in kinds:
                    return None
                cells.append(_plain(values, kinds))
        return [cells[i] for i in self.order]


class _Csv(_Writer):
    """Columns from the schema, then extra keys in order of first appearance.

    The header is written from the schema and the first page. If a later page brings a new key, its
    column is appended and, at the end, the file is rewritten once (streaming, row by row) with the full
    header and short rows padded, so memory stays constant either way. Records come as the server sent
    them; nested objects become dotted columns here (see ``_Plan`` for the usual page, ``flatten`` else).
    """

    def __init__(self, out: IO[str], columns: list[str]) -> None:
        super().__init__(out)
        self.columns = list(columns)
        self.index = {c: i for i, c in enumerate(self.columns)}
        self.plan = _Plan(self.columns)
        self.header_width = 0
        self.writer = csv.writer(out, lineterminator="\r\n")

    def _learn(self, rows: list[Mapping[str, Any]]) -> None:
        index, width = self.index, len(self.columns)
        for row in rows:
            if row.keys() - index.keys():  # a set difference in C: the usual row has no new key
                for key in row:
                    if key not in index:
                        index[key] = len(self.columns)
                        self.columns.append(key)
        if len(self.columns) != width:
            self.plan = _Plan(self.columns)

    def start(self, first: list[Mapping[str, Any]]) -> None:
        self._learn([flatten(r) for r in first])
        self.writer.writerow(self.columns)
        self.header_width = len(self.columns)

    def rows(self, rows: list[Mapping[str, Any]]) -> None:
        if not rows:
            return
        table = self.plan.table(rows)
        if table is None:
            flat = [flatten(r) for r in rows]
            self._learn(flat)
            columns = self.columns
            table = [_plain(values, set(map(type, values)))
                     for values in zip(*[list(map(row.get, columns)) for row in flat], strict=True)]
        self.writer.writerows(zip(*table, strict=True) if table else [()] * len(rows))  # no columns: empty lines

    @property
    def needs_rewrite(self) -> bool:
        return len(self.columns) != self.header_width

    def rewrite(self, source: Path, target: IO[str]) -> None:
        writer = csv.writer(target, lineterminator="\r\n")
        writer.writerow(self.columns)
        width = len(self.columns)
        with source.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            next(reader, None)  # the old, shorter header
            for row in reader:
                writer.writerow(row + [""] * (width - len(row)))


# -- the export ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    path: Path
    written: int
    scanned: int
    seconds: float
    incomplete: str = ""
    """Why the file holds less than the collection (the server ignores offset), said beside the count."""


def _secret_forms(secrets: Iterable[str]) -> list[str]:
    """Each secret as it would appear in the file: as is, and JSON-escaped (quotes, backslashes)."""
    forms = {form for s in secrets if len(s) >= 4 for form in (s, json.dumps(s, ensure_ascii=False)[1:-1])}
    return sorted(forms, key=len, reverse=True)


def _flush(buffer: io.StringIO, out: IO[str], hidden: list[str]) -> None:
    text = buffer.getvalue()
    for secret in hidden:
        if secret in text:
            text = text.replace(secret, REDACTED)
    out.write(text)
    buffer.seek(0)
    buffer.truncate()


def _temp_beside(path: Path) -> tuple[IO[str], Path]:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    return os.fdopen(fd, "w", encoding="utf-8", newline=""), Path(name)


async def export_collection(
    backend: Backend,
    ref: ResourceRef,
    path: str | os.PathLike[str],
    *,
    fmt: str = "csv",
    filter_text: str | None = None,
    masker: Masker | None = None,
    page_size: int = PAGE_SIZE,
    on_progress: Callable[[Progress], None] | None = None,
    secrets: Sequence[str] | None = None,
) -> ExportResult:
    """Stream every record of ``ref`` (filtered as the explorer would) to ``path``; raises BackendError.

    The filter runs on the server when the adapter can, else over each page as it arrives. On any failure
    or cancellation the temporary file is removed and nothing appears under ``path``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    target = Path(path)
    server_filter = local_filter = None
    if filter_text:
        if backend.filter_spec(ref).server_side:
            server_filter = filter_text
        else:
            local_filter = filter_text
    columns: list[str] = []
    if fmt == "csv":
        try:
            columns = schema_columns(await backend.schema(ref))
        except BackendError:
            columns = []  # no schema: the columns come from the records themselves
    progress = Progress()
    # The connection's own secrets never reach a file, even if a server echoes one into a record; each
    # page is written to memory first and scrubbed as a whole (cheap: a few replaces per page).
    hidden = _secret_forms(backend.settings.secrets() if secrets is None else secrets)
    buffer = io.StringIO()
    out, temp = _temp_beside(target)
    extra: Path | None = None
    ahead: asyncio.Future[Page] | None = None
    try:
        writer: _Writer = (_Csv(buffer, columns) if fmt == "csv" else _JsonLines(buffer) if fmt == "jsonl"
                           else _JsonArray(buffer))
        started = False
        incomplete = ""
        page = await backend.list(ref, PageRequest(limit=page_size, filter=server_filter))
        while True:
            if page.items and page.has_more:
                # The next page is asked for before this one is written, so the server works on it while
                # we flatten and write (one page ahead at most: memory stays two pages).
                ahead = asyncio.ensure_future(backend.list(ref, PageRequest(
                    limit=page_size, offset=page.offset + len(page.items), cursor=page.next_cursor,
                    filter=server_filter)))
                for _ in range(SEND_STEPS):  # let it send its request before the loop is busy writing
                    await asyncio.sleep(0)
            records = page.items
            if page.offset_ignored:
                counted = f" of {page.total:,}" if page.total is not None else ""
                incomplete = (f"the server ignores offset: only its first {page.offset + len(records):,}"
                              f"{counted} records could be read")
            progress.scanned += len(records)
            if page.total is not None:
                progress.total = page.total
            if local_filter:
                records = tuple(r for r in records if matches(r, local_filter))
            rows = [masker.fields(r.fields) if masker is not None else r.fields for r in records]
            if not started:
                writer.start(rows)
                started = True
            for start in range(0, len(rows), CHUNK):
                if start:
                    await asyncio.sleep(0)  # the prefetch (or a repaint) gets a turn within a long page
                writer.rows(rows[start:start + CHUNK])
            _flush(buffer, out, hidden)
            progress.written += len(rows)
            if on_progress is not None:
                on_progress(progress)
            if ahead is None:
                break
            page, ahead = await ahead, None
        writer.finish()
        _flush(buffer, out, hidden)
        out.close()
        if isinstance(writer, _Csv) and writer.needs_rewrite:
            final, extra = _temp_beside(target)
            with final:
                writer.rewrite(temp, final)
            temp.unlink()
            temp, extra = extra, None
        os.replace(temp, target)
    except BaseException:
        if ahead is not None:
            ahead.cancel()
            with contextlib.suppress(BaseException):
                await ahead
        out.close()
        for leftover in (temp, extra):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
        raise
    progress.done = True
    if on_progress is not None:
        on_progress(progress)
    return ExportResult(target, progress.written, progress.scanned, progress.elapsed, incomplete)


def default_name(ref: ResourceRef, fmt: str) -> str:
    """``customers.csv``, ``isp-customers.jsonl``: a file name from the collection."""
    label = ref.label().strip("/") or "export"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in label).strip("-.") or "export"
    return f"{safe}.{fmt}"

