"""Secret hygiene below the UI: with distinctive credentials, nothing written or shown ever contains them.

For every backend a sandbox is created with known, distinctive credentials; sessions then hit errors (bad
input, 404, validation, chaos 5xx / malformed / dropped answers, wrong credentials, a closed port), write
through the Editor (create, update, undo, delete) and fill the request log. Every log entry, every exchange
as curl, the journal file, every error message and ``str(exception)`` and every connection one-liner of
``connect.explain`` is then searched for each secret in its plain, URL-encoded, JSON-escaped and base64
forms, including the tokens the servers handed out during the session.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.cli.connect import explain
from isptui.edit.editor import Editor
from isptui.edit.journal import Journal
from isptui.errors import BackendError
from isptui.http import RequestLog, to_curl
from isptui.model import PageRequest, ResourceRef
from isptui.sandbox import Sandbox, SandboxCredentials, create_sandbox
from tests.backends.conftest import CASES, SANDBOX_URL

# Distinctive values; the exotic characters make the URL-encoded and base64 forms differ from the plain one.
CREDS = SandboxCredentials(
    splynx_api_key="splx-key-7Q2w9",
    splynx_api_secret="Splx/Secret+9x=Z",
    splynx_admin_password="Adm1n/Pass+word",
    krill_username="operator",
    krill_password="Kr1ll/Pa55+wd=Q",
    ispcrm_token="ispcrm-Tok3n-8Hq2Lp",
    trisul_username="sandbox",
    trisul_api_token="TrisulTok3nGiXwBWWv",
)
SETTINGS_CREDS: dict[str, dict[str, str]] = {
    "splynx": {"api_key": CREDS.splynx_api_key, "api_secret": CREDS.splynx_api_secret, "auth": "token"},
    "krill": {"username": CREDS.krill_username, "password": CREDS.krill_password},
    "ispcrm": {"token": CREDS.ispcrm_token},
    "trisul": {"username": CREDS.trisul_username, "api_token": CREDS.trisul_api_token, "context": "default"},
}
WRONG = "Wr0ng/Typed+Secret"
"""A mistyped secret is still a secret: the refusal must not echo it."""
OWN: dict[str, tuple[str, ...]] = {
    "splynx": (CREDS.splynx_api_key, CREDS.splynx_api_secret),
    "krill": (CREDS.krill_password,),
    "ispcrm": (CREDS.ispcrm_token,),
    "trisul": (CREDS.trisul_api_token,),
}
"""Carbon is not here: its REST API v2 has no credentials at all (docs/carbon.md §5.3), so nothing to leak."""
_TOKEN_KEYS = ("access", "refresh", "access_token", "refresh_token", "token")


def forms(secret: str) -> set[str]:
    """Every spelling of a secret that could end up in text."""
    b64 = base64.b64encode(secret.encode()).decode()
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], b64, b64.rstrip("=")}


class Tap(httpx.AsyncBaseTransport):
    """Passes everything through and remembers the tokens the server hands out (login and refresh answers)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.tokens: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            self.tokens.update(v for k, v in doc.items() if k in _TOKEN_KEYS and isinstance(v, str) and len(v) > 8)
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            self.tokens.add(auth[7:])
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


class Session:
    """One backend's connection plus everything it produced that a user or a file could see."""

    def __init__(self, name: str, sandbox: Sandbox, tmp: Path, log: RequestLog) -> None:
        self.name = name
        self.tap = Tap(sandbox.transport())
        self.log = log
        self.secrets = (*OWN[name], WRONG)
        self.journal = Journal(path=tmp / f"{name}-journal.jsonl", secrets=self.secrets)
        self.errors: list[BackendError] = []

    def settings(self, credentials: dict[str, str], url: str = SANDBOX_URL) -> BackendSettings:
        return BackendSettings(url=url, credentials=credentials, transport=self.tap, request_log=self.log,
                               retries=1, timeout=3, profile_name=f"hygiene-{self.name}")

    async def attempt(self, call: Any) -> Any:
        try:
            return await call
        except BackendError as exc:
            self.errors.append(exc)
            return None


async def _writes(session: Session, backend: Backend) -> None:
    """Create, update, undo the update, delete, undo the delete: all through the Editor, all journalled."""
    case = CASES[session.name]
    editor = Editor(backend, session.journal, profile=f"hygiene-{session.name}")
    values = dict(case.create)
    # A secret typed into an ordinary field by mistake must not reach the journal or the log either.
    field, _ = case.update
    secret = session.secrets[0]
    values[field] = f"note {secret} typed here"
    created = await session.attempt(editor.apply(editor.plan_create(case.crud, values)))
    if created is None:
        return
    schema = await session.attempt(backend.schema(case.crud))
    if schema is not None:
        plan = editor.plan_update(created, {**created.fields, field: f"{secret} changed"}, schema)
        await session.attempt(editor.apply(plan))
        last = editor.last_write()
        if last is not None:
            await session.attempt(editor.undo(last))
    current = await session.attempt(backend.get(created.ref))
    if current is not None:
        await session.attempt(editor.apply(editor.plan_delete(current)))
        last = editor.last_write()
        if last is not None:
            await session.attempt(editor.undo(last, schema))


async def _reads_and_errors(session: Session, backend: Backend) -> None:
    case = CASES[session.name]
    secret = session.secrets[0]
    await session.attempt(backend.discover())
    await session.attempt(backend.list(case.collection, PageRequest(limit=5)))
    await session.attempt(backend.list(case.collection, PageRequest(limit=5, filter=f"x={secret}")))
    await session.attempt(backend.get(case.known))
    missing = ResourceRef(collection=case.known.collection, id="99999999" if case.name != "trisul" else "NOPE42")
    await session.attempt(backend.get(missing))
    await session.attempt(backend.schema(case.collection))
    await session.attempt(backend.create(case.crud, dict(case.invalid)))


