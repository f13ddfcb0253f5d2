"""Tests never touch the developer's own isptui data or config (tests/conftest.py ``private_user_dirs``)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from isptui.config.paths import config_path, data_dir
from isptui.edit.journal import Journal


def test_the_journal_and_config_a_test_sees_are_its_own(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.getbasetemp()
    journal = Journal()
    assert base in journal.path.parents and base in data_dir().parents, journal.path
    assert base in config_path().parents
    assert platformdirs.user_data_path("isptui") not in journal.path.parents
    assert Path(os.environ["ISPTUI_DATA_DIR"]) == data_dir()
