from __future__ import annotations

import json
import stat
from pathlib import Path

from isptui.edit.journal import Journal, changed_fields


def test_journal_file_is_private_and_masks_secrets(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "j" / "journal.jsonl", secrets=("hunter22-secret",),
                      secret_fields=frozenset({"pin"}))
    entry = journal.append(profile="p", backend="krill", kind="update", method="PATCH",
                           url="https://k/api/v2/isp/cpes/1/?token=hunter22-secret", collection="cpes",
                           record_id="1", before={"pppoe_password": "old", "pin": "1234", "note": "a"},
                           after={"pppoe_password": "new", "note": "echo hunter22-secret"})
    text = journal.path.read_text()
    assert "hunter22-secret" not in text and '"old"' not in text and "1234" not in text
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    stored = json.loads(text.splitlines()[0])
    assert stored["before"]["note"] == "a"
    assert stored["after"]["note"] == "echo ***"
    assert journal.get(entry.id) == entry


def test_last_undoable_skips_undone_entries_and_other_profiles(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "journal.jsonl")
    common = {"backend": "splynx", "method": "PUT", "url": "u", "collection": "customers", "record_id": "1",
              "before": {}, "after": {}}
    first = journal.append(profile="a", kind="update", **common)
    second = journal.append(profile="a", kind="update", **common)
    journal.append(profile="b", kind="update", **common)
    assert journal.last_undoable("a") == second
    journal.append(profile="a", kind="update", undo_of=second.id, **common)
    assert journal.last_undoable("a") == first


def test_torn_line_does_not_hide_the_rest(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "journal.jsonl")
    journal.append(profile="a", backend="x", kind="create", method="POST", url="u", collection="c",
                   record_id="1", before=None, after={"id": 1})
    with journal.path.open("a") as handle:
        handle.write('{"id": "torn')
    assert len(journal.entries()) == 1


def test_changed_fields_ignores_string_number_noise() -> None:
    assert changed_fields({"a": "5", "b": None, "c": "x"}, {"a": 5, "b": "", "c": "y"}) == {"c": ("x", "y")}


def test_get_takes_the_full_id_or_an_unambiguous_short_form(tmp_path: Path) -> None:
    journal = Journal(path=tmp_path / "journal.jsonl")
    common = {"profile": "p", "backend": "x", "kind": "update", "method": "PUT", "url": "u",
              "collection": "c", "record_id": "1", "before": {}, "after": {}}
    first = journal.append(id="20261123-aaa111", **common)
    second = journal.append(id="20261123-bbb111", **common)
    assert journal.get(first.id) == first
    assert journal.get("bbb111") == second
    assert journal.get("111") is None  # ends both ids: ambiguous
    assert journal.get("zzz") is None
