"""The local write journal: every write the server accepted, with before- and after-images, for review and undo.

An SQLite database (stdlib ``sqlite3``, WAL) in the platformdirs data dir, created with mode 0600. Each entry
is one row inserted in one transaction, so two isptui processes can write at once and a crash cannot leave a
torn entry. An undo is a new entry that names the one it undoes, so the history stays honest. Each entry
records where the write went (backend, profile, origin) and the method and URL actually sent.

Secrets are masked before writing: fields the schema marks secret, fields named like passwords, and any
literal secret of the connection. A JSON-lines journal from earlier versions (``journal.jsonl`` beside the
database) is imported once; a damaged line in it is skipped with a warning naming the line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from isptui.config.paths import data_dir
from isptui.http.redact import Redactor

MASK = "***"
DB_NAME = "journal.sqlite3"
LEGACY_NAME = "journal.jsonl"
_SECRET_NAME = re.compile(r"(pass(word|wd)?|psw|secret|token|api_?key|signature|pppoe_password|wifi_password)",
                          re.IGNORECASE)
_JSON_COLUMNS = ("before", "after", "sent")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    time REAL NOT NULL,
    profile TEXT NOT NULL,
    backend TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    collection TEXT,
    record_id TEXT,
    before TEXT,
    after TEXT,
    sent TEXT,
    status TEXT NOT NULL DEFAULT 'ok',
    undo_of TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS entries_time ON entries (time);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class JournalEntry:
    """One write as it happened. ``kind`` is create, update, delete or action.

    ``origin`` is ``scheme://host[:port]`` of the server written to; ``method`` and ``url`` are those of the
    request actually sent (URL secrets masked); ``sent`` is the body sent (secrets masked).
    """

    id: str
    time: float
    profile: str
    backend: str
    kind: str
    method: str
    url: str
    collection: str | None
    record_id: str | None
    before: Any
    after: Any
    status: str = "ok"
    undo_of: str | None = None
    note: str = ""
    origin: str = ""
    sent: Any = None

    def summary(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.time))
        target = f"{self.collection}/{self.record_id}" if self.collection else self.url
        undo = f" (undoes {self.undo_of})" if self.undo_of else ""
        return f"{self.id}  {when}  {self.backend}  {self.profile}  {self.kind:<6} {self.method} {target}{undo}"


_FIELDS = tuple(f.name for f in fields(JournalEntry))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lowercased: what undo compares to refuse another server."""
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://(?:[^@/?#]*@)?([^/?#]*)", url or "")
    if not match:
        return ""
    return f"{match.group(1).lower()}://{match.group(2).lower()}"


