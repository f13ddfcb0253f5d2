"""Keys are remappable from config.toml's [keys] table, and the remapped key is what help shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from isptui.config.errors import ConfigError
from isptui.config.file import load_file
from isptui.config.keys import load_keymap
from isptui.sandbox import create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.launch import demo_profiles
from isptui.ui.screens.dialogs import HelpScreen
from isptui.ui.screens.explorer import ExplorerScreen
from tests.ui.conftest import SIZE, settle
from tests.ui.screen_text import screen_text


def test_keys_table_becomes_a_keymap(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[keys]\nhelp = "f1"\ntoggle_log = "L"\n', encoding="utf-8")
    assert load_keymap(cfg) == {"isptui.help": "f1", "isptui.toggle_log": "L"}


@pytest.mark.parametrize(("body", "key"), [('[keys]\nfly = "f"\n', "keys.fly"), ('[keys]\nhelp = ""\n', "keys.help")])
def test_bad_keys_are_reported_with_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"key '{key}'"):
        load_file(cfg)


async def test_a_remapped_key_works_and_help_lists_it() -> None:
    sandbox = create_sandbox("all", customers=20)
    profiles = demo_profiles(sandbox, ("krill",))
    app = IspApp(profiles, start=profiles[0].name, show_latency=False, keymap={"isptui.help": "f1"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)  # the old key no longer opens help
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "f1" in screen_text(app).lower()
