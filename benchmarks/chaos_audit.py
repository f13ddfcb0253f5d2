"""The chaos run's instruments: a wire tap around the sandbox's chaos layer, hooks on the app, the report.

``chaos_driver`` runs the session; this module only observes. Taps sit on attributes of one sandbox, app and
backend instance (never on classes), except the worker hook, which is undone when the run ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import httpx
from textual.worker import Worker, WorkerState

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.edit.journal import MASK, Journal, JournalEntry, same_value
from isptui.errors import BackendError, NotFound
from isptui.http import RequestLog
from isptui.model import ResourceRef
from isptui.sandbox import Sandbox, backend_for_path
from isptui.ui.app import IspApp
from isptui.ui.launch import DEMO_URL, demo_credentials
from isptui.ui.profiles import ProfileEntry

FAULTS = ("error", "timeout", "malformed", "drop", "rate_limited")
# The adapter calls the UI awaits; a BackendError out of one of these has reached the user's screen.
# ``execute`` is the one write path the UI calls: what an adapter reads inside it (a delete's confirming read,
# a write's read-back) is the adapter's own business, and a confirming read that fails is not a failed delete
# (Backend.confirm_deleted). Without it here, such a read was booked as a UI error nobody was shown.
UI_CALLS = ("discover", "list", "get", "follow", "schema", "execute", "create", "update", "delete", "invoke",
            "count")
CARBON_WRITES = {"save", "delete", "objects.create", "add_payment", "set_password"}
LOGIN_MARKS = ("/auth/", "login", "token")

Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Any, Any], Awaitable[None]]


# -- the wire tap -----------------------------------------------------------------------------------
@dataclass
class WireCall:
    """One request: what the vendor app answered (``inner``) and what reached the client (``outer``)."""

    backend: str
    method: str
    path: str
    query: str
    at: float
    body: bytes = b""
    inner_status: int | None = None
    inner_body: bytes = b""
    outer_status: int | None = None
    outer_body: bytes = b""
    action: int = -1
    """The user action (across the whole run) during which the request was made."""

    @property
    def is_write(self) -> bool:
        if self.path.startswith("/rest_api/"):  # Carbon reads are form posts too: look at the method chain
            steps = parse_qsl(self.body.decode("utf-8", "replace"))
            return any(k.startswith("method") and v in CARBON_WRITES for k, v in steps)
        return self.method in ("POST", "PUT", "PATCH", "DELETE") and not any(m in self.path for m in LOGIN_MARKS)

    @property
    def applied(self) -> bool:
        """The vendor app accepted the write (2xx and no error envelope: Trisul and Carbon answer 200)."""
        if not self.is_write or self.inner_status is None or not 200 <= self.inner_status < 300:
            return False
        try:
            body = json.loads(self.inner_body or b"null")
        except ValueError:
            return True
        return not (isinstance(body, dict) and (body.get("error") or str(body.get("status")).upper() == "ERROR"
                                                or body.get("success") in (False, "false")))

    @property
    def confirmed(self) -> bool:
        """The client got the vendor's answer intact (chaos neither cut it nor replaced it)."""
        return self.outer_status == self.inner_status and self.outer_body == self.inner_body

    def key(self) -> tuple[int, str, str, str, bytes]:
        # Two identical creates in two user actions are two records the user asked for; a replay is the
        # same write applied twice within one action (a retry, a resend, a double confirm).
        return self.action, self.method, self.path, self.query, self.body


