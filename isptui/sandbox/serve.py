"""``isptui sandbox serve``: the emulators over real HTTP on 127.0.0.1, and ``serving()`` for tests.

The socket is bound here, before uvicorn starts, so a port in use is one clear line (exit 1) instead of a
uvicorn log, and port 0 gives a real ephemeral port that can be printed and handed to tests.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from isptui.sandbox import BACKEND_PREFIXES, Sandbox, create_sandbox
from isptui.sandbox.options import SandboxCredentials

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (OSError if it cannot be had).

    The protocol is named (IPPROTO_TCP, not 0): asyncio turns Nagle off (TCP_NODELAY) only on accepted sockets
    whose ``proto`` says TCP, and uvicorn writes a response's headers and body separately, so with Nagle on
    every answer with a body waited ~40 ms for the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _root_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    return f"http://{shown}:{port}"


def _credentials(backend: str, creds: SandboxCredentials) -> tuple[str, str]:
    """(what to tell the user, the flags of ``isptui open``) for one backend."""
    if backend == "splynx":
        return (f"API key {creds.splynx_api_key}, secret {creds.splynx_api_secret} (basic, signature or token);"
                f" admin {creds.splynx_admin_login} / {creds.splynx_admin_password}",
                f"--api-key {creds.splynx_api_key} --api-secret {creds.splynx_api_secret}")
    if backend == "krill":
        return (f"username {creds.krill_username}, password {creds.krill_password}",
                f"--username {creds.krill_username} --password {creds.krill_password}")
    if backend == "ispcrm":
        return (f"token {creds.ispcrm_token} (Authorization: Bearer or X-Auth-Token)",
                f"--token {creds.ispcrm_token}")
    if backend == "trisul":
        return (f"username {creds.trisul_username}, api_token {creds.trisul_api_token}, contextname "
                f"{creds.trisul_context} (in the JSON body of every request)",
                f"--username {creds.trisul_username} --api-token {creds.trisul_api_token} "
                f"--context {creds.trisul_context}")
    return "none (network-restricted)", ""


def banner(sandbox: Sandbox, root: str) -> str:
    """One copy-pasteable block per backend served: API base URL, credentials, ``isptui open`` command."""
    data = sandbox.options.dataset
    lines = [f"isptui sandbox on {root}  ({data.customers} customers, seed {data.seed})"]
    if sandbox.chaos is not None:
        lines.append(f"chaos: {sandbox.chaos.spec.describe()}")
    for backend in sandbox.backends:
        told, flags = _credentials(backend, sandbox.options.credentials)
        lines += ["", f"{backend}: {root}{BACKEND_PREFIXES[backend]}",
                  f"  credentials: {told}",
                  f"  isptui open {backend} --url {root}" + (f" {flags}" if flags else "")]
    return "\n".join(lines)


def _server(app: Any, timeout_graceful_shutdown: float) -> Any:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                            timeout_graceful_shutdown=timeout_graceful_shutdown)
    return uvicorn.Server(config)


def run_serve(args: argparse.Namespace) -> int:
    """Serve the sandbox until interrupted; exit 2 for a bad --chaos or size, 1 if the port is taken."""
    try:
        sandbox = create_sandbox(args.backend, customers=args.customers, seed=args.seed, chaos=args.chaos,
                                 quirks=getattr(args, "quirks", ""))
    except ValueError as exc:
        print(f"isptui sandbox serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        reason = "the port is already in use" if exc.errno in (98, 48, 10048) else exc.strerror or str(exc)
        print(f"isptui sandbox serve: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return EXIT_RUNTIME
    port = sock.getsockname()[1]
    print(banner(sandbox, _root_url(args.host, port)), flush=True)
    print("\nCtrl+C stops the sandbox.", flush=True)
    # A hanging chaos "timeout" must not hold Ctrl+C for two minutes: in-flight requests get 2 s.
    server = _server(sandbox.app, timeout_graceful_shutdown=2)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return EXIT_OK


@contextlib.contextmanager
def serving(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` under uvicorn in a background thread; yields ``http://host:port``; stops on exit."""
    with serving_each([app], host, port) as urls:
        yield urls[0]


class _ByPort:
    """One ASGI app per listening port: each request goes to the app of the port it came in on."""

    def __init__(self, apps: dict[int, Any]) -> None:
        self.apps = apps

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.apps[scope["server"][1]](scope, receive, send)


@contextlib.contextmanager
def serving_each(apps: list[Any], host: str = "127.0.0.1", port: int = 0) -> Iterator[list[str]]:
    """Several apps, each on its own port, under ONE uvicorn server (one start-up, one thread); yields their
    root URLs in order. Tests that serve many sandboxes pay uvicorn's start and stop once."""
    socks: list[socket.socket] = []
    try:
        for _ in apps:
            socks.append(_bind(host, port))
    except OSError:
        for sock in socks:
            sock.close()
        raise
    ports = [sock.getsockname()[1] for sock in socks]
    app = apps[0] if len(apps) == 1 else _ByPort(dict(zip(ports, apps, strict=True)))
    server = _server(app, timeout_graceful_shutdown=0.5)
    thread = threading.Thread(target=server.run, kwargs={"sockets": socks}, name="sandbox-serving", daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            time.sleep(0.01)
        if not server.started:
            raise RuntimeError(f"the sandbox server did not start on {host}:{ports[0]}")
        yield [_root_url(host, p) for p in ports]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for sock in socks:
            sock.close()
