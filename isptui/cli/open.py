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

from isptui.cli.common import add_connection_args
from isptui.cli.errors import EXIT_RUNTIME, EXIT_USAGE, CliError

if TYPE_CHECKING:
    from isptui.backends.base import BackendSettings
    from isptui.config.profiles import Profile


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_connection_args(sub.add_parser("open", help="connect to a server"))


def _launch(profile: Profile) -> int:
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
        return asyncio.run(open_session(profile, settings))
    except ConnectFailed as exc:
        raise CliError(exc.message, EXIT_RUNTIME) from exc


async def open_session(profile: Profile, settings: BackendSettings, **run_options: Any) -> int:
    """Connect (and log in) once, before the terminal is taken over, then run the app on that connection.

    The app runs in this same event loop, so the connected client (its pool, its token) is handed over
    as it is instead of being checked, closed and built again. ``run_options`` go to ``App.run_async``
    (tests pass ``headless`` and ``auto_pilot``). Raises ConnectFailed with the one-line reason.
    """
    from isptui.cli.connect import connect_with
    from isptui.ui.launch import run_profile_app

    backend = await connect_with(profile, settings)
    if not profile.verify:
        print(f"isptui: warning: TLS verification is off for {profile.url}", file=sys.stderr)
    return await run_profile_app(profile, settings, backend, **run_options)


def run(args: argparse.Namespace) -> int:
    """``isptui open BACKEND --url URL …``."""
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_for_open

    try:
        profile = profile_for_open(args, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    return _launch(profile)


def run_profile(args: argparse.Namespace) -> int:
    """``isptui --profile NAME``."""
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_by_name

    try:
        profile = profile_by_name(args.profile, None, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    return _launch(profile)
