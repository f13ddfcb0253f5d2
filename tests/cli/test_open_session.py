"""`isptui open` connects and logs in once: the app is handed the backend the command line connected."""

from __future__ import annotations

from textual.pilot import Pilot

from isptui.cli.connect import settings_for
from isptui.cli.open import open_session
from isptui.config.resolve import profile_for_open
from isptui.http import RequestLog
from isptui.sandbox import create_sandbox
from tests.cli.conftest import open_args


async def test_open_logs_in_once_and_the_explorer_uses_that_connection() -> None:
    sandbox = create_sandbox("krill", customers=20)
    profile = profile_for_open(open_args(backend="krill", url="http://sandbox.local", username="operator",
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
