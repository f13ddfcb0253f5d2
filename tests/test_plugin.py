"""A sixth backend from a plug-in package (tests/plugin) shows up everywhere a built-in one does.

The package is installed the way a wheel would be: its folder, holding the module and a dist-info with an
``isptui.backends`` entry point, goes on the path — for the whole test run (pyproject's pytest ``pythonpath``),
so the contract battery (tests/backends/test_contract.py) runs on it too. Nothing outside tests/plugin names
the backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from isptui.backends import registry
from isptui.backends.base import BackendSettings, load_backend
from isptui.cli.connect import settings_for
from isptui.config.errors import ConfigError
from isptui.config.file import env_profiles, load_file
from isptui.model import ResourceRef
from isptui.ui.app import IspApp
from isptui.ui.launch import config_profiles, profile_entry
from tests.ui.conftest import settle
from tests.ui.screen_text import screen_text

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "tests" / "plugin"


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("ISPTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.syspath_prepend(str(PLUGIN))
    registry.clear()
    yield
    registry.clear()


def _echo_app() -> httpx.ASGITransport:
    from isptui_echo.server import app  # on the path only while the plugin fixture runs

    return httpx.ASGITransport(app=app)


def test_without_the_plugin_there_is_no_echo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "path", [p for p in sys.path if Path(p).resolve() != PLUGIN])
    registry.clear()
    try:
        assert "echo" not in registry.names()
        cfg = tmp_path / "config.toml"
        cfg.write_text('[profiles.e]\nbackend = "echo"\nurl = "http://echo.test"\n')
        with pytest.raises(ConfigError, match="unknown backend 'echo'"):
            load_file(cfg)
    finally:
        monkeypatch.undo()
        registry.clear()  # the plug-in is back for the rest of the run


def test_the_plugin_is_installed_for_the_run() -> None:
    assert "echo" in registry.names()


def test_open_help_lists_the_backend_and_its_flag() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PLUGIN), str(ROOT)])}
    out = subprocess.run([sys.executable, "-m", "isptui", "open", "--help"], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=60, check=True).stdout
    flat = " ".join(out.split())
    assert "{splynx,krill,ispcrm,trisul,carbon,echo}" in flat and "echo: Echo Billing" in flat
    assert "--echo-key ECHO_KEY Echo API key (echo, env ECHO_KEY)" in flat


def test_config_validates_the_plugin_backend_and_its_keys(plugin: None, tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[profiles.e]\nbackend = "echo"\nurl = "http://echo.test"\necho_key = "env:ECHO_KEY"\n')
    assert load_file(cfg)["e"].credentials == {"echo_key": "env:ECHO_KEY"}
    cfg.write_text('[profiles.e]\nbackend = "echo"\nurl = "http://echo.test"\napi_key = "x"\n')
    with pytest.raises(ConfigError, match="key 'api_key': unknown key"):
        load_file(cfg)
    profile = env_profiles({"ECHO_URL": "http://echo.test", "ECHO_KEY": "k-1234"})["env-echo"]
    assert settings_for(profile).secrets() == ["k-1234"]


async def test_the_adapter_lists_and_reads_through_the_shared_plumbing(plugin: None) -> None:
    settings = BackendSettings(url="http://echo.test", credentials={"echo_key": "echo-key-123"},
                               transport=_echo_app(), read_only=True, retries=0)
    async with load_backend("echo")(settings) as echo:
        page = await echo.list(ResourceRef(collection="parrots"))
        record = await echo.get(ResourceRef(collection="parrots", id="7"))
    assert page.total == 30 and record.title == "Parrot 7"  # read-only still logs in: a declared auth call


async def test_the_picker_shows_the_plugin_profile_and_opens_it(plugin: None, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[profiles.parrots]\nbackend = "echo"\nurl = "http://echo.test"\n'
                                          'echo_key = "env:ECHO_KEY"\n')
    os.environ["ECHO_KEY"] = "echo-key-123"
    try:
        [configured] = config_profiles()
        profile = load_file(tmp_path / "config.toml")["parrots"]
        entry = profile_entry(profile, settings_for(profile, transport=_echo_app()))
    finally:
        del os.environ["ECHO_KEY"]
    assert (configured.name, configured.backend_name) == ("parrots", "echo")
    app = IspApp([entry])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        table = screen_text(app)
    assert "▶ Parrots" in tree and "Echo Billing" in tree, tree
    assert "Parrot 1" in table and "Parrot 2" in table, table
