"""Arguments shared by every command that connects to a server (open, and later export and doctor)."""

from __future__ import annotations

import argparse
import sys

SECRET_FLAGS = {"api_secret": "--api-secret", "password": "--password", "api_token": "--api-token",
                "token": "--token"}

BACKENDS = ("splynx", "krill", "ispcrm", "trisul", "carbon")


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    """``BACKEND --url URL`` and the credential and TLS flags."""
    parser.add_argument("backend", choices=BACKENDS)
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key")
    parser.add_argument("--api-secret")
    parser.add_argument("--splynx-auth", choices=("basic", "signature", "token"))
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--api-token")
    parser.add_argument("--context")
    parser.add_argument("--token")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--insecure", action="store_true")
    parser.add_argument("--ca-bundle")
    parser.add_argument("--timeout", type=float)


def warn_secret_flags(args: argparse.Namespace) -> None:
    """One warning line when a literal secret came as a flag: other users of the host see argv in ``ps``.

    A reference (``--password env:NAME``, ``--password prompt``) is fine and not warned about.
    """
    from isptui.config.secrets import is_reference

    given = [flag for dest, flag in SECRET_FLAGS.items()
             if isinstance(getattr(args, dest, None), str) and not is_reference(getattr(args, dest))]
    if given:
        print(f"isptui: warning: {', '.join(given)} on the command line can be read by other users (ps); "
              f"pass {given[0]} env:NAME or {given[0]} prompt instead", file=sys.stderr)
