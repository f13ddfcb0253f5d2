"""Krill (Phicus) REST API v2 emulator: a Django REST Framework server under `/api/v2/`, as an ASGI app.

JWT login and refresh, DRF roots, LimitOffset paging (absolute links for `isp`, relative for `rubik`),
`attrs`/`joins`, CPE `_links` that all answer, DRF OPTIONS metadata, `Allow` headers and DRF error bodies,
over the shared dataset: Krill customer N owns CPE N and its POTS lines (docs/krill.md §2, Appendix A.7).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from isptui.sandbox.krill.state import KrillState
from isptui.sandbox.krill.tokens import TokenService
from isptui.sandbox.krill.views import DJANGO_404, Call, dispatch, endpoints
from isptui.sandbox.options import SandboxOptions

__all__ = ["create_app"]

PREFIX = "/api/v2/"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(options: SandboxOptions, *, clock: Callable[[], float] = time.time) -> Starlette:
    """The Krill emulator for ``options``; ``clock`` (epoch seconds) lets tests make tokens expire."""
    state = KrillState(options.dataset)
    # A sandbox-only signing key; derived from the seed so tokens survive a restart of the same sandbox.
    secret = hashlib.sha256(f"isptui-krill-sandbox-{options.dataset.seed}".encode()).digest()
    tokens = TokenService(secret, access_ttl=options.token_ttl, clock=clock)
    credentials = (options.credentials.krill_username, options.credentials.krill_password)
    table = endpoints(state)

    async def handle(request: Request) -> Response:
        rest = request.url.path.split(PREFIX, 1)[1] if PREFIX in request.url.path else ""
        for endpoint in table:
            match = endpoint.regex.fullmatch(rest)
            if match:
                params = {k: v for k, v in match.groupdict().items() if v is not None}
                return await dispatch(Call(request, params, state, tokens, credentials), endpoint)
        return Response(DJANGO_404, 404, media_type="text/html")

    routes = [
        Route("/api/v2", handle, methods=METHODS),
        Route("/api/v2/{rest:path}", handle, methods=METHODS),
    ]
    return Starlette(routes=routes)
