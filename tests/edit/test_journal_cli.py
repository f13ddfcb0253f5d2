"""``isptui journal list`` filters and the one-time JSONL import warning, run in-process."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from isptui.cli import journal as cli
from isptui.cli.errors import CliError
from isptui.edit.journal import Journal


def _args(**kw: object) -> argparse.Namespace:
    base = {"action": "list", "id": None, "backend": None, "profile": None, "since": None, "yes": False}
    return argparse.Namespace(**{**base, **kw})


def test_list_filters_by_backend_profile_and_since(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(tmp_path))
    (tmp_path / "journal.jsonl").write_text('{"id": "torn\n')
    journal = Journal(path=tmp_path / "journal.sqlite3")
    common = {"kind": "update", "method": "PATCH", "url": "u", "collection": "c", "record_id": "1",
              "before": {}, "after": {"n": "a\x1b[2J"}}
    journal.append(id="old-1", profile="lab", backend="krill", time=1000.0, **common)
    journal.append(id="new-2", profile="prod", backend="splynx", **common)
    capsys.readouterr()
    assert cli.run(_args(backend="krill")) == 0
    out = capsys.readouterr().out
    assert "old-1" in out and "new-2" not in out
    assert cli.run(_args(profile="prod", since="2h")) == 0
    out = capsys.readouterr().out
    assert "new-2" in out and "old-1" not in out
    assert cli.run(_args(action="show", id="old-1")) == 0
    assert "\x1b" not in capsys.readouterr().out  # server text is escaped on the terminal
    with pytest.raises(CliError, match="not a date"):
        cli.run(_args(since="yesterday"))


def test_the_damaged_jsonl_line_is_named_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(tmp_path))
    (tmp_path / "journal.jsonl").write_text('{"id": "torn\n')
    assert cli.run(_args()) == 0
    assert "journal.jsonl line 1 is damaged" in capsys.readouterr().err
    assert cli.run(_args()) == 0
    assert "damaged" not in capsys.readouterr().err
