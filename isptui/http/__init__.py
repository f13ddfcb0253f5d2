"""The HTTP layer: client factory, retries, read-only guard, redaction, request log, error mapping.

Nothing here imports Textual; the UI reaches it only through a Backend.
"""

from __future__ import annotations

from isptui.http.client import ApiClient, InsecureConnectionWarning, make_client, tls_context
from isptui.http.curl import to_curl
from isptui.http.errors import (
    fetch_json,
    json_body,
    raise_for_status,
    send,
    server_message,
    transport_error,
)
from isptui.http.guard import SAFE_METHODS, LoginCall, ReadOnlyGuard, ReadOnlyPolicy, is_allowed
from isptui.http.log import Exchange, RequestLog
from isptui.http.recording import RecordingTransport
from isptui.http.redact import MASK, Redactor, is_secret_name
from isptui.http.retry import RetryTransport, parse_retry_after

__all__ = [
    "MASK",
    "SAFE_METHODS",
    "ApiClient",
    "Exchange",
    "InsecureConnectionWarning",
    "LoginCall",
    "ReadOnlyGuard",
    "ReadOnlyPolicy",
    "RecordingTransport",
    "Redactor",
    "RequestLog",
    "RetryTransport",
    "fetch_json",
    "is_allowed",
    "is_secret_name",
    "json_body",
    "make_client",
    "parse_retry_after",
    "raise_for_status",
    "send",
    "server_message",
    "tls_context",
    "to_curl",
    "transport_error",
]
