"""``isptui config path|check``."""

from __future__ import annotations

import argparse
import os

from isptui.cli.errors import EXIT_USAGE, CliError
from isptui.text import clean


def add_parser(sub: argparse._SubParsersAction) -> None:
    config = sub.add_parser("config", help="where the config file is, and whether it is valid")
    config.add_argument("action", nargs="?", default="path", choices=("path", "check"))


def run(args: argparse.Namespace) -> int:
    from isptui.config.errors import ConfigError
    from isptui.config.file import load_profiles
    from isptui.config.paths import config_path

    path = config_path()
    if args.action == "path":
        print(clean(str(path)))
        return 0
    try:
        profiles = load_profiles(path, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    if not path.exists():
        print(clean(f"{path}: no config file (profiles from the environment: {len(profiles)})"))
    for profile in sorted(profiles.values(), key=lambda p: p.name):
        flags = [f for f, on in (("read-only", profile.read_only), ("production", profile.production),
                                 ("insecure", not profile.verify)) if on]
        extra = f" [{', '.join(flags)}]" if flags else ""
        print(clean(f"{profile.name}: {profile.backend} {profile.url} ({profile.source}){extra}"))
    print(f"ok: {len(profiles)} profile(s)")
    return 0
