"""`isptui open` connects and logs in once: the app is handed the backend the command line connected."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from textual.pilot import Pilot

from isptui.cli.connect import settings_for
from isptui.cli.open import open_session
from isptui.config.resolve import profile_for_open
from isptui.http import RequestLog
from isptui.sandbox import create_sandbox


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISPTUI_CONFIG", str(tmp_path / "config.toml"))


def _args(**values: str) -> argparse.Namespace:
    base = dict.fromkeys(("api_key", "api_secret", "splynx_auth", "username", "password", "api_token",
                          "context", "token", "ca_bundle", "timeout"))
    return argparse.Namespace(**{**base, **values}, read_only=False, insecure=False)


async def test_open_logs_in_once_and_the_explorer_uses_that_connection() -> None:
    sandbox = create_sandbox("krill", customers=20)
    profile = profile_for_open(_args(backend="krill", url="http://sandbox.local", username="operator",
                                     password="sandbox"), {})
    settings = settings_for(profile, request_log=RequestLog(), transport=sandbox.transport())
    seen: list[str] = []

    async def pilot(pilot: Pilot[object]) -> None:
        for _ in range(50):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            if type(pilot.app.screen).__name__ == "ExplorerScreen":
                break
        seen.append(type(pilot.app.screen).__name__)
        pilot.app.exit(0)

    code = await open_session(profile, settings, headless=True, auto_pilot=pilot)
    assert code == 0
    assert seen == ["ExplorerScreen"]
    logins = [r for r in sandbox.received if r.method == "POST" and r.path.endswith("/auth/login/")]
    assert len(logins) == 1, [f"{r.method} {r.path}" for r in sandbox.received]
