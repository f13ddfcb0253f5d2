"""Secret hygiene in the UI: with distinctive secrets configured, nothing written or rendered holds one.

A session per backend on the real adapters against a sandbox created with those secrets: a failed login
with a wrong secret (in the picker), browsing, a 404, a malformed body from sandbox chaos, copy as JSON
(``y``), the request log (``l``) and copy as curl (``c``, of the login request too), an edit through the
diff preview into the journal, and undo. Collected along the way: the screen text and an SVG screenshot
after every step, every notification, every clipboard value, everything written to the terminal (OSC 52
clipboard payloads decoded), the journal files and the log records. None may hold a secret — neither the
configured ones nor the tokens the server handed out — in plain, base64 or URL-encoded form.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

import pytest
from textual.pilot import Pilot

from isptui.backends.base import BackendSettings, load_backend
from isptui.http import RequestLog
from isptui.model import ResourceRef
from isptui.sandbox import Sandbox, create_sandbox
from isptui.sandbox.chaos import ChaosSpec
from isptui.sandbox.options import SandboxCredentials
from isptui.ui.app import IspApp
from isptui.ui.edit import DiffPreviewScreen, RecordFormScreen
from isptui.ui.places import Place
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.screens.picker import PickerScreen
from isptui.ui.widgets.request_log import RequestLogPanel
from tests.ui.conftest import adapter_or_skip, settle
from tests.ui.edit.conftest import field_input, type_into, wait_for
from tests.ui.screen_text import screen_text
from tests.ui.test_terminal_safety import terminal  # noqa: F401  (fixture: what the app wrote to its tty)

SIZE = (100, 30)
URL = "http://isptui-hygiene.invalid"
# Distinctive, and with characters that URL-encoding changes, so the encoded forms differ from the plain.
CREDS = SandboxCredentials(
    splynx_api_key="spx-KEY+4f9c/2a7=", splynx_api_secret="spx-SECRET+8d1e/7b=",
    krill_username="operator", krill_password="krl-PASS+3b6a/90=",
    ispcrm_token="crm-TOKEN+51c0/d4=",
    trisul_username="sandbox", trisul_api_token="tri-TOKEN+9e27/f3=", trisul_context="default",
)
WRONG = "wrong-SECRET+0c4b/11="
"""The secret of a profile that fails to log in: an error message must not echo it either."""

# backend -> (credentials, the key of the wrong secret, record to edit, field, new value)
SESSIONS: dict[str, tuple[dict[str, str], str, ResourceRef, str, str]] = {
    "splynx-token": ({"api_key": CREDS.splynx_api_key, "api_secret": CREDS.splynx_api_secret, "auth": "token"},
                     "api_secret", ResourceRef(collection="customers", id="1"), "city", "Galway"),
    "splynx-basic": ({"api_key": CREDS.splynx_api_key, "api_secret": CREDS.splynx_api_secret, "auth": "basic"},
                     "api_secret", ResourceRef(collection="customers", id="1"), "city", "Galway"),
    "krill": ({"username": CREDS.krill_username, "password": CREDS.krill_password}, "password",
              ResourceRef(collection="isp/cpes", id="1"), "city", "Galway"),
    "ispcrm": ({"token": CREDS.ispcrm_token}, "token", ResourceRef(collection="users", id="1"), "address",
               "1 Galway Road"),
    "trisul": ({"username": CREDS.trisul_username, "api_token": CREDS.trisul_api_token,
                "context": CREDS.trisul_context}, "api_token",
               ResourceRef(collection="ipdrcustomers", id="isp00001"), "Address", "1 Galway Road"),
}
SECRET_KEYS = re.compile(r"pass|secret|token|^key$|api_key|^access$|^refresh$|signature", re.I)


def entry(name: str, backend: str, sandbox: Sandbox, credentials: dict[str, str]) -> ProfileEntry:
    """A picker entry built as ``demo_profiles`` builds one, but with these credentials."""
    log = RequestLog()
    settings = BackendSettings(url=URL, credentials=credentials, transport=sandbox.transport(), request_log=log,
                               profile_name=name, retries=0)
    return ProfileEntry(name=name, backend_name=backend, build=lambda: load_backend(backend)(settings),
                        request_log=log, secrets=settings.secrets(), source="config")


def forms(secret: str) -> set[str]:
    """A secret as it could leak: plain, URL-encoded, JSON-escaped and base64 (alone or as Basic's key:secret)."""
    out = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
           base64.b64encode(secret.encode()).decode()}
    return {f for f in out if len(f) >= 6}


