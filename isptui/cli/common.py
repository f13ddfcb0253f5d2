"""Arguments shared by every command that connects to a server (open, and later export and doctor)."""

from __future__ import annotations

import argparse

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
