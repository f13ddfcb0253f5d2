"""The local write journal: every successful write, with before- and after-images, for review and undo.

JSON lines in the platformdirs data dir, created with mode 0600 and only ever appended to. An undo is a new
entry that names the one it undoes, so the file stays an honest history. Secrets are masked before writing:
fields the schema marks secret, fields named like passwords, and any literal secret of the connection.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from isptui.config.paths import data_dir
from isptui.http.redact import Redactor

MASK = "***"
_SECRET_NAME = re.compile(r"(pass(word|wd)?|psw|secret|token|api_?key|signature|pppoe_password|wifi_password)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class JournalEntry:
    """One write as it happened. ``kind`` is create, update, delete or action."""

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

    def summary(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.time))
        target = f"{self.collection}/{self.record_id}" if self.collection else self.url
        undo = f" (undoes {self.undo_of})" if self.undo_of else ""
        return f"{self.id}  {when}  {self.profile}  {self.kind:<6} {target}{undo}"


@dataclass
class Journal:
    """Append-only journal file; ``secrets`` are literal values to mask wherever they appear."""

    path: Path = field(default_factory=lambda: data_dir() / "journal.jsonl")
    secrets: tuple[str, ...] = ()
    secret_fields: frozenset[str] = frozenset()

    def new_id(self) -> str:
        return time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]

    def append(self, **values: Any) -> JournalEntry:
        """Mask, write one line (0600), return the entry as stored."""
        values.setdefault("id", self.new_id())
        values.setdefault("time", time.time())
        values["before"] = self.mask(values.get("before"))
        values["after"] = self.mask(values.get("after"))
        # Redactor.url keeps the host readable (a password "sandbox" must not turn http://sandbox.local into
        # http://***.local) and still masks the secret in userinfo, path and query.
        values["url"] = Redactor(self.secrets).url(values.get("url", ""))
        entry = JournalEntry(**values)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(entry), ensure_ascii=False, default=str) + "\n")
        os.chmod(self.path, 0o600)  # an older file created by hand may be wider
        return entry

    def entries(self) -> list[JournalEntry]:
        return list(self._read())

    def _read(self) -> Iterator[JournalEntry]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                data = json.loads(line)
                yield JournalEntry(**data)
            except (ValueError, TypeError):
                continue  # a torn last line after a crash must not hide the rest

    def get(self, entry_id: str) -> JournalEntry | None:
        """The entry with this id, or the only one whose id ends with it (a short form); else None."""
        entries = self.entries()
        exact = [e for e in entries if e.id == entry_id]
        if exact:
            return exact[-1]
        suffix = [e for e in entries if e.id.endswith(entry_id)]
        return suffix[0] if len(suffix) == 1 else None

    def undone_ids(self) -> set[str]:
        return {e.undo_of for e in self._read() if e.undo_of}

    def last_undoable(self, profile: str, since: float = 0.0) -> JournalEntry | None:
        """The latest write of this profile (in this session, when ``since`` is its start) not yet undone."""
        undone = self.undone_ids()
        for entry in reversed(self.entries()):
            if entry.profile == profile and entry.time >= since and not entry.undo_of and entry.id not in undone:
                return entry
        return None

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
    """Equal, treating "5" and 5, "1.50" and 1.5, and None and "" as the same (APIs mix them)."""
    if a == b:
        return True
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    try:
        return float(str(a)) == float(str(b))
    except ValueError:
        return str(a) == str(b)
