"""The SQLite journal: private file, masking, filters, the one-time JSONL import, two processes at once."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import stat
from pathlib import Path

from isptui.edit.journal import Journal, changed_fields, origin_of

COMMON = {"backend": "splynx", "method": "PUT", "url": "u", "collection": "customers", "record_id": "1",
          "before": {}, "after": {}}


def _raw(journal: Journal) -> str:
    with sqlite3.connect(journal.path) as conn:
        return json.dumps(conn.execute("SELECT * FROM entries").fetchall())


def test_journal_file_is_private_wal_and_masks_secrets(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "j" / "journal.sqlite3", secrets=("hunter22-secret",),
                      secret_fields=frozenset({"pin"}))
    entry = journal.append(profile="p", backend="krill", kind="update", method="PATCH",
                           url="https://k/api/v2/isp/cpes/1/?token=hunter22-secret", collection="cpes",
                           record_id="1", before={"pppoe_password": "old", "pin": "1234", "note": "a"},
                           after={"pppoe_password": "new", "note": "echo hunter22-secret"})
    text = _raw(journal)
    assert "hunter22-secret" not in text and '"old"' not in text and "1234" not in text
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    with sqlite3.connect(journal.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    stored = journal.get(entry.id)
    assert stored == entry
    assert stored is not None and stored.before["note"] == "a" and stored.after["note"] == "echo ***"


def test_last_undoable_skips_undone_entries_and_other_profiles(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "journal.sqlite3")
    first = journal.append(profile="a", kind="update", **COMMON)
    second = journal.append(profile="a", kind="update", **COMMON)
    journal.append(profile="b", kind="update", **COMMON)
    assert journal.last_undoable("a") == second
    journal.append(profile="a", kind="update", undo_of=second.id, **COMMON)
    assert journal.last_undoable("a") == first


def test_filters_by_backend_profile_and_since(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "journal.sqlite3")
    old = journal.append(profile="a", kind="update", time=1000.0, **COMMON)
    new = journal.append(profile="b", kind="update", time=2000.0, **{**COMMON, "backend": "krill"})
    assert journal.entries(backend="krill") == [new]
    assert journal.entries(profile="a") == [old]
    assert journal.entries(since=1500.0) == [new]
    assert journal.entries() == [old, new]


def test_jsonl_journal_is_imported_once_and_a_damaged_line_is_named(tmp_path: Path) -> None:
    legacy = tmp_path / "journal.jsonl"
    good = {"id": "20261101000000-aaaaaa", "time": 1.0, "profile": "p", "kind": "update", **COMMON}
    legacy.write_text(json.dumps(good) + "\n" + '{"id": "torn\n' + json.dumps({**good, "id": "x-2"}) + "\n")
    journal = Journal(path=tmp_path / "journal.sqlite3")
    assert [e.id for e in journal.entries()] == ["20261101000000-aaaaaa", "x-2"]
    assert journal.warnings == ["journal.jsonl line 2 is damaged and was not imported"]
    again = Journal(path=tmp_path / "journal.sqlite3")
    assert len(again.entries()) == 2 and again.warnings == []  # imported once, not twice


def test_changed_fields_ignores_number_noise_but_not_whitespace() -> None:
    assert changed_fields({"a": "5", "b": None, "c": "x"}, {"a": 5, "b": "", "c": "y"}) == {"c": ("x", "y")}
    assert changed_fields({"n": "a\tb"}, {"n": "a b"}) == {"n": ("a\tb", "a b")}
    assert changed_fields({"n": "a\r\nb"}, {"n": "a\nb"}) == {"n": ("a\r\nb", "a\nb")}


def test_get_takes_the_full_id_or_an_unambiguous_short_form(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "journal.sqlite3")
    first = journal.append(id="20261123-aaa111", profile="p", kind="update", **COMMON)
    second = journal.append(id="20261123-bbb111", profile="p", kind="update", **COMMON)
    assert journal.get(first.id) == first
    assert journal.get("bbb111") == second
    assert journal.get("111") is None  # ends both ids: ambiguous
    assert journal.get("zzz") is None
    assert journal.get("%") is None  # LIKE wildcards are literal


def test_origin_is_scheme_host_and_port_without_credentials() -> None:
    assert origin_of("https://user:pw@Billing.Example:8443/api/2.0/x?y=1") == "https://billing.example:8443"
    assert origin_of("not a url") == ""


def _write_forty(path: str, profile: str) -> None:
    journal = Journal(path=Path(path))
    for n in range(40):
        journal.append(profile=profile, backend="x", kind="update", method="PATCH", url="u",
                       collection="c", record_id=str(n), before={"n": n}, after={"n": n + 1})


def test_two_processes_write_at_once_without_losing_or_tearing_entries(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path=path).entries()  # created (and WAL set) before the race, as a running isptui would have
    context = multiprocessing.get_context("fork")  # forked: no second interpreter start-up to wait for
    procs = [context.Process(target=_write_forty, args=(str(path), name)) for name in ("one", "two")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    entries = Journal(path=path).entries()
    assert len(entries) == 80 and len({e.id for e in entries}) == 80
    assert {e.profile for e in entries} == {"one", "two"}
