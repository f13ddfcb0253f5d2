"""``isptui open …`` and ``isptui --profile NAME``: build the profile, connect once, run the app on it.

The connection is made before the terminal is taken over, so a failure is one line on stderr with exit
code 1 (config problems exit 2), never a traceback or a half-drawn screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING, Any

from isptui.cli.common import add_connection_args, warn_secret_flags
from isptui.cli.errors import EXIT_RUNTIME, EXIT_USAGE, CliError
from isptui.text import clean

if TYPE_CHECKING:
    from isptui.backends.base import BackendSettings
    from isptui.config.profiles import Profile


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("open", help="connect to a server")
    add_connection_args(parser)
    parser.add_argument("--mask", action="store_true", default=None, help="mask personal data (also ISPTUI_MASK=1)")


def _launch(profile: Profile, mask: bool | None = None) -> int:
    from isptui.cli.connect import ConnectFailed, settings_for
    from isptui.config.errors import ConfigError
    from isptui.http import RequestLog

    log = RequestLog()
    try:
        # Secrets are resolved once (a `prompt` reference asks once) and reused by the app's connection.
        settings = settings_for(profile, request_log=log)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    try:
        return asyncio.run(open_session(profile, settings, mask=mask))
    except ConnectFailed as exc:
        raise CliError(exc.message, EXIT_RUNTIME) from exc


async def open_session(profile: Profile, settings: BackendSettings, *, mask: bool | None = None,
                       **run_options: Any) -> int:
    """Connect (and log in) once, before the terminal is taken over, then run the app on that connection.

    The app runs in this same event loop, so the connected client (its pool, its token) is handed over
    as it is instead of being checked, closed and built again. ``run_options`` go to ``App.run_async``
    (tests pass ``headless`` and ``auto_pilot``). Raises ConnectFailed with the one-line reason.
    """
    from isptui.cli.connect import connect_with
    from isptui.ui.launch import run_profile_app

    backend = await connect_with(profile, settings)
    if not profile.verify:
        print(clean(f"isptui: warning: TLS verification is off for {profile.url}"), file=sys.stderr)
    return await run_profile_app(profile, settings, backend, mask=mask, **run_options)


def run(args: argparse.Namespace) -> int:
    """``isptui open BACKEND --url URL …``."""
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_for_open

    warn_secret_flags(args)
    try:
        profile = profile_for_open(args, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    return _launch(profile, getattr(args, "mask", None))


def run_profile(args: argparse.Namespace) -> int:
    """``isptui --profile NAME [--profile NAME2 …]``: one profile, or several side by side."""
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_by_name

    names = [args.profile] if isinstance(args.profile, str) else list(dict.fromkeys(args.profile))
    try:
        profiles = [profile_by_name(name, None, os.environ) for name in names]
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    if len(profiles) == 1:
        return _launch(profiles[0])
    return _launch_several(profiles)


def _launch_several(profiles: list[Profile], mask: bool | None = None) -> int:
    """Several profiles: secrets resolved first (each ``prompt`` asks once), then all connect at once
    inside the app; one that fails shows its error in its own slot while the others work."""
    from isptui.cli.connect import settings_for
    from isptui.config.errors import ConfigError
    from isptui.http import RequestLog

    resolved = []
    for profile in profiles:
        try:
            resolved.append((profile, settings_for(profile, request_log=RequestLog())))
        except ConfigError as exc:
            raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    return asyncio.run(open_workspace_session(resolved, mask=mask))


async def open_workspace_session(resolved: list[tuple[Profile, BackendSettings]], *, mask: bool | None = None,
                                 **run_options: Any) -> int:
    """The app on several resolved profiles side by side (``run_options`` as for ``open_session``)."""
    from isptui.ui.launch import run_workspace_app

    for profile, _settings in resolved:
        if not profile.verify:
            print(clean(f"isptui: warning: TLS verification is off for {profile.url}"), file=sys.stderr)
    return await run_workspace_app(resolved, mask=mask, **run_options)
