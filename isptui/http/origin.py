"""The origin policy: credentials go only to the configured origin, and redirects are checked here.

One object per connection, consulted by the transport for every request and every redirect hop, for all
five backends alike (adapters never decide this themselves):

* A request to another origin (scheme, host, effective port) is refused before anything is sent, unless
  the caller marked it ``EXTERNAL`` (the user confirmed opening an off-origin link). Then it is sent with
  every credential-bearing header removed: no Authorization, X-Auth-Token, cookie, API key or signature.
* Reads (GET/HEAD/OPTIONS) follow redirects on the same origin, at most ``MAX_REDIRECTS`` hops (Django's
  ``APPEND_SLASH`` 301 is the common case), re-sending the credentials only because the origin is the
  same. A redirect to another origin is not followed: it is an ``OffOrigin`` error naming the target.
* A write or action answered with any 3xx is ``NotApplied`` ("not applied — redirected to …"): an SSO
  proxy's 302 after a session expired must never read as "Saved".
"""

from __future__ import annotations

import httpx

from isptui.errors import NotApplied, OffOrigin

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_REDIRECTS = 5
EXTERNAL = "isptui.external"
"""Request extension: the user confirmed fetching this off-origin URL (it goes without credentials)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# What an off-origin request may carry; everything else could be a credential (custom auth headers too).
_HARMLESS_HEADERS = frozenset({"host", "user-agent", "accept", "accept-encoding", "accept-language",
                               "connection", "content-type", "content-length"})

Origin = tuple[str, str, int]


def origin_of(url: object) -> Origin | None:
    """(scheme, host, effective port) of an http(s) URL, lower-cased; None when it is not one."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url))
        scheme = parsed.scheme.lower()
        host = parsed.host.lower()
        port = parsed.port or _DEFAULT_PORTS.get(scheme)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if scheme not in _DEFAULT_PORTS or not host or port is None:
        return None
    return scheme, host, port


class OriginPolicy:
    """The configured origin of one connection, and the rule for what may go where."""

    def __init__(self, base_url: str | httpx.URL) -> None:
        origin = origin_of(base_url)
        if origin is None:
            raise ValueError(f"not an http(s) URL with a host: {str(base_url)[:100]!r}")
        self.origin = origin

    def allows(self, url: str | httpx.URL) -> bool:
        """Whether ``url`` is on the configured origin (so credentials may go there)."""
        return origin_of(url) == self.origin

    def describe(self) -> str:
        scheme, host, port = self.origin
        return f"{scheme}://{host}:{port}"


def strip_credentials(request: httpx.Request) -> None:
    """Remove every header that could carry a credential (all but a short list of harmless ones)."""
    for name in list(request.headers.keys()):
        if name.lower() not in _HARMLESS_HEADERS:
            del request.headers[name]


class OriginTransport(httpx.AsyncBaseTransport):
    """Outermost link of the chain: enforces the origin policy on every request and redirect hop."""

    def __init__(self, inner: httpx.AsyncBaseTransport, policy: OriginPolicy, *, shown: object = str,
                 max_redirects: int = MAX_REDIRECTS) -> None:
        self._inner = inner
        self.policy = policy
        self._shown = shown  # how a URL is shown in a message (the connection's redactor)
        self._max = max_redirects

    def _url(self, url: object) -> str:
        return str(self._shown(url))  # type: ignore[operator]

    def _admit(self, request: httpx.Request) -> None:
        if self.policy.allows(request.url):
            return
        if not request.extensions.get(EXTERNAL):
            raise OffOrigin(f"{self._url(request.url)} is on another origin than {self.policy.describe()}; "
                            "not fetched (credentials go only to the configured origin)",
                            method=request.method, url=self._url(request.url))
        strip_credentials(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._admit(request)
        hops = 0
        while True:
            response = await self._inner.handle_async_request(request)
            if not 300 <= response.status_code < 400 or response.status_code == 304:
                return response
            method = request.method.upper()
            location = response.headers.get("location", "")
            try:
                target = request.url.join(location) if location else None
            except (httpx.InvalidURL, ValueError):
                target = None
            shown = self._url(target) if target is not None else "(no usable Location)"
            where = {"method": method, "url": self._url(request.url), "status": response.status_code}
            if method not in SAFE_METHODS:
                await response.aclose()
                raise NotApplied(f"not applied — redirected to {shown} (HTTP {response.status_code}); the "
                                 "session may have expired: reconnect and check before retrying",
                                 location=shown, **where)  # type: ignore[arg-type]
            if response.status_code not in _REDIRECTS or target is None:
                return response
            await response.aclose()
            if not self.policy.allows(target) and not request.extensions.get(EXTERNAL):
                raise OffOrigin(f"redirected to {shown}, another origin than {self.policy.describe()}; not "
                                "followed (credentials go only to the configured origin)", **where)
            hops += 1
            if hops > self._max:
                raise OffOrigin(f"more than {self._max} redirects, the last to {shown}; not followed",
                                "Too many redirects", **where)
            request = _next_hop(request, target, response.status_code)
            self._admit(request)


def _next_hop(request: httpx.Request, target: httpx.URL, status: int) -> httpx.Request:
    """The request for the next hop; only safe methods get here, so there is no body to carry."""
    headers = httpx.Headers(request.headers)
    headers.pop("host", None)
    method = "GET" if status == 303 and request.method.upper() != "HEAD" else request.method
    hop = httpx.Request(method, target, headers=headers, extensions=dict(request.extensions))
    return hop
