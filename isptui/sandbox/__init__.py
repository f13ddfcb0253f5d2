"""The sandbox: faithful emulators of the five ISP APIs over one seeded dataset, in-process or served.

``create_sandbox("all")`` gives one ASGI app that routes each vendor's real path prefix to its emulator, so
one base URL serves every backend. Vendor modules are imported lazily, on the first request to their
prefix, which keeps creation instant at any size (the dataset itself is generated on demand).

Importing this package is light (the backends' base paths, for ``isptui demo``'s choices before the first
paint): the dataset, chaos, options and recorder modules are imported by ``create_sandbox`` or on first use
of the names re-exported here.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from isptui.sandbox.chaos import ChaosMiddleware, ChaosSpec
    from isptui.sandbox.options import SandboxCredentials, SandboxOptions
    from isptui.sandbox.recorder import ReceivedRequest

__all__ = [
    "BACKEND_PREFIXES",
    "ChaosSpec",
    "ReceivedRequest",
    "Sandbox",
    "SandboxCredentials",
    "SandboxOptions",
    "backend_for_path",
    "create_sandbox",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BACKEND_PREFIXES: dict[str, str] = {
    "splynx": "/api/2.0/",
    "krill": "/api/v2/",
    "ispcrm": "/api/v1",
    "trisul": "/api/ipdrcustomers",
    "carbon": "/rest_api/v2/",
}
"""Each backend's real API base path; with ``--backend all`` one server answers all of them."""
LEGACY_PREFIXES: dict[str, str] = {"splynx": "/api/1.0/"}
"""Older bases a vendor still serves (Splynx's API v1, the PHP client's default), routed to the same app."""


_LAZY = {"ChaosSpec": "chaos", "ReceivedRequest": "recorder", "SandboxCredentials": "options",
         "SandboxOptions": "options"}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - PEP 562: the re-exported classes, imported on first use
    if name in _LAZY:
        return getattr(importlib.import_module(f"isptui.sandbox.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_arguments(backend: str = "all", *, customers: int = 200, chaos: str | ChaosSpec = "") -> ChaosSpec | None:
    """The chaos spec ``create_sandbox`` would use (None: no chaos given); ValueError for an unknown backend,
    too few customers or a bad chaos spec (so a command can refuse them before it starts)."""
    if backend != "all" and backend not in BACKEND_PREFIXES:
        raise ValueError(f"unknown sandbox backend {backend!r} (choose {', '.join(BACKEND_PREFIXES)} or all)")
    if customers < 1:
        raise ValueError(f"the sandbox needs at least 1 customer, not {customers}")
    if not isinstance(chaos, str):
        return chaos
    if not chaos:
        return None
    from isptui.sandbox.chaos import ChaosSpec

    return ChaosSpec.parse(chaos)


def backend_for_path(path: str) -> str | None:
    """The backend whose prefix owns ``path`` (``/api/v1`` but not ``/api/v10``), or None."""
    for name, prefix in [*BACKEND_PREFIXES.items(), *LEGACY_PREFIXES.items()]:
        stem = prefix.rstrip("/")
        if path == stem or path.startswith(stem + "/"):
            return name
    return None


async def _json(send: Send, status: int, body: object) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


class VendorDispatcher:
    """One ASGI app for several backends: routes by path prefix, builds each vendor app on first use."""

    def __init__(self, backends: tuple[str, ...], options: SandboxOptions) -> None:
        self.backends = backends
        self.options = options
        self._apps: dict[str, ASGIApp] = {}

    def app_for(self, backend: str) -> ASGIApp:
        """The vendor's app (``isptui.sandbox.<backend>.create_app``), built once."""
        if backend not in self._apps:
            name = f"isptui.sandbox.{backend}"
            create = getattr(importlib.import_module(name), "create_app", None)
            if create is None:  # a package still being written has no create_app yet
                raise ModuleNotFoundError(f"{name} has no create_app", name=name)
            self._apps[backend] = create(self.options)
        return self._apps[backend]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # Vendor apps keep no resources, so startup and shutdown are immediate.
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        backend = backend_for_path(scope["path"])
        if backend is None or backend not in self.backends:
            await self._index(scope, send)
            return
        try:
            app = self.app_for(backend)
        except ModuleNotFoundError as exc:
            if exc.name != f"isptui.sandbox.{backend}":
                raise
            await _json(send, 501, {"error": f"sandbox: the {backend} emulator is not available"})
            return
        await app(scope, receive, send)

    async def _index(self, scope: Scope, send: Send) -> None:
        """``GET /`` names the API bases served here (a curl starting point); anything else is 404."""
        if scope["path"] != "/":
            await _json(send, 404, {"error": f"sandbox: no API is served at {scope['path']}"})
            return
        host = dict(scope.get("headers", [])).get(b"host", b"localhost").decode("latin-1")
        base = f"{scope.get('scheme', 'http')}://{host}"
        await _json(send, 200, {"sandbox": "isptui",
                                "backends": {b: base + BACKEND_PREFIXES[b] for b in self.backends}})


@dataclass
class Sandbox:
    """A running-in-process sandbox: the ASGI app plus what it received and what chaos injected."""

    app: ASGIApp
    options: SandboxOptions
    backends: tuple[str, ...]
    received: list[ReceivedRequest] = field(default_factory=list)
    chaos: ChaosMiddleware | None = None
    dispatcher: VendorDispatcher | None = None

    def clear_received(self) -> None:
        """Forget recorded requests (the list object stays the same)."""
        self.received.clear()

    def transport(self) -> httpx.ASGITransport:
        """An httpx transport that talks to this sandbox without a socket."""
        import httpx

        return httpx.ASGITransport(app=self.app)


def create_sandbox(
    backend: str = "all",
    *,
    customers: int = 200,
    seed: int = 1,
    chaos: str | ChaosSpec = "",
    credentials: SandboxCredentials | None = None,
    quirks: str | frozenset[str] = frozenset(),
) -> Sandbox:
    """Build a sandbox for one backend or ``"all"``; ValueError for an unknown backend or a bad chaos spec.

    The app is ``recorder(chaos(dispatcher))``: the recorder sees every request, even those chaos answers.
    """
    from isptui.sandbox.chaos import ChaosMiddleware
    from isptui.sandbox.dataset import Dataset
    from isptui.sandbox.options import SandboxCredentials, SandboxOptions
    from isptui.sandbox.quirks import parse_quirks
    from isptui.sandbox.recorder import RecorderMiddleware

    spec = check_arguments(backend, customers=customers, chaos=chaos)

    quirk_names = parse_quirks(quirks) if isinstance(quirks, str) else parse_quirks(",".join(quirks))
    options = SandboxOptions(
        dataset=Dataset(customers=customers, seed=seed),
        credentials=credentials or SandboxCredentials(),
        token_ttl=spec.token_ttl if spec is not None else None,
        quirks=quirk_names,
    )
    backends = tuple(BACKEND_PREFIXES) if backend == "all" else (backend,)
    dispatcher = VendorDispatcher(backends, options)
    if backend != "all":
        dispatcher.app_for(backend)  # a single backend that cannot be built should fail here, loudly
    inner: ASGIApp = dispatcher
    chaos_mw: ChaosMiddleware | None = None
    if spec:
        chaos_mw = ChaosMiddleware(dispatcher, spec, seed=seed)
        inner = chaos_mw
    received: list[ReceivedRequest] = []
    app = RecorderMiddleware(inner, received)
    return Sandbox(app=app, options=options, backends=backends, received=received,
                   chaos=chaos_mw, dispatcher=dispatcher)
