"""Turning a Profile into a connected Backend, and a failed connection into one clear line.

Sits between config and the UI: the CLI and the profile picker call ``open_profile``; the UI only ever
sees a connected ``Backend`` or a ``ConnectFailed`` whose message is fit for stderr or an error panel.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.config.profiles import Profile
from isptui.config.secrets import resolve_secret
from isptui.errors import (
    AuthFailed,
    BackendError,
    ConnectionFailed,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RequestTimeout,
)

if TYPE_CHECKING:
    from isptui.http.log import RequestLog

class ConnectFailed(Exception):
    """Opening a profile failed; ``message`` is one line: what failed, where, why, what to try."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def settings_for(profile: Profile, *, request_log: RequestLog | None = None,
                 prompt: Callable[[str], str] | None = None, transport: object = None) -> BackendSettings:
    """BackendSettings with every secret reference resolved (values live only in memory)."""
    credentials: dict[str, str] = {}
    for cred in profile.descriptor.credentials:
        value = profile.credential(cred.key)
        if value is None:
            continue
        if cred.secret:
            where = f"profile {profile.name!r}, key {cred.key!r}"
            value = resolve_secret(value, where=where, prompt=prompt).get_secret_value()
        credentials[cred.setting_key] = value
    verify: bool | str = profile.ca_bundle if (profile.verify and profile.ca_bundle) else profile.verify
    return BackendSettings(
        url=profile.url,
        credentials=credentials,
        read_only=profile.starts_read_only,
        verify=verify,
        timeout=profile.timeout,
        transport=transport,  # type: ignore[arg-type]
        request_log=request_log,
        profile_name=profile.name,
    )


def explain(error: BackendError, backend: str, url: str) -> str:
    """One line for a failed connection check: what failed, where, why, what to try.

    Adapters often say what to try already; a hint is added only where the message has none.
    """
    head = f"isptui: cannot open {backend} at {url}"
    detail = " ".join(error.message.split())
    if isinstance(error, ConnectionFailed):
        lowered = detail.lower()
        if "tls" in lowered or "certificate" in lowered or "ssl" in lowered:
            hint = "check the certificate, or pass --ca-bundle FILE (or --insecure for a lab)"
        elif "resolve" in lowered:
            hint = "check the host name in --url"
        else:
            hint = "is the server running and the URL right?"
    elif isinstance(error, RequestTimeout):
        hint = "try --timeout with a larger value"
    elif isinstance(error, AuthFailed):
        hint = "check the credentials"
    elif isinstance(error, PermissionDenied):
        hint = "the credentials lack permission for this"
    elif isinstance(error, NotFound):
        hint = f"is this the right backend for that URL? (no {backend} API found there)"
    elif isinstance(error, MalformedResponse):
        hint = f"the server did not answer like a {backend} API; check the URL and the backend"
    else:
        hint = ""
    if not hint or _has_hint(detail):
        return f"{head}: {detail}"
    return f"{head}: {detail}; {hint}"


def _has_hint(detail: str) -> bool:
    lowered = detail.lower()
    return any(word in lowered for word in ("check ", "try ", "is the server", "?"))


async def open_profile(profile: Profile, *, request_log: RequestLog | None = None,
                       prompt: Callable[[str], str] | None = None, transport: object = None) -> Backend:
    """Build the adapter for a profile and run its connection check; raises ConnectFailed."""
    from isptui.config.errors import ConfigError

    try:
        settings = settings_for(profile, request_log=request_log, prompt=prompt, transport=transport)
    except ConfigError as exc:
        raise ConnectFailed(f"isptui: {exc.message}") from exc
    return await connect_with(profile, settings)


def backend_for(profile: Profile, settings: BackendSettings) -> Backend:
    """The adapter instance for a profile, not yet connected; raises ConnectFailed if it cannot load."""
    try:
        backend_cls = load_backend(profile.backend)
    except (KeyError, TypeError) as exc:
        raise ConnectFailed(f"isptui: {exc.args[0] if exc.args else exc}") from exc
    return backend_cls(settings)


async def connect_with(profile: Profile, settings: BackendSettings) -> Backend:
    """Connect an adapter built from already resolved settings; raises ConnectFailed with one line."""
    backend = backend_for(profile, settings)
    try:
        await backend.connect()
    except BackendError as exc:
        await _quiet_close(backend)
        raise ConnectFailed(_scrub(explain(exc, profile.backend, profile.url), settings)) from exc
    return backend


def _scrub(line: str, settings: BackendSettings) -> str:
    """Never let a secret reach stderr, even if a server echoed it back into an error message."""
    for secret in settings.secrets():
        if len(secret) >= 4:
            line = line.replace(secret, "***")
    return line


async def _quiet_close(backend: Backend) -> None:
    with contextlib.suppress(BackendError):
        await backend.close()