async def _connect(session: Session) -> Backend:
    """Connect, retrying through chaos (a refused connect is an error the user saw, and is checked too)."""
    for _ in range(20):
        backend = load_backend(session.name)(session.settings(dict(SETTINGS_CREDS[session.name])))
        try:
            await backend.connect()
            return backend
        except BackendError as exc:
            session.errors.append(exc)
    raise AssertionError(f"could not connect in 20 attempts: {session.errors[-1]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _one_liners(session: Session, sandbox: Sandbox) -> list[str]:
    """``connect.explain`` for a refused login and for a closed port, as the CLI would print them."""
    lines: list[str] = []
    bad = {k: (WRONG if k in ("api_secret", "password", "token", "api_token") else v)
           for k, v in SETTINGS_CREDS[session.name].items()}
    closed = f"http://127.0.0.1:{_free_port()}"
    for credentials, url, transport in ((bad, SANDBOX_URL, session.tap),
                                        (SETTINGS_CREDS[session.name], closed, None)):
        settings = BackendSettings(url=url, credentials=credentials, transport=transport, retries=0, timeout=2,
                                   request_log=session.log)
        backend = load_backend(session.name)(settings)
        try:
            await backend.connect()
        except BackendError as exc:
            session.errors.append(exc)
            lines.append(explain(exc, session.name, url))
        finally:
            await backend.close()
    return lines


def _texts(session: Session, lines: list[str]) -> Iterator[tuple[str, str]]:
    for exchange in session.log.entries():
        yield f"log #{exchange.id}", json.dumps(asdict(exchange), default=str, ensure_ascii=False)
        yield f"curl #{exchange.id}", to_curl(exchange)
    if session.journal.path.exists():
        yield "journal", session.journal.path.read_text(encoding="utf-8")
    for exc in session.errors:
        yield f"error {type(exc).__name__}", f"{exc.message}\n{exc}\n{exc.title}\n{exc.url}"
    for line in lines:
        yield "explain", line


@pytest.mark.parametrize("name", list(OWN))
async def test_no_secret_reaches_log_curl_journal_or_errors(name: str, tmp_path: Path) -> None:
    log = RequestLog(size=5000)
    lines: list[str] = []
    sessions: list[Session] = []
    for chaos in ("", "error_rate=0.3,malformed_rate=0.15,drop_rate=0.05"):
        sandbox = create_sandbox("all", customers=30, credentials=CREDS, chaos=chaos)
        session = Session(name, sandbox, tmp_path / (chaos and "chaos" or "calm"), log)
        sessions.append(session)
        backend = await _connect(session)
        try:
            for _ in range(3 if chaos else 1):
                await _reads_and_errors(session, backend)
                await _writes(session, backend)
        finally:
            await backend.close()
        if not chaos:
            lines += await _one_liners(session, sandbox)

    calm, chaotic = sessions
    # The sessions really happened: they wrote, failed in the ways they were meant to, and logged.
    assert len(log) > 25
    assert {"NotFound", "ValidationFailed"} <= {type(e).__name__ for e in calm.errors}
    assert {"ServerError", "MalformedResponse"} & {type(e).__name__ for e in chaotic.errors}
    assert calm.journal.path.exists(), [str(e) for e in calm.errors]
    assert len(lines) == 2
    tokens = set().union(*(s.tap.tokens for s in sessions))
    secrets = {form for s in (*calm.secrets, *tokens) for form in forms(s) if len(form) >= 6}
    if name == "splynx":
        basic = base64.b64encode(f"{CREDS.splynx_api_key}:{CREDS.splynx_api_secret}".encode()).decode()
        secrets.add(basic.rstrip("="))
    leaks = [(where, secret) for s in sessions for where, text in _texts(s, lines if s is calm else [])
             for secret in secrets if secret in text]
    assert not leaks, leaks[:5]


async def test_a_password_equal_to_a_host_label_leaves_the_host_readable(tmp_path: Path) -> None:
    """The sandbox's own case: Krill password ``sandbox`` at http://sandbox.local (see http/redact.py)."""
    log = RequestLog()
    sandbox = create_sandbox("krill", customers=5)
    settings = BackendSettings(url=SANDBOX_URL, credentials={"username": "operator", "password": "sandbox"},
                               transport=sandbox.transport(), request_log=log, retries=0)
    backend = load_backend("krill")(settings)
    await backend.connect()
    try:
        journal = Journal(path=tmp_path / "journal.jsonl", secrets=tuple(settings.secrets()))
        editor = Editor(backend, journal, profile="sandbox-demo")
        customer = await backend.get(ResourceRef(collection="isp/customers", id="2"))
        schema = await backend.schema(ResourceRef(collection="isp/customers"))
        plan = editor.plan_update(customer, {**customer.fields, "comment": "password is sandbox"}, schema)
        await editor.apply(plan)
    finally:
        await backend.close()
    login = next(e for e in log.entries() if e.url.endswith("/auth/login/"))
    assert login.url == "http://sandbox.local/api/v2/auth/login/"
    assert "sandbox" not in login.request_body.replace("sandbox.local", "")
    assert plan.request_lines[0].startswith("PATCH http://sandbox.local/api/v2/isp/customers/2/")
    assert '"comment": "password is ***"' in "\n".join(plan.request_lines)
    entry = json.loads(journal.path.read_text().splitlines()[-1])
    assert entry["after"]["comment"] == "password is ***"
    assert "sandbox" not in json.dumps(entry).replace("sandbox.local", "").replace("sandbox-demo", "")