class WireTap:
    """Two ASGI layers around the sandbox's chaos middleware, linked by a context variable."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.calls: list[WireCall] = []
        self.action = 0
        """Set by the driver before each action, so each call knows which action made it."""
        self._current: contextvars.ContextVar[WireCall | None] = contextvars.ContextVar("chaos_call", default=None)
        chaos = sandbox.chaos
        recorder = sandbox.app
        if chaos is None or getattr(recorder, "app", None) is not chaos:
            raise RuntimeError("the chaos run needs create_sandbox(..., chaos=...): recorder(chaos(dispatcher))")
        chaos.app = self._inner(chaos.app)
        recorder.app = self._outer(chaos)  # type: ignore[attr-defined]

    def _outer(self, app: ASGI) -> ASGI:
        async def outer(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            call = WireCall(backend_for_path(scope["path"]) or "", scope["method"], scope["path"],
                            scope.get("query_string", b"").decode("latin-1"), time.time(), action=self.action)
            self.calls.append(call)
            token = self._current.set(call)

            async def tapped_send(message: Any) -> None:
                if message["type"] == "http.response.start":
                    call.outer_status = message["status"]
                elif message["type"] == "http.response.body":
                    call.outer_body += message.get("body", b"")
                await send(message)

            try:
                await app(scope, receive, tapped_send)
            finally:
                self._current.reset(token)

        return outer

    def _inner(self, app: ASGI) -> ASGI:
        async def inner(scope: Scope, receive: Any, send: Any) -> None:
            call = self._current.get()
            if call is None or scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def tapped_receive() -> Any:
                message = await receive()
                if message["type"] == "http.request":
                    call.body += message.get("body", b"")
                return message

            async def tapped_send(message: Any) -> None:
                if message["type"] == "http.response.start":
                    call.inner_status = message["status"]
                elif message["type"] == "http.response.body":
                    call.inner_body += message.get("body", b"")
                await send(message)

            await app(scope, tapped_receive, tapped_send)

        return inner


# -- the app under test -----------------------------------------------------------------------------
class ChaosApp(IspApp):
    """The real app, keeping every notification (toasts expire; the audit must not miss one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[tuple[str, str, str]] = []

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        self.notes.append((str(severity), title, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


_IN_ADAPTER: contextvars.ContextVar[bool] = contextvars.ContextVar("chaos_in_adapter", default=False)


def tap_backend(backend: Backend, errors: list[tuple[str, str]]) -> Backend:
    """Record every BackendError an adapter call hands to the UI (instance attributes, class untouched)."""
    for name in UI_CALLS:
        method = getattr(backend, name, None)
        if method is None or not asyncio.iscoroutinefunction(method):
            continue

        def wrap(call: Callable[..., Awaitable[Any]], name: str = name) -> Callable[..., Awaitable[Any]]:
            async def wrapped(*args: Any, **kwargs: Any) -> Any:
                # An adapter calling its own get (Krill's delete checks the record is gone) is not the UI.
                token = _IN_ADAPTER.set(True) if not _IN_ADAPTER.get() else None
                try:
                    return await call(*args, **kwargs)
                except BackendError as exc:
                    if token is not None:
                        errors.append((name, f"{type(exc).__name__}: {exc.title}"))
                    raise
                finally:
                    if token is not None:
                        _IN_ADAPTER.reset(token)

            return wrapped

        setattr(backend, name, wrap(method))
    return backend


def chaos_profile(sandbox: Sandbox, name: str, timeout: float, errors: list[tuple[str, str]]) -> ProfileEntry:
    """A demo profile like ``demo_profiles`` builds, with a short timeout and the error tap."""
    credentials = demo_credentials(name, sandbox)
    entry = ProfileEntry(name=f"chaos-{name}", backend_name=name, build=lambda: None,  # type: ignore[arg-type,return-value]
                         request_log=RequestLog(), secrets=[v for k, v in credentials.items()
                                                           if k not in ("username", "auth", "context")])

    def build() -> Backend:
        if sandbox.dispatcher is not None:
            sandbox.dispatcher.app_for(name)
        settings = BackendSettings(url=DEMO_URL, credentials=credentials, transport=sandbox.transport(),
                                   request_log=entry.request_log, profile_name=entry.name, timeout=timeout)
        return tap_backend(load_backend(name)(settings), errors)

    entry.build = build
    return entry


@contextlib.contextmanager
def worker_errors(found: list[str]) -> Any:
    """Note workers that die of a non-backend exception: with exit_on_error=False nobody else would."""
    original = Worker._run

    async def run(self: Worker[Any], app: Any) -> None:
        await original(self, app)
        if self.state is WorkerState.ERROR:
            found.append(f"{self.group}/{self.name}: {self.error!r}")

    Worker._run = run  # type: ignore[method-assign]
    try:
        yield
    finally:
        Worker._run = original  # type: ignore[method-assign]


# -- the report -------------------------------------------------------------------------------------
@dataclass
class ChaosReport:
    """The run's figures; ``lines()`` is what the benchmark prints and the README quotes."""

    actions: int = 0
    keys: int = 0
    seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    injected: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    ui_errors: int = 0
    failed_actions: int = 0
    shown_actions: int = 0
    unshown: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    journalled: int = 0
    applied: int = 0
    unconfirmed: int = 0
    unjournalled: list[str] = field(default_factory=list)
    double_writes: list[str] = field(default_factory=list)
    checked: int = 0
    ambiguous: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def injected_total(self) -> int:
        return sum(self.injected.get(k, 0) for k in FAULTS)

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items()))
        faults = ", ".join(f"{k} {self.injected.get(k, 0)}" for k in FAULTS)
        return [
            f"actions            {self.actions} ({self.keys} key presses, {self.seconds:.1f} s): {kinds}",
            f"requests           {self.requests}",
            f"failures injected  {self.injected_total} ({faults})",
            f"failures to the UI {self.ui_errors} backend errors in {self.failed_actions} actions",
            f"failures shown     {self.shown_actions} of {self.failed_actions} actions",
            f"writes             {self.journalled} journalled, {self.applied} applied by the sandbox "
            f"({self.unconfirmed} with the answer lost to chaos, {len(self.unjournalled)} answered but reported "
            "as failed)",
            f"double writes      {len(self.double_writes)}",
            f"mismatches         {len(self.mismatches)} of {self.checked} journalled records re-read "
            f"({self.ambiguous} left out: a later write the user was told had failed)",
            f"crashes            {len(self.crashes)}; stuck actions {len(self.stuck)}",
        ]


# -- the audit of writes ----------------------------------------------------------------------------
def _mentions(call: WireCall, record_id: str) -> bool:
    """Whether a write's path or body names ``record_id`` as a whole token (Carbon puts it in a form post)."""
    text = unquote_plus(f"{call.path}?{call.query} {call.body.decode('utf-8', 'replace')}")
    return re.search(rf"(?<![\w-]){re.escape(record_id)}(?![\w-])", text) is not None


def check_replays(report: ChaosReport, tap: WireTap) -> None:
    """Writes the sandbox applied: counted, and any applied twice back to back (a replay) listed."""
    applied = [c for c in tap.calls if c.applied]
    report.applied = len(applied)
    report.unconfirmed = sum(not c.confirmed for c in applied)
    previous: dict[str, tuple[int, str, str, str, bytes]] = {}
    for call in applied:
        if previous.get(call.backend) == call.key():
            report.double_writes.append(f"{call.backend}: {call.method} {call.path}?{call.query}")
        previous[call.backend] = call.key()


def unjournalled_writes(report: ChaosReport, tap: WireTap, entries: list[JournalEntry]) -> list[WireCall]:
    """Pair each applied write with the journal entry written after it; return the writes left unpaired.

    An entry is written once the adapter returned, so it follows its write and precedes that backend's next
    one. Unpaired writes are the ones the user was told failed although the server applied them (chaos cut
    the answer, or a read-back after the write failed); unpaired entries are journalled writes that never
    reached the server, which is a mismatch.
    """
    unpaired: list[WireCall] = []
    pending = list(entries)
    for backend in sorted({c.backend for c in tap.calls} | {e.backend for e in entries}):
        writes = [c for c in tap.calls if c.applied and c.backend == backend]
        for i, call in enumerate(writes):
            until = writes[i + 1].at if i + 1 < len(writes) else float("inf")
            entry = next((e for e in pending if e.backend == backend and call.at <= e.time < until and (
                e.kind == "create" or not e.record_id or _mentions(call, e.record_id))), None)
            if entry is None:
                unpaired.append(call)
                if call.confirmed:
                    report.unjournalled.append(f"{backend}: {call.method} {call.path}: applied and answered, "
                                               "yet the user was told it failed and the journal has no entry")
            else:
                pending.remove(entry)
    report.mismatches.extend(f"{e.backend}: journal entry {e.id} ({e.kind} {e.collection}/{e.record_id}) has "
                             "no write the sandbox applied" for e in pending)
    return unpaired


async def check_journal(report: ChaosReport, tap: WireTap, journal: Journal, sandbox: Sandbox) -> None:
    """Every journalled write was applied once, and each record the journal touched holds its last image.

    Records are re-read through a fresh adapter on ``sandbox.dispatcher``: the same vendor apps and state,
    without chaos, the taps or the app's client.
    """
    entries = [e for e in journal.entries() if e.kind in ("create", "update", "delete")]
    report.journalled = len(entries)
    lost = unjournalled_writes(report, tap, entries)
    last: dict[tuple[str, str | None, str | None], JournalEntry] = {}
    for entry in entries:
        last[(entry.backend, entry.collection, entry.record_id)] = entry
    readers: dict[str, Backend] = {}
    try:
        for (name, collection, record_id), entry in last.items():
            if not collection or not record_id:
                continue
            if any(c.backend == name and c.at >= entry.time and _mentions(c, record_id) for c in lost):
                report.ambiguous += 1
                continue
            if name not in readers:
                settings = BackendSettings(url=DEMO_URL, credentials=demo_credentials(name, sandbox), retries=0,
                                           transport=httpx.ASGITransport(app=sandbox.dispatcher), timeout=30)
                readers[name] = load_backend(name)(settings)
                await readers[name].connect()
            report.checked += 1
            problem = await _compare(readers[name], entry)
            if problem:
                report.mismatches.append(f"{name} {collection}/{record_id} ({entry.kind}): {problem}")
    finally:
        for reader in readers.values():
            with contextlib.suppress(BackendError):
                await reader.close()


async def _compare(reader: Backend, entry: JournalEntry) -> str:
    """'' when the sandbox holds what the journal says, else what differs."""
    ref = ResourceRef(collection=entry.collection, id=entry.record_id)
    try:
        record = await reader.get(ref)
    except NotFound:
        return "" if entry.kind == "delete" else "the journal has it, the sandbox does not"
    if entry.kind == "delete":
        return "deleted in the journal, still in the sandbox"
    after = entry.after if isinstance(entry.after, dict) else {}
    differ = [f"{k}: journal {v!r}, sandbox {record.fields.get(k)!r}" for k, v in after.items()
              if v != MASK and not same_value(v, record.fields.get(k))]
    return "; ".join(differ[:3])