def issued_secrets(sandbox: Sandbox) -> set[str]:
    """What the client sent the server as credentials: tokens from login answers, Basic pairs, body tokens."""
    found: set[str] = set()
    for request in sandbox.received:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() in ("bearer", "token", "jwt") and value:
            found.add(value.strip())
        elif scheme.lower() == "basic" and value:
            found.add(value.strip())
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                found.update(base64.b64decode(value).decode().split(":", 1))
        elif "(" in auth:  # Splynx-EA (access_token=…) — the signature is per request, the token is not
            found.update(v for k, v in re.findall(r"(\w+)=([^,\s)]+)", auth) if k == "access_token")
        if request.headers.get("x-auth-token"):
            found.add(request.headers["x-auth-token"])
        found.update(_body_secrets(request.body))
    return {s for s in found if len(s) >= 8}


def _body_secrets(body: bytes) -> Iterable[str]:
    try:
        data: Any = json.loads(body)
    except ValueError:
        data = dict(parse_qsl(body.decode("latin-1")))
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and SECRET_KEYS.search(key):
                yield value


def leaks(artifacts: dict[str, str], secrets: Iterable[str]) -> list[str]:
    """``where: form`` for every secret form found in an artifact."""
    found = []
    for secret in secrets:
        for form in forms(secret):
            found += [f"{where}: {form!r}" for where, text in artifacts.items() if form in text]
    return found


def osc52_payloads(stream: str) -> list[str]:
    """The text of every clipboard write (OSC 52) in what the app wrote to its terminal, decoded."""
    return [base64.b64decode(m).decode("utf-8", "replace") for m in re.findall(r"\x1b\]52;c;([A-Za-z0-9+/=]*)", stream)]


class Recorder:
    """Collects what the user saw after each step: screen text, an SVG, notifications and the clipboard."""

    def __init__(self, app: IspApp, out: Path) -> None:
        self.app = app
        self.out = out
        self.artifacts: dict[str, str] = {}

    def __call__(self, step: str) -> str:
        text = screen_text(self.app)
        self.artifacts[f"screen after {step}"] = text
        svg = self.out / f"{len(self.artifacts):02d}-{step.replace(' ', '-')}.svg"
        self.app.save_screenshot(svg.name, path=str(self.out))
        self.artifacts[f"screenshot {svg.name}"] = svg.read_text(encoding="utf-8")
        notes = "\n".join(f"{n.title}: {n.message}" for n in self.app._notifications)
        self.artifacts[f"notifications after {step}"] = notes
        self.artifacts[f"clipboard after {step}"] = self.app.clipboard
        return text


async def open_ref(pilot: Pilot[Any], ref: ResourceRef) -> ExplorerScreen:
    """Open a record or collection as choosing it in the tree or go-to does."""
    screen = pilot.app.screen
    assert isinstance(screen, ExplorerScreen), screen_text(pilot.app)
    screen.open_place(Place("record" if ref.is_record else "collection", ref.label(), ref=ref))
    await settle(pilot)
    return screen


async def copy_from_log(pilot: Pilot[Any], index: int, see: Callable[[str], str]) -> str:
    """Highlight exchange ``index`` of the request log with the arrow keys and copy it as curl (``c``)."""
    await pilot.press("home", *["down"] * index, "c")
    await pilot.pause()
    see(f"copy curl {index}")
    return pilot.app.clipboard


