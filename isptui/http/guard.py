"""The read-only guard: on a read-only connection, no write leaves the process.

It sits outermost in the transport chain, so a refused request never reaches retries, the network or an
in-process app; the refusal itself is still written to the request log.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import httpx

from isptui.errors import ReadOnlyViolation
from isptui.http.log import RequestLog
from isptui.http.recording import make_exchange
from isptui.http.redact import Redactor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

LoginCall = tuple[str, str]
"""(method, path pattern): a write a backend must make to log in, e.g. ``("POST", "/api/v2/auth/login/")``.
Backends declare theirs as ``read_only_auth_calls`` in their descriptor; logout is never one of them."""


def _matches(path: str, pattern: str) -> bool:
    """Whether a URL path matches a declared login call: a glob when it has ``*``, else a path suffix.

    Trailing slashes are not significant (Krill's docs mix ``login`` and ``login/``).
    """
    path = path.rstrip("/")
    pattern = pattern.rstrip("/")
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, "*" + pattern.lstrip("*"))
    if not pattern:
        return False
    return path == pattern or path.endswith(pattern if pattern.startswith("/") else "/" + pattern)


def is_allowed(method: str, path: str, login_calls: Iterable[LoginCall] = ()) -> bool:
    """Whether a read-only connection may send this request."""
    method = method.upper()
    if method in SAFE_METHODS:
        return True
    return any(method == m.upper() and _matches(path, p) for m, p in login_calls)


class ReadOnlyPolicy:
    """What "read-only" means, in one object: the profile flag (or production until elevated), asked per
    request, plus the calls the backend declared (its descriptor's ``read_only_auth_calls``). The HTTP guard enforces it
    and the UI asks it (through ``Backend.read_only``) to hide write keys; nothing else decides.
    """

    def __init__(self, refused: Callable[[], bool] | bool = True, allowed_calls: Iterable[LoginCall] = ()) -> None:
        self._refused = refused if callable(refused) else (lambda: bool(refused))
        self.allowed_calls = tuple((str(m), str(p)) for m, p in allowed_calls)

    @property
    def writes_refused(self) -> bool:
        """Asked per request, so a production profile elevated during the session stops being refused."""
        return self._refused()

    def allows(self, method: str, path: str) -> bool:
        """Whether this request may leave the process now."""
        return not self.writes_refused or is_allowed(method, path, self.allowed_calls)


class ReadOnlyGuard(httpx.AsyncBaseTransport):
    """Refuses every method but GET/HEAD/OPTIONS (and the declared auth calls) before sending."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, log: RequestLog, redactor: Redactor,
                 login_calls: Iterable[LoginCall] = (), active: Callable[[], bool] | None = None,
                 policy: ReadOnlyPolicy | None = None) -> None:
        self._inner = inner
        self.policy = policy or ReadOnlyPolicy(active or True, login_calls)
        self._log = log
        self._redactor = redactor

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.policy.allows(request.method, request.url.path):
            return await self._inner.handle_async_request(request)
        url = self._redactor.url(request.url)
        message = f"read-only profile: refused {request.method} {url}; nothing was sent"
        await request.aread()
        self._log.record(make_exchange(self._log, self._redactor, request, started_at=datetime.now(UTC),
                                       error=message, refused=True))
        raise ReadOnlyViolation(message, method=request.method, url=url)

    async def aclose(self) -> None:
        await self._inner.aclose()
