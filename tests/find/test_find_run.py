"""find_everywhere streams per connection (a hanging server never holds back the others) and ``isptui find``
prints the grouping: subscriber N in all five demo systems as one person, the near-misses kept apart."""

from __future__ import annotations

import asyncio
import io
import json
import time
from typing import Any

import pytest

from isptui.backends import registry
from isptui.backends.base import BackendSettings, load_backend
from isptui.cli.find import write_table
from isptui.cli.main import main
from isptui.find.group import Hit, group
from isptui.find.run import ConnectionResult, find_everywhere
from isptui.sandbox import create_sandbox
from isptui.sandbox.dataset import CISCO_MAC_ON_KRILL, SHARED_PHONE, subscriber
from tests.backends.conftest import CASES


class Hanging:
    """An ASGI app that passes requests to ``app`` until ``hang`` is set, then never answers."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hang = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.hang and scope["type"] == "http":
            await asyncio.Event().wait()
        await self.app(scope, receive, send)


async def test_a_hanging_connection_does_not_delay_the_others() -> None:
    import httpx

    sandbox = create_sandbox("all", customers=60)
    hanging = Hanging(sandbox.app)
    conns = {}
    for name in ("splynx", "trisul", "ispcrm"):
        app = hanging if name == "ispcrm" else sandbox.app
        settings = BackendSettings(url="http://sandbox.local", credentials=CASES[name].credentials,
                                   transport=httpx.ASGITransport(app=app), retries=0)
        conns[name] = load_backend(name)(settings)
        await conns[name].connect()
    hanging.hang = True  # connected; from now on the ISPCRM server never answers
    start = time.perf_counter()
    arrived: list[tuple[str, str, float]] = []
    try:
        async for result in find_everywhere(conns, subscriber(1, 42).email, timeout=1.0):
            arrived.append((result.connection, result.state, time.perf_counter() - start))
    finally:
        for backend in conns.values():
            await backend.close()
    assert [(c, s) for c, s, _ in arrived[:2]] in ([("splynx", "found"), ("trisul", "found")],
                                                   [("trisul", "found"), ("splynx", "found")])
    assert max(t for _, _, t in arrived[:2]) < 0.9  # well before the hanging one gives up
    assert arrived[2][:2] == ("ispcrm", "timeout") and arrived[2][2] >= 1.0


def _find(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["find", *args, "--demo", "--format", "jsonl"])
    out = capsys.readouterr().out
    return code, [json.loads(row) for row in out.splitlines()]


def test_find_42_in_the_demo_is_one_subscriber_in_all_five_systems(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = _find(capsys, "42")
    subs = [r for r in rows if "subscriber" in r]
    status = {r["connection"]: r["state"] for r in rows if "state" in r}
    assert code == 0
    assert len(subs) == 1
    assert subs[0]["connections"] == ["demo-carbon", "demo-ispcrm", "demo-krill", "demo-splynx", "demo-trisul"]
    sub = subscriber(1, 42)
    assert subs[0]["shared"]["login"] == sub.login and subs[0]["shared"]["email"] == sub.email
    assert status == dict.fromkeys(["demo-splynx", "demo-krill", "demo-ispcrm", "demo-trisul", "demo-carbon"],
                                   "found")


@pytest.mark.parametrize("key", ["email", "mac", "ipv4"])
def test_subscriber_42_by_email_mac_or_ip_is_one_person_in_all_five(capsys: pytest.CaptureFixture[str],
                                                                     key: str) -> None:
    """No system can search every kind (Krill has no e-mail filter, Trisul no IP or MAC): those are asked
    by the keys the other systems' records carry (the login, the e-mail), and say which one found them."""
    sub = subscriber(1, 42)
    code, rows = _find(capsys, getattr(sub, key))
    subs = [r for r in rows if "subscriber" in r]
    status = {r["connection"]: r for r in rows if "state" in r}
    assert code == 0 and len(subs) == 1
    assert subs[0]["connections"] == ["demo-carbon", "demo-ispcrm", "demo-krill", "demo-splynx", "demo-trisul"]
    assert subs[0]["shared"]["login"] == sub.login
    assert {name: r["state"] for name, r in status.items()} == dict.fromkeys(status, "found") and len(status) == 5
    assert any(r["message"].startswith("via ") for r in status.values())


def test_a_shared_phone_is_two_people(capsys: pytest.CaptureFixture[str]) -> None:
    (other, one), = SHARED_PHONE.items()
    code, rows = _find(capsys, subscriber(1, one).phone)
    subs = [r for r in rows if "subscriber" in r]
    assert code == 0
    logins = sorted(s["shared"]["login"] for s in subs)
    assert logins == sorted([subscriber(1, one).login, subscriber(1, other).login])  # found both, not joined


def test_a_mac_in_cisco_notation_on_krill_still_joins(capsys: pytest.CaptureFixture[str]) -> None:
    sub = subscriber(1, CISCO_MAC_ON_KRILL)
    code, rows = _find(capsys, sub.login)
    subs = [r for r in rows if "subscriber" in r]
    assert code == 0 and len(subs) == 1
    krill = next(h for h in subs[0]["hits"] if h["connection"] == "demo-krill")
    assert krill["keys"]["mac"] == sub.mac.replace(":", "")[:4] + "." + sub.mac.replace(":", "")[4:8] + "." \
        + sub.mac.replace(":", "")[8:]
    assert subs[0]["shared"]["mac"] == sub.mac


def test_subscriber_42_by_surname_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    sub = subscriber(1, 42)
    code, rows = _find(capsys, sub.last_name)
    assert code == 0
    groups = [r for r in rows if "subscriber" in r]
    status = {r["connection"]: r for r in rows if "state" in r}
    assert {s["state"] for s in status.values()} == {"found"}, status
    # 42 is among the people of that surname, in every system (Krill by its customer record).
    mine = [g for g in groups if any(h["keys"].get("login") == sub.login for h in g["hits"])]
    assert len(mine) == 1 and {"demo-splynx", "demo-ispcrm", "demo-trisul", "demo-carbon"} <= set(mine[0]["connections"])
    assert any(h["connection"] == "demo-krill" and h["record_id"] == "42" for g in groups for h in g["hits"])
    # A name joins nobody: each person of that surname is a subscriber of their own.
    assert len(groups) > 1 and all(sub.last_name in h["keys"]["name"] for g in groups for h in g["hits"])


def test_nothing_found_exits_1_and_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", "nobody-at-all", "--demo"]) == 1
    assert "No subscriber found." in capsys.readouterr().out
    assert main(["find", "42"]) == 2
    assert "--demo" in capsys.readouterr().err


def test_table_shows_server_text_sanitised() -> None:
    hit = Hit("c1", "customers", "1", "Eve\x1b[31m red\x07", {"login": "eve\x1b]0;x\x07"})
    out = io.StringIO()
    write_table(out, group([hit]), [ConnectionResult("c1", "failed", (hit,), 0.1, "boom")])
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert "Eve\\x1b[31m red" in text and "c1  failed" in text


def test_readme_find_table_is_the_descriptors() -> None:
    from pathlib import Path

    from isptui.find.run import searchable_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    embedded = readme.split("<!-- find-table:start -->\n", 1)[1].split("<!-- find-table:end -->", 1)[0]
    assert embedded == searchable_table(registry.BUILTIN_ORDER)
