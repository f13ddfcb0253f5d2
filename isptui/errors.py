"""The BackendError family: every failure an adapter can meet, typed, with where it happened.

Each error carries a one-line ``message`` (what happened and what to try), a short ``title`` for a
notification, and the ``method``/``url``/``status`` of the exchange. Adapters raise them ``from`` the
underlying exception so tracebacks stay useful in logs, while the user only ever sees the message.
"""

from __future__ import annotations

from collections.abc import Mapping


class BackendError(Exception):
    """Base of every expected failure talking to an ISP API."""

    default_title = "Request failed"

    def __init__(
        self,
        message: str,
        title: str | None = None,
        *,
        method: str | None = None,
        url: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.title = title or self.default_title
        self.method = method
        self.url = url
        self.status = status

    def where(self) -> str:
        """``GET https://host/path -> 404`` or as much of it as is known."""
        parts = [p for p in (self.method, self.url) if p]
        text = " ".join(parts)
        if self.status is not None:
            text = f"{text} -> {self.status}" if text else f"HTTP {self.status}"
        return text

    def __str__(self) -> str:
        where = self.where()
        return f"{self.message} ({where})" if where else self.message


class ConnectionFailed(BackendError):
    default_title = "Connection failed"


class RequestTimeout(BackendError):
    default_title = "Timed out"


class AuthFailed(BackendError):
    default_title = "Authentication failed"


class PermissionDenied(BackendError):
    default_title = "Not permitted"


class NotFound(BackendError):
    default_title = "Not found"


class ValidationFailed(BackendError):
    """The server (or our own pre-check) refused the input; ``field_errors`` maps field -> messages."""

    default_title = "Validation failed"

    def __init__(
        self,
        message: str,
        title: str | None = None,
        *,
        field_errors: Mapping[str, list[str]] | None = None,
        **where: object,
    ) -> None:
        super().__init__(message, title, **where)  # type: ignore[arg-type]
        self.field_errors: dict[str, list[str]] = {k: list(v) for k, v in (field_errors or {}).items()}


class Conflict(BackendError):
    """The record moved under us: the server refused a conditional write (409/412), or the write path's
    re-read found fields changed since the form opened. ``fields`` maps name -> (when read, now) and
    ``current`` is the record as the server holds it now, when known (one class for both, so the UI
    shows one conflict view)."""

    default_title = "Conflict"

    def __init__(self, message: str, title: str | None = None, *, fields: Mapping[str, tuple[object, object]]
                 | None = None, current: object = None, **where: object) -> None:
        super().__init__(message, title, **where)  # type: ignore[arg-type]
        self.fields: dict[str, tuple[object, object]] = dict(fields or {})
        self.current = current


class MethodRefused(BackendError):
    """405: the server does not take this verb here; ``allow`` lists the ones it named (may be empty)."""

    default_title = "Method not allowed"

    def __init__(self, message: str, title: str | None = None, *, allow: tuple[str, ...] = (),
                 **where: object) -> None:
        super().__init__(message, title, **where)  # type: ignore[arg-type]
        self.allow = allow


class RateLimited(BackendError):
    default_title = "Rate limited"

    def __init__(self, message: str, title: str | None = None, *, retry_after: float | None = None,
                 **where: object) -> None:
        super().__init__(message, title, **where)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(BackendError):
    default_title = "Server error"


class MalformedResponse(BackendError):
    default_title = "Malformed response"


class ReadOnlyViolation(BackendError):
    """A write was attempted on a read-only connection; raised before anything is sent."""

    default_title = "Read-only"


class OffOrigin(BackendError):
    """A request or redirect would have left the configured origin; nothing was sent there.

    Credentials go only to the profile's origin (scheme, host, port); another origin is fetched only when
    the user asked for it, and then without credentials.
    """

    default_title = "Another origin"


class NotApplied(BackendError):
    """A write or action was answered with a redirect (3xx): the server did not apply it.

    An SSO proxy answering 302 after a session expired is the common case; it must never read as saved.
    """

    default_title = "Not applied"

    def __init__(self, message: str, title: str | None = None, *, location: str | None = None,
                 **where: object) -> None:
        super().__init__(message, title, **where)  # type: ignore[arg-type]
        self.location = location


class ResponseTooLarge(MalformedResponse):
    """A body grew past ``ISPTUI_MAX_BODY`` (decoded) while it was read; reading stopped there."""

    default_title = "Response too large"


class WriteUnconfirmed(BackendError):
    """The server accepted a write, but reading the record back failed.

    Not a failed write: the caller must journal it and must not offer to send it again.
    """

    default_title = "Saved, not confirmed"

    def __init__(self, message: str, title: str | None = None, *, ref: object = None,
                 sent: object = None, **where: object) -> None:
        super().__init__(message, title, **where)  # type: ignore[arg-type]
        self.ref = ref
        self.sent = sent


class NotSupported(BackendError):
    """The resource or backend cannot do this (e.g. Krill POTS create, Carbon without delete)."""

    default_title = "Not supported"


def error_for_status(status: int) -> type[BackendError]:
    """The error class that an HTTP status maps to, when the body says nothing more specific."""
    if status in (401, 407):
        return AuthFailed
    if status == 403:
        return PermissionDenied
    if status in (404, 410):
        return NotFound
    if status in (400, 422):
        return ValidationFailed
    if status in (409, 412):
        return Conflict
    if status == 429:
        return RateLimited
    if status == 408:
        return RequestTimeout
    if status >= 500:
        return ServerError
    return BackendError


def retryable(error: BackendError) -> bool:
    """Whether asking again may work: not for a 4xx (the same request fails the same way), save 408/429."""
    return error.status is None or error.status >= 500 or error.status in (408, 429)
