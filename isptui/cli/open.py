"""``isptui open …`` and ``isptui --profile NAME``: build the profile, check the connection, run the app.

The connection check runs before the terminal is taken over, so a failure is one line on stderr with exit
code 1 (config problems exit 2), never a traceback or a half-drawn screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

from isptui.cli.common import add_connection_args
from isptui.cli.errors import EXIT_RUNTIME, EXIT_USAGE, CliError

if TYPE_CHECKING:
    from isptui.backends.base import BackendSettings
    from isptui.config.profiles import Profile


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("open", help="connect to a server")
    add_connection_args(parser)
    parser.add_argument("--mask", action="store_true", default=None, help="mask personal data (also ISPTUI_MASK=1)")


def check_connection(profile: Profile, settings: BackendSettings) -> None:
    """Connect and close once; raises CliError with the one-line reason on failure."""
    from isptui.cli.connect import ConnectFailed, connect_with

    async def probe() -> None:
        backend = await connect_with(profile, settings)
        await backend.close()

    try:
        asyncio.run(probe())
    except ConnectFailed as exc:
        raise CliError(exc.message, EXIT_RUNTIME) from exc


def _launch(profile: Profile, mask: bool | None = None) -> int:
    from isptui.cli.connect import settings_for
    from isptui.config.errors import ConfigError
    from isptui.http import RequestLog

    log = RequestLog()
    try:
        # Secrets are resolved once (a `prompt` reference asks once) and reused by the app's connection.
        settings = settings_for(profile, request_log=log)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    check_connection(profile, settings)
    if not profile.verify:
        print(f"isptui: warning: TLS verification is off for {profile.url}", file=sys.stderr)
    from isptui.ui.launch import run_profile_app

    return run_profile_app(profile, settings, mask=mask)


def run(args: argparse.Namespace) -> int:
    """``isptui open BACKEND --url URL …``."""
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_for_open

    try:
        profile = profile_for_open(args, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    return _launch(profile, getattr(args, "mask", None))


def run_profile(args: argparse.Namespace) -> int:
    """``isptui --profile NAME``."""
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_by_name

    try:
        profile = profile_by_name(args.profile, None, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    return _launch(profile)
