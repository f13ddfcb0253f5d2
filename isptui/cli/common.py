"""Arguments shared by every command that connects to a server (open, and later export and doctor).

The backend names and the credential flags come from the backend registry (the plug-in contract): a
plug-in's backend and its flags appear here without a line changed.
"""

from __future__ import annotations

import argparse

from isptui.backends import registry


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    """``BACKEND --url URL``, every registered backend's credential flags, and the TLS flags."""
    descriptors = registry.descriptors()
    parser.add_argument("backend", choices=[d.name for d in descriptors],
                        help="; ".join(f"{d.name}: {d.title}" for d in descriptors))
    parser.add_argument("--url", required=True)
    users: dict[str, list[str]] = {}
    for desc in descriptors:
        for cred in desc.credentials:
            users.setdefault(cred.key, []).append(f"{desc.name}, env {cred.env}" if cred.env else desc.name)
    for key, cred in registry.credential_fields().items():
        parser.add_argument(cred.flag, dest=key, choices=cred.choices or None,
                            metavar=None if cred.choices else key.upper(),
                            help=f"{cred.help} ({'; '.join(users[key])})")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--insecure", action="store_true")
    parser.add_argument("--ca-bundle")
    parser.add_argument("--timeout", type=float)


def demo_backends() -> tuple[str, ...]:
    """The registered backends the sandbox emulates (``isptui demo``, ``isptui sandbox serve``)."""
    from isptui.sandbox import BACKEND_PREFIXES

    return tuple(name for name in registry.names() if name in BACKEND_PREFIXES)
