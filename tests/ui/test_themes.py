"""Themes: the shipped ones, user theme files next to config.toml, NO_COLOR, and the palette's theme switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from isptui.ui.theming import load_themes, user_themes_dir
from isptui.ui.widgets.record_table import RecordTable
from tests.ui.conftest import SIZE, settle
from tests.ui.screen_text import screen_text
from tests.ui.test_explorer import goto

SHIPPED = {"isptui-dark", "isptui-light", "isptui-ansi", "isptui-high-contrast"}


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private config folder (``ISPTUI_CONFIG`` points into it), so the user's real one is never read."""
    monkeypatch.setenv("ISPTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("ISPTUI_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def write_theme(folder: Path, name: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")


def test_user_theme_folder_sits_next_to_the_config_file(config_dir: Path) -> None:
    assert user_themes_dir() == config_dir / "themes"


def test_user_themes_are_loaded_and_may_replace_a_shipped_one(config_dir: Path) -> None:
    write_theme(config_dir / "themes", "noc.toml", 'name = "noc-green"\nbase = "textual-dark"\nprimary = "#00AA00"\n')
    write_theme(config_dir / "themes", "light.toml", 'name = "isptui-light"\nprimary = "#123456"\n')
    themes, problems = load_themes()
    by_name = {t.name: t for t in themes}
    assert set(by_name) >= SHIPPED
    assert by_name["noc-green"].primary == "#00AA00"
    assert by_name["isptui-light"].primary == "#123456", "the user's file should win over the shipped one"
    assert problems == []


async def test_a_broken_user_theme_is_reported_and_skipped(config_dir: Path, memory_app) -> None:  # type: ignore[no-untyped-def]
    write_theme(config_dir / "themes", "broken.toml", 'name = "broken"\ncolour = "red"\n')
    write_theme(config_dir / "themes", "unparsable.toml", "name = \n")
    app, _ = memory_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "broken" not in app.available_themes
        messages = [n.message for n in app._notifications]
        assert any("broken.toml" in m and "colour" in m for m in messages), messages
        assert any("unparsable.toml" in m for m in messages), messages
        assert app.theme == "isptui-dark"


async def test_isptui_theme_picks_a_user_theme(config_dir: Path, memory_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_theme(config_dir / "themes", "noc.toml", 'name = "noc-green"\nbase = "textual-dark"\nprimary = "#00AA00"\n')
    monkeypatch.setenv("ISPTUI_THEME", "noc-green")
    app, _ = memory_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "noc-green"


async def test_no_color_strips_colour_and_keeps_the_cursor_visible(config_dir: Path, memory_app,  # type: ignore[no-untyped-def]
                                                                   monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app, _ = memory_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Native ANSI mode makes Textual drop colours (rather than greying an ANSI theme to black on black).
        assert app.no_color and app.native_ansi_color
        await goto(pilot, "customers")
        table = app.screen.query_one(RecordTable)
        assert table.get_component_rich_style("record-table--cursor").reverse, "the cursor row must stand out"


async def test_command_palette_switches_theme(config_dir: Path, memory_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = memory_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"isptui-light")
        await settle(pilot)
        assert "isptui-light" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "isptui-light"