@dataclass
class Journal:
    """The journal database; ``secrets`` are literal values to mask wherever they appear.

    ``path`` is the SQLite file. Given a ``*.jsonl`` path (older callers), the database goes beside it and
    that file is the JSON-lines journal to import.
    """

    path: Path = field(default_factory=lambda: data_dir() / DB_NAME)
    secrets: tuple[str, ...] = ()
    secret_fields: frozenset[str] = frozenset()
    legacy: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if self.path.suffix == ".jsonl":
            self.legacy = self.legacy or self.path
            self.path = self.path.with_name(self.path.stem + ".sqlite3")
        if self.legacy is None:
            self.legacy = self.path.with_name(LEGACY_NAME)
        self._ready = False

    # -- storage ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection per operation (cheap, and safe across threads and processes)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Created 0600 before SQLite opens it: entries hold customer data. WAL/SHM files follow its mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        conn = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        try:
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                self._import_legacy(conn)
                self._ready = True
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.chmod(f"{self.path}{suffix}", 0o600)  # an older file may be wider
            yield conn
        finally:
            conn.close()

    def _import_legacy(self, conn: sqlite3.Connection) -> None:
        """Copy a JSON-lines journal in, once; damaged lines are skipped and named in ``warnings``."""
        legacy = self.legacy
        if legacy is None or not legacy.exists():
            return
        conn.execute("BEGIN IMMEDIATE")  # two processes starting at once import it only once
        try:
            key = f"imported:{legacy.resolve()}"
            if conn.execute("SELECT 1 FROM meta WHERE key = ?", (key,)).fetchone():
                conn.execute("COMMIT")
                return
            lines = legacy.read_text(encoding="utf-8", errors="replace").splitlines()
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    entry = JournalEntry(**{k: v for k, v in data.items() if k in _FIELDS})
                except (ValueError, TypeError):
                    self.warnings.append(f"{legacy.name} line {number} is damaged and was not imported")
                    continue
                self._insert(conn, entry, ignore=True)
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, str(time.time())))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _insert(conn: sqlite3.Connection, entry: JournalEntry, *, ignore: bool = False) -> None:
        row = asdict(entry)
        for name in _JSON_COLUMNS:
            row[name] = json.dumps(row[name], ensure_ascii=False, default=str)
        names = ", ".join(_FIELDS)
        marks = ", ".join(f":{n}" for n in _FIELDS)
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        conn.execute(f"{verb} INTO entries ({names}) VALUES ({marks})", row)

    @staticmethod
    def _entry(row: sqlite3.Row | tuple[Any, ...]) -> JournalEntry:
        data = dict(zip(_FIELDS, row, strict=True))
        for name in _JSON_COLUMNS:
            data[name] = json.loads(data[name]) if data[name] is not None else None
        return JournalEntry(**data)

    # -- writing ---------------------------------------------------------------------------------
    def new_id(self) -> str:
        return time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]

    def append(self, **values: Any) -> JournalEntry:
        """Mask, insert one entry atomically, return it as stored. Raises OSError/sqlite3.Error on failure."""
        values.setdefault("id", self.new_id())
        values.setdefault("time", time.time())
        for name in _JSON_COLUMNS:
            values[name] = self.mask(values.get(name))
        # Redactor.url keeps the host readable (a password "sandbox" must not turn http://sandbox.local into
        # http://***.local) and still masks the secret in userinfo, path and query.
        values["url"] = Redactor(self.secrets).url(values.get("url", ""))
        entry = JournalEntry(**values)
        with self._db() as conn:
            self._insert(conn, entry)
        return entry

    # -- reading ---------------------------------------------------------------------------------
    def entries(self, *, backend: str | None = None, profile: str | None = None,
                since: float | None = None) -> list[JournalEntry]:
        """Entries oldest first, optionally only one backend's, one profile's, or those from ``since`` on."""
        where, args = [], []
        for column, value in (("backend", backend), ("profile", profile)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("time >= ?")
            args.append(since)
        sql = f"SELECT {', '.join(_FIELDS)} FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._db() as conn:
            rows = conn.execute(sql + " ORDER BY time, seq", args).fetchall()
        return [self._entry(row) for row in rows]

    def get(self, entry_id: str) -> JournalEntry | None:
        """The entry with this id, or the only one whose id ends with it (a short form); else None."""
        with self._db() as conn:
            row = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM entries WHERE id = ?", (entry_id,)).fetchone()
            if row is not None:
                return self._entry(row)
            pattern = "%" + entry_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM entries WHERE id LIKE ? ESCAPE '\\'",
                                (pattern,)).fetchall()
        return self._entry(rows[0]) if len(rows) == 1 else None

    def undone_ids(self) -> set[str]:
        with self._db() as conn:
            return {row[0] for row in conn.execute("SELECT undo_of FROM entries WHERE undo_of IS NOT NULL")}

    def last_undoable(self, profile: str, since: float = 0.0) -> JournalEntry | None:
        """The latest write of this profile (in this session, when ``since`` is its start) not yet undone."""
        undone = self.undone_ids()
        for entry in reversed(self.entries(profile=profile, since=since)):
            if not entry.undo_of and entry.id not in undone:
                return entry
        return None

    def stored_text(self) -> str:
        """Every byte on disk (database and write-ahead log) as text: for audits that nothing unmasked is kept."""
        parts = []
        for suffix in ("", "-wal"):
            with contextlib.suppress(FileNotFoundError):
                parts.append(Path(f"{self.path}{suffix}").read_bytes().decode("utf-8", errors="replace"))
        return "\n".join(parts)

    # -- masking ---------------------------------------------------------------------------------
    def mask(self, value: Any, key: str | None = None) -> Any:
        if key is not None and (key in self.secret_fields or _SECRET_NAME.search(key)):
            return MASK if value not in (None, "") else value
        if isinstance(value, dict):
            return {k: self.mask(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask(v) for v in value]
        if isinstance(value, str):
            return self._mask_text(value)
        return value

    def _mask_text(self, text: str) -> str:
        for secret in self.secrets:
            if secret and len(secret) >= 4:
                text = text.replace(secret, MASK)
        return text


def changed_fields(before: dict[str, Any], after: dict[str, Any], names: Iterable[str] | None = None
                   ) -> dict[str, tuple[Any, Any]]:
    """Field -> (before, after) for every field whose value differs (string-equal numbers count as same)."""
    keys = list(names) if names is not None else list(dict.fromkeys([*before, *after]))
    return {k: (before.get(k), after.get(k)) for k in keys if not same_value(before.get(k), after.get(k))}


def same_value(a: Any, b: Any) -> bool:
    """Equal, treating "5" and 5, "1.50" and 1.5, and None and "" as the same (APIs mix them).

    Strings that are not numbers compare exactly: a TAB is not a space, ``\\r\\n`` is not ``\\n``.
    """
    if a == b:
        return True
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (dict, list, bool)) or isinstance(b, (dict, list, bool)):
        return str(a).lower() == str(b).lower() and not isinstance(a, (dict, list))
    try:
        return float(str(a)) == float(str(b))
    except ValueError:
        return False