@pytest.mark.parametrize("session", list(SESSIONS))
async def test_no_secret_is_written_or_rendered(terminal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                               caplog: pytest.LogCaptureFixture, session: str) -> None:
    backend = session.split("-")[0]
    adapter_or_skip(backend)
    credentials, secret_key, ref, field, value = SESSIONS[session]
    data_dir, shots = tmp_path / "data", tmp_path / "shots"
    shots.mkdir()
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(data_dir))
    caplog.set_level(logging.DEBUG)
    sandbox = create_sandbox("all", customers=20, seed=1, credentials=CREDS, chaos="rate_limit=1000/s")
    good = entry(f"hyg-{backend}", backend, sandbox, credentials)
    bad = entry(f"bad-{backend}", backend, sandbox, {**credentials, secret_key: WRONG})
    app = IspApp([good, bad], show_latency=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        see = Recorder(app, shots)
        await settle(pilot)
        # A login with the wrong secret: the picker explains, without the secret.
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: bool(app.screen.query("ErrorPanel")), "the login error in the picker")
        assert isinstance(app.screen, PickerScreen)
        see("failed login")
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer")
        await settle(pilot)
        see("connected")
        await open_ref(pilot, ResourceRef(collection=ref.collection))
        await pilot.press("y")
        await pilot.pause()
        assert see("copy json") and '"id"' in app.clipboard, "y did not copy the row as JSON"
        screen = await open_ref(pilot, ResourceRef(collection=ref.collection, id="99999"))
        assert screen.error is not None, "the 404 was not shown"
        see("not found")
        # A malformed body from the server (a broken proxy): shown as an error, with the URL it came from.
        assert sandbox.chaos is not None
        sandbox.chaos.spec = ChaosSpec(malformed_rate=1.0)
        await open_ref(pilot, ResourceRef(collection=ref.collection))
        sandbox.chaos.spec = ChaosSpec(rate_limit=1000)
        see("malformed body")
        # An edit: the diff preview shows the exact request; confirming writes it and the journal.
        await open_ref(pilot, ref)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the edit form")
        await type_into(pilot, field_input(app, field), value)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the diff preview")
        assert value in see("diff preview")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after saving")
        await settle(pilot)
        see("saved")
        # The request log, and curl copies of the write and of the first exchange (the login, if any).
        await pilot.press("l")
        await settle(pilot)
        see("request log")
        exchanges = app.screen.query_one(RequestLogPanel).exchanges
        write = max(i for i, e in enumerate(exchanges) if e.method in ("PUT", "PATCH", "POST"))
        copied = await copy_from_log(pilot, write, see)
        assert copied.startswith("curl") and f"-X {exchanges[write].method}" in copied, copied
        first = await copy_from_log(pilot, 0, see)  # the login, where the adapter has one
        assert first.startswith("curl") and first != copied
        await pilot.press("l", "u")
        await wait_for(pilot, lambda: any("ndo" in f"{n.title} {n.message}" for n in app._notifications)
                       or not isinstance(app.screen, ExplorerScreen), "undo")
        if not isinstance(app.screen, ExplorerScreen):  # undo asks first: confirm it
            see("undo confirmation")
            await pilot.press("tab", "enter")
        await settle(pilot)
        see("undone")

    # Every file in the data dir, the SQLite journal and its WAL included, read as bytes.
    journal = {f"journal {p.name}": p.read_bytes().decode("utf-8", errors="replace") for p in data_dir.rglob("*")
               if p.is_file()}
    assert journal and any(value in text for text in journal.values()), "the edit never reached the journal"
    stream = "".join(terminal)
    clipboard_writes = osc52_payloads(stream)
    assert len(clipboard_writes) >= 3, "the copies did not reach the terminal's clipboard (OSC 52)"
    artifacts = {**see.artifacts, **journal, "terminal output": stream, "log records": caplog.text}
    artifacts.update({f"OSC 52 clipboard write {i}": text for i, text in enumerate(clipboard_writes)})
    secrets = {*good.secrets, *bad.secrets, *issued_secrets(sandbox)}
    assert {CREDS.splynx_api_secret, CREDS.krill_password, CREDS.ispcrm_token, CREDS.trisul_api_token,
            WRONG} & secrets, "no configured secret to look for"
    # The detector itself finds a planted secret in each form (so an empty result below means something).
    for planted in forms(next(iter(good.secrets))):
        assert leaks({"planted": f"…{planted}…"}, good.secrets)
    assert leaks(artifacts, secrets) == []
