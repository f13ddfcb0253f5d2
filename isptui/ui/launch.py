"""Entry points from the command line: ``isptui demo`` and the plain ``isptui`` profile picker.

The demo runs the real adapters against the in-process sandbox (no socket, no network): each backend gets
``BackendSettings`` with the sandbox's fixed credentials and ``transport=sandbox.transport()``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from isptui.ui.profiles import ProfileEntry

if TYPE_CHECKING:
    from isptui.backends.base import Backend, BackendSettings
    from isptui.config.profiles import Profile
    from isptui.sandbox import Sandbox, SandboxCredentials, VendorDispatcher
    from isptui.ui.app import IspApp

DEMO_URL = "http://isptui-demo.invalid"
"""Any origin works with an in-process transport; ``.invalid`` cannot be mistaken for a real server. It must
not contain a sandbox secret (``sandbox`` is a password), or redaction would mask the host in the log."""

from isptui.backends import registry  # noqa: E402
from isptui.cli.common import demo_backends  # noqa: E402
from isptui.cli.errors import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE  # noqa: E402


class DeferredSandbox:
    """``create_sandbox("all", …)`` made on first use, by the first connection (in its thread), not before
    the first paint: its arguments are checked now (a bad ``--chaos`` is a usage error before the app)."""

    def __init__(self, *, customers: int = 200, seed: int = 1, chaos: str = "") -> None:
        from isptui.sandbox import check_arguments
        from isptui.sandbox.options import SandboxCredentials

        check_arguments(customers=customers, chaos=chaos)  # ValueError, as create_sandbox would raise
        self.arguments = {"customers": customers, "seed": seed, "chaos": chaos}
        self.credentials = SandboxCredentials()
        """The sandbox's credentials (``create_sandbox``'s default) without making it."""
        self._made: Sandbox | None = None
        self._lock = threading.Lock()  # `isptui demo all` builds its five connections in parallel threads

    def made(self) -> Sandbox:
        with self._lock:
            if self._made is None:
                from isptui.sandbox import create_sandbox

                self._made = create_sandbox("all", credentials=self.credentials, **self.arguments)
            return self._made

    @property
    def dispatcher(self) -> VendorDispatcher | None:
        return self.made().dispatcher

    def transport(self) -> Any:  # noqa: ANN401 - Sandbox.transport's httpx transport (the UI names no httpx)
        return self.made().transport()


def demo_credentials(backend: str, sandbox: Sandbox | DeferredSandbox) -> dict[str, str]:
    """The sandbox's fixed credentials (docs/product.md) in the adapter's ``credentials`` keys."""
    creds: SandboxCredentials = (sandbox.credentials if isinstance(sandbox, DeferredSandbox)
                                 else sandbox.options.credentials)
    return {
        "splynx": {"api_key": creds.splynx_api_key, "api_secret": creds.splynx_api_secret, "auth": "basic"},
        "krill": {"username": creds.krill_username, "password": creds.krill_password},
        "ispcrm": {"token": creds.ispcrm_token},
        "trisul": {"username": creds.trisul_username, "api_token": creds.trisul_api_token,
                   "context": creds.trisul_context},
        "carbon": {},
    }[backend]


def demo_profiles(sandbox: Sandbox | DeferredSandbox, backends: Sequence[str] | None = None, *, read_only: bool = False,
                  loader: Callable[[str], type[Backend]] | None = None) -> list[ProfileEntry]:
    """One picker entry per demo backend; nothing heavy is imported until an entry is chosen.

    httpx, pydantic models, the adapter and the vendor's sandbox app (starlette) cost a few hundred ms to
    import; the picker must paint before that, so each entry's ``build`` does it (the app calls ``build``
    in a thread). The entry's request log is created there too, once, and kept across reconnects.
    """
    entries = []
    for name in demo_backends() if backends is None else backends:
        credentials = demo_credentials(name, sandbox)
        try:
            description = registry.descriptor(name).description
        except registry.RegistryError:
            description = ""  # the entry's build says why when it is chosen
        entry = ProfileEntry(
            name=f"demo-{name}", backend_name=name, build=_unbuilt, description=description,
            read_only=read_only, secrets=registry.secret_values(credentials), source="demo")
        entry.build = _builder(entry, loader, name, sandbox, credentials, read_only)
        entries.append(entry)
    return entries


def _unbuilt() -> Backend:
    raise RuntimeError("demo entry used before its builder was set")


def _builder(entry: ProfileEntry, loader: Callable[[str], type[Backend]] | None, name: str,
             sandbox: Sandbox | DeferredSandbox,
             credentials: dict[str, str], read_only: bool) -> Callable[[], Backend]:
    def build() -> Backend:
        from isptui.backends.base import BackendSettings, load_backend
        from isptui.errors import NotSupported
        from isptui.http import RequestLog

        if entry.request_log is None:
            entry.request_log = RequestLog()
        try:
            cls = (loader or load_backend)(name)
        except (KeyError, ImportError, TypeError) as exc:
            # An adapter that is not installed (or still being written) is a panel in the picker, not a crash.
            raise NotSupported(f"The {name} adapter is not available: {exc}", "Adapter missing") from exc
        if sandbox.dispatcher is not None:
            # Build the vendor's sandbox app here (off the event loop when called from a thread) rather than
            # inside the first request, where its import would freeze the screen.
            with contextlib.suppress(ImportError):
                sandbox.dispatcher.app_for(name)
        settings = BackendSettings(url=DEMO_URL, credentials=credentials, read_only=read_only,
                                   transport=sandbox.transport(), request_log=entry.request_log,
                                   profile_name=entry.name)
        return cls(settings)

    return build


def profile_entry(profile: Profile, settings: BackendSettings, connected: Backend | None = None) -> ProfileEntry:
    """A picker entry for a configured, environment or command-line profile with resolved settings.

    ``connected``: a backend the command line already connected; the app uses it for its first connection.
    """
    from isptui.cli.connect import backend_for

    def build() -> Backend:
        from isptui.cli.connect import ConnectFailed
        from isptui.errors import NotSupported

        try:
            return backend_for(profile, settings)
        except ConnectFailed as exc:
            raise NotSupported(exc.message, "Adapter missing") from exc

    return ProfileEntry(
        name=profile.name, backend_name=profile.backend, build=build, description=profile.url,
        request_log=settings.request_log, read_only=profile.read_only, production=profile.production,
        insecure=not profile.verify, theme=profile.theme, source=profile.source, secrets=settings.secrets(),
        connected=connected)


def config_profiles() -> list[ProfileEntry]:
    """Configured and environment profiles as picker entries, with nothing resolved yet.

    Secret references (``command:``, ``keyring:``, ``env:``) are resolved only for the profile the user
    opens, when it is opened: listing profiles must not run anyone's command. A ``prompt`` reference cannot
    be asked inside the picker; opening it says to use ``isptui --profile NAME``, which asks first.
    """
    import os

    from isptui.backends.registry import descriptors
    from isptui.config.paths import config_path

    # No config file and no <BACKEND>_URL variable: nothing to list, and no reason to import the profile
    # model (pydantic) before the picker's first paint.
    if not config_path(os.environ).exists() and not any(
            d.url_env and os.environ.get(d.url_env) for d in descriptors()):
        return []
    from isptui.config import load_profiles

    return [lazy_profile_entry(profile) for profile in load_profiles(None, os.environ).values()]


def lazy_profile_entry(profile: Profile) -> ProfileEntry:
    """A picker entry whose secrets are resolved by its ``build`` (the moment the profile is opened)."""
    from isptui.config.secrets import is_reference
    from isptui.http import RequestLog

    literals = [v for v in profile.secret_refs().values() if v and not is_reference(v)]
    entry = ProfileEntry(
        name=profile.name, backend_name=profile.backend, build=_unbuilt, description=profile.url,
        request_log=RequestLog(), read_only=profile.read_only, production=profile.production,
        insecure=not profile.verify, theme=profile.theme, source=profile.source, secrets=literals)

    def build() -> Backend:
        from isptui.cli.connect import ConnectFailed, backend_for, settings_for
        from isptui.config.errors import ConfigError
        from isptui.errors import AuthFailed, NotSupported

        try:
            settings = settings_for(profile, request_log=entry.request_log, prompt=_no_prompt)
        except ConfigError as exc:
            asks = "prompt" in profile.secret_refs().values()
            hint = f"; open it with: isptui --profile {profile.name}" if asks else ""
            raise AuthFailed(exc.message + hint, "Secret not resolved") from exc
        entry.secrets = settings.secrets()
        try:
            return backend_for(profile, settings)
        except ConnectFailed as exc:
            raise NotSupported(exc.message, "Adapter missing") from exc

    entry.build = build
    return entry


def _no_prompt(label: str) -> str:
    raise EOFError(label)


async def run_profile_app(profile: Profile, settings: BackendSettings, backend: Backend, *,
                          mask: bool | None = None, **run_options: Any) -> int:
    """``isptui open`` / ``isptui --profile``: the explorer on one profile over its connected ``backend``.

    Runs in the event loop that connected the backend (``App.run_async``), so its client stays usable.
    """
    entry = profile_entry(profile, settings, connected=backend)
    app = _app([entry], start=entry.name, mask=mask)
    if app is None:
        await backend.close()
        return EXIT_USAGE
    result = await app.run_async(**run_options)
    return _exit_code(app, result)


async def run_workspace_app(resolved: Sequence[tuple[Profile, BackendSettings]], *, mask: bool | None = None,
                            **run_options: Any) -> int:
    """``isptui --profile A --profile B``: every profile connects inside the app, each in its own slot."""
    # Built and connected by the app, each in its own slot: a refused connection is that slot's error panel.
    entries = [profile_entry(profile, settings) for profile, settings in resolved]
    app = _app(entries, mask=mask, workspace=[e.name for e in entries])
    if app is None:
        return EXIT_USAGE
    result = await app.run_async(**run_options)
    return _exit_code(app, result)


def run_demo(args: argparse.Namespace) -> int:
    """``isptui demo [BACKEND]``: the real adapters against the in-process sandbox."""
    try:
        sandbox = DeferredSandbox(customers=args.customers, seed=args.seed, chaos=args.chaos or "")
    except ValueError as exc:
        print(f"isptui demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    one = args.backend if args.backend and args.backend != "all" else None
    backends = (one,) if one else demo_backends()
    profiles = demo_profiles(sandbox, backends, read_only=bool(args.read_only))
    workspace = [p.name for p in profiles] if args.backend == "all" else None
    return _run(profiles, start=profiles[0].name if one else None, mask=getattr(args, "mask", None),
                workspace=workspace)


def run_picker(args: argparse.Namespace) -> int:
    """Plain ``isptui``: configured and environment profiles, and the demo backends."""
    from isptui.config.errors import ConfigError

    try:
        configured = config_profiles()
    except ConfigError as exc:
        print(f"isptui: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    return _run([*configured, *demo_profiles(DeferredSandbox())])


def _app(profiles: list[ProfileEntry], start: str | None = None, mask: bool | None = None,
         workspace: list[str] | None = None) -> IspApp | None:
    """The app on these entries with the user's keymap; None (the reason on stderr) if the keymap is bad."""
    from isptui.config.errors import ConfigError
    from isptui.config.keys import load_keymap
    from isptui.ui.app import IspApp

    try:
        keymap = load_keymap()
    except ConfigError as exc:
        print(f"isptui: {exc.message}", file=sys.stderr)
        return None
    return IspApp(profiles, start=start, keymap=keymap, mask=mask, workspace=workspace)


def _run(profiles: list[ProfileEntry], start: str | None = None, mask: bool | None = None,
         workspace: list[str] | None = None) -> int:
    app = _app(profiles, start, mask, workspace)
    if app is None:
        return EXIT_USAGE
    return _exit_code(app, app.run())


def _exit_code(app: IspApp, result: int | None) -> int:
    if app.return_code not in (None, 0):
        return app.return_code or EXIT_RUNTIME
    return int(result or EXIT_OK)
