"""Read-only enforcement for Carbon, where reads and writes are the same ``POST /rest_api/v2/<Model>/``.

The HTTP layer's guard knows methods and paths only, so for Carbon it lets POSTs to the API through (they
are declared as allowed calls) and this request hook, which sees the form body, refuses any chain whose
methods are not all known reads before anything leaves the process.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from urllib.parse import parse_qsl

import httpx

from isptui.backends.carbon.chain import READ_METHODS
from isptui.errors import ReadOnlyViolation
from isptui.http.redact import Redactor

API_POSTS = ("POST", "/rest_api/v2/*")
"""The generic guard's allowance: every POST under the API; :class:`ReadOnlyChains` then decides."""


def chain_methods(content: bytes) -> list[str]:
    """The ``methodN`` values of a form body, in order."""
    pairs = parse_qsl(content.decode("utf-8", "replace"), keep_blank_values=True)
    methods = {k: v for k, v in pairs if k.startswith("method") and k[6:].isdigit()}
    return [methods[k] for k in sorted(methods, key=lambda k: int(k[6:]))]


class ReadOnlyChains(httpx.Auth):
    """Refuse POSTs whose chain holds a method that is not a known read (``Version`` queries pass)."""

    requires_request_body = True

    def __init__(self, redactor: Redactor, active: Callable[[], bool] | None = None) -> None:
        self._redactor = redactor
        # Asked per request: an elevated production session may write from then on.
        self._active = active or (lambda: True)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._active() and request.method not in ("GET", "HEAD", "OPTIONS"):
            writes = [m for m in chain_methods(request.content) if m not in READ_METHODS]
            if writes:
                url = self._redactor.url(request.url)
                raise ReadOnlyViolation(f"read-only profile: refused Carbon {', '.join(writes)} on {url}; "
                                        "nothing was sent", method=request.method, url=url)
        yield request
