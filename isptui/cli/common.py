"""Arguments shared by every command that connects to a server (open, and later export and doctor).

The backend names and the credential flags come from the backend registry (the plug-in contract): a
plug-in's backend and its flags appear here without a line changed.
"""

from __future__ import annotations

import argparse
import sys

from isptui.backends import registry


class _Intermixed(argparse.ArgumentParser):
    """A subcommand parser taking options between optional and required positionals.

    Plain argparse gives ``splynx`` to RESOURCE in ``export splynx --url U customers`` (it matches
    positionals chunk by chunk); the intermixed parse collects every positional first.
    """

    _inside = False

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201 - argparse's signature
        if self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def add_connection_args(parser: argparse.ArgumentParser, *, or_profile: bool = False) -> None:
    """``BACKEND --url URL``, every registered backend's credential flags, and the TLS flags.

    With ``or_profile`` the command also takes ``--profile NAME`` instead of ``BACKEND --url``
    (``profile_or_flags`` checks that one of the two was given).
    """
    descriptors = registry.descriptors()
    names = [d.name for d in descriptors]
    about = "; ".join(f"{d.name}: {d.title}" for d in descriptors)
    if or_profile:
        # Options may sit between BACKEND and the command's own positionals (export's RESOURCE).
        parser.__class__ = _Intermixed
        parser.add_argument("backend", nargs="?", choices=names, help=about)
        parser.add_argument("--url")
        # SUPPRESS: `isptui --profile NAME export …` keeps the top-level value instead of resetting it.
        parser.add_argument("--profile", default=argparse.SUPPRESS, help="a profile from config.toml")
    else:
        parser.add_argument("backend", choices=names, help=about)
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


def profile_or_flags(args: argparse.Namespace):  # noqa: ANN201 - a Profile, imported lazily
    """The profile a connecting command names: ``--profile NAME`` or ``BACKEND --url URL`` with flags.

    Raises CliError (exit 2) when neither or a half of it is given, or the config is wrong.
    """
    import os

    from isptui.cli.errors import EXIT_USAGE, CliError
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_by_name, profile_for_open

    name = getattr(args, "profile", None)
    try:
        if name:
            if args.backend or args.url:
                raise CliError("isptui: give either --profile NAME or BACKEND --url URL, not both", EXIT_USAGE)
            return profile_by_name(name, args, os.environ)
        if not args.backend or not args.url:
            raise CliError(f"isptui {args.command}: give BACKEND --url URL or --profile NAME", EXIT_USAGE)
        return profile_for_open(args, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc


def demo_backends() -> tuple[str, ...]:
    """The registered backends the sandbox emulates (``isptui demo``, ``isptui sandbox serve``)."""
    from isptui.sandbox import BACKEND_PREFIXES

    return tuple(name for name in registry.names() if name in BACKEND_PREFIXES)


def warn_secret_flags(args: argparse.Namespace) -> None:
    """One warning line when a literal secret came as a flag: other users of the host see argv in ``ps``.

    A reference (``--password env:NAME``, ``--password prompt``) is fine and not warned about.
    """
    from isptui.config.secrets import is_reference

    # The registry says which credential flags are secrets (a plug-in's too).
    flags = {cred.key: cred.flag for desc in registry.descriptors() for cred in desc.credentials if cred.secret}
    given = [flag for dest, flag in flags.items()
             if isinstance(getattr(args, dest, None), str) and not is_reference(getattr(args, dest))]
    if given:
        print(f"isptui: warning: {', '.join(given)} on the command line can be read by other users (ps); "
              f"pass {given[0]} env:NAME or {given[0]} prompt instead", file=sys.stderr)
