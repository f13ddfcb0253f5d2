"""`isptui --profile A --profile B`: several profiles open side by side; one that fails keeps its own slot."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from isptui.cli.connect import settings_for
from isptui.cli.main import _run, build_parser
from isptui.cli.open import open_workspace_session
from isptui.config.resolve import profile_for_open
from isptui.http import RequestLog
from isptui.sandbox import create_sandbox
from tests.cli.conftest import open_args


async def test_several_profiles_open_side_by_side_and_a_refused_one_shows_in_its_own_slot() -> None:
    sandbox = create_sandbox("all", customers=20)
    krill = profile_for_open(open_args(backend="krill", url="http://sandbox.local", username="operator",
                                   password="sandbox"), {})
    ispcrm = profile_for_open(open_args(backend="ispcrm", url="http://sandbox.local", token="not-the-token"), {})
    resolved = [(p, settings_for(p, request_log=RequestLog(), transport=sandbox.transport()))
                for p in (krill, ispcrm)]
    seen: dict[str, str] = {}

    async def pilot(pilot: Pilot[object]) -> None:
        app = pilot.app
        for _ in range(100):
            await pilot.pause()
            await app.workers.wait_for_complete()
            if app.slots and all(s.state != "connecting" for s in app.slots.values()):  # type: ignore[attr-defined]
                break
        seen.update({name: slot.state for name, slot in app.slots.items()})  # type: ignore[attr-defined]
        app.exit(0)

    code = await open_workspace_session(resolved, headless=True, auto_pilot=pilot)
    assert code == 0
    assert seen == {krill.name: "open", ispcrm.name: "failed"}


def test_profile_repeats_at_the_top_and_a_subcommand_still_gets_one(monkeypatch: pytest.MonkeyPatch) -> None:
    args = build_parser().parse_args(["--profile", "a", "--profile", "b"])
    assert args.profile == ["a", "b"]
    got: list[object] = []
    monkeypatch.setattr("isptui.cli.config.run", lambda a: got.append(a.profile) or 0)
    _run(build_parser().parse_args(["--profile", "a", "--profile", "b", "config", "path"]))
    assert got == ["b"]
