"""The httpx.AsyncClient factory every adapter uses: timeouts, TLS, and the transport chain.

Chain, outermost first: origin policy (credentials only to the configured origin; redirects) -> read-only
guard (when the profile is read-only) -> retries -> recording (timeout, bounded body, request log) -> the
network, or the transport injected by tests and the in-process sandbox. Every redirect hop goes through
the whole chain again, so the guard, the retries and the log see it like any request.
"""

from __future__ import annotations

import logging
import ssl
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from isptui import __version__
from isptui.errors import ConnectionFailed
from isptui.http.guard import LoginCall, ReadOnlyGuard, ReadOnlyPolicy
from isptui.http.log import RequestLog
from isptui.http.origin import OriginPolicy, OriginTransport
from isptui.http.recording import RecordingTransport
from isptui.http.redact import Redactor
from isptui.http.retry import RetryTransport, Sleep

if TYPE_CHECKING:
    # Only for the annotation: the HTTP layer sits below the backends and must not import them.
    from isptui.backends.base import BackendSettings

_log = logging.getLogger(__name__)

USER_AGENT = f"isptui/{__version__}"


class InsecureConnectionWarning(UserWarning):
    """TLS certificate verification was switched off for a connection (``--insecure``)."""


class ApiClient(httpx.AsyncClient):
    """An httpx.AsyncClient that also carries its connection's request log and redactor.

    Auth flows call ``client.redactor.add(token)`` for tokens they learn, so logs never show them.
    """

    def __init__(self, *, request_log: RequestLog, redactor: Redactor, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.request_log = request_log
        self.redactor = redactor


def tls_context(verify: bool | str, host: str = "") -> ssl.SSLContext | bool:
    """What to pass as httpx ``verify``: a context with a custom CA bundle, True, or False (warned)."""
    if verify is False:
        message = f"TLS certificate verification is off for {host or 'this connection'} (--insecure)"
        warnings.warn(message, InsecureConnectionWarning, stacklevel=3)
        _log.warning(message)
        return False
    if verify is True:
        return True
    try:
        return ssl.create_default_context(cafile=str(verify))
    except (OSError, ssl.SSLError) as exc:
        raise ConnectionFailed(f"cannot use CA bundle {verify}: {exc.__class__.__name__}; check the "
                               "--ca-bundle path", "TLS setup failed") from exc


def make_client(
    settings: BackendSettings,
    *,
    base_url: str,
    auth: httpx.Auth | None = None,
    login_calls: Iterable[LoginCall] = (),
    headers: Mapping[str, str] | None = None,
    redactor: Redactor | None = None,
    sleep: Sleep | None = None,
) -> ApiClient:
    """An ApiClient for one connection, configured from ``settings``.

    ``login_calls`` are the writes a read-only connection may still make to log in; ``sleep`` replaces
    ``asyncio.sleep`` between retries (tests).
    """
    if redactor is None:
        redactor = Redactor()
    redactor.add(*settings.secrets())
    log = settings.request_log if settings.request_log is not None else RequestLog()
    inner: httpx.AsyncBaseTransport
    if settings.transport is not None:
        inner = settings.transport
    else:
        host = urlsplit(base_url).hostname or ""
        # Retries are ours (with backoff and method rules); httpcore's own would bypass them.
        inner = httpx.AsyncHTTPTransport(verify=tls_context(settings.verify, host), retries=0)
    transport: httpx.AsyncBaseTransport = RecordingTransport(inner, log, redactor,
                                                             default_timeout=settings.timeout)
    retry_kwargs = {"sleep": sleep} if sleep is not None else {}
    transport = RetryTransport(transport, retries=settings.retries, **retry_kwargs)  # type: ignore[arg-type]
    if settings.read_only:
        transport = ReadOnlyGuard(transport, log=log, redactor=redactor,
                                  policy=ReadOnlyPolicy(lambda: settings.writes_refused, login_calls))
    transport = OriginTransport(transport, OriginPolicy(base_url), shown=redactor.url)
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    all_headers.update(headers or {})
    return ApiClient(
        request_log=log,
        redactor=redactor,
        base_url=base_url,
        auth=auth,
        headers=all_headers,
        timeout=httpx.Timeout(settings.timeout),
        transport=transport,
        follow_redirects=False,
    )
