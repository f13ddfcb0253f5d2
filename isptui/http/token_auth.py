"""A base httpx.Auth for APIs with access tokens that expire: renew before use, renew once after a 401.

Splynx and Krill differ only in how they log in, refresh and recognise a token problem; the flow itself
(one renewal at a time, resend once when the 401 proves the request was not applied) lives here once.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncGenerator, Generator

import httpx

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Flow = Generator[httpx.Request, httpx.Response, None]


class RenewingTokenAuth(httpx.Auth, abc.ABC):
    """Subclasses provide the token state and the renew sub-flow; this class drives sync and async use."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @abc.abstractmethod
    def _fresh(self) -> bool:
        """A token is held and will not expire in the next few seconds."""

    @abc.abstractmethod
    def _current(self) -> str | None:
        """The access token now in use (to tell whether another request already renewed it)."""

    @abc.abstractmethod
    def _renew(self, force: bool, like: httpx.Request) -> Flow:
        """Refresh or log in, as a generator of the requests that takes; raise AuthFailed at the end."""

    @abc.abstractmethod
    def _authorize(self, request: httpx.Request) -> None:
        """Put the current token on the request."""

    @abc.abstractmethod
    def _resendable(self, request: httpx.Request, response: httpx.Response) -> bool:
        """Whether this 401 proves the request was not applied, so it may be resent after renewing."""

    def sync_auth_flow(self, request: httpx.Request) -> Flow:
        yield from self._renew(False, request)
        self._authorize(request)
        response = yield request
        if self._resendable(request, response):
            yield from self._renew(True, request)
            self._authorize(request)
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # One renewal at a time: a request that waited on the lock finds the token already renewed.
        if not self._fresh():
            async with self._lock:
                renew = self._renew(False, request)
                step = _advance(renew, None)
                while step is not None:
                    answer = yield step
                    await answer.aread()  # our own flow, so httpx does not read bodies for us
                    step = _advance(renew, answer)
        self._authorize(request)
        used = self._current()
        response = yield request
        if response.status_code == 401:
            await response.aread()
        if not self._resendable(request, response):
            return
        async with self._lock:
            renew = self._renew(self._current() == used, request)
            step = _advance(renew, None)
            while step is not None:
                answer = yield step
                await answer.aread()
                step = _advance(renew, answer)
        self._authorize(request)
        yield request


def _advance(flow: Flow, answer: httpx.Response | None) -> httpx.Request | None:
    """The renew flow's next request, or None when it has finished (an async generator cannot
    ``yield from`` a sync one, so the async flow steps it by hand)."""
    try:
        return next(flow) if answer is None else flow.send(answer)
    except StopIteration:
        return None


def with_client_headers(new: httpx.Request, original: httpx.Request) -> httpx.Request:
    """The auth call with the client's own User-Agent and Accept: Splynx binds tokens to the user agent
    (``USER_AGENT_CHANGED``), and requests made inside an auth flow do not get the client's headers."""
    for name in ("user-agent", "accept"):
        if name in original.headers:
            new.headers[name] = original.headers[name]
    return new
