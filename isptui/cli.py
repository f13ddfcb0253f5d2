"""Command line: parse arguments, hand each subcommand to the layer that owns it, map errors to exit codes.

Exit codes: 0 ok, 1 runtime error, 2 usage or config error, each with one line on stderr. Subcommands import
their modules lazily so ``isptui --version`` stays instant and never imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from isptui import __version__

BACKENDS = ("splynx", "krill", "ispcrm", "trisul", "carbon")

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """An expected failure: printed as one line on stderr with its exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_RUNTIME) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="isptui", description="Keyboard-first explorer for ISP REST APIs.")
    parser.add_argument("--version", action="version", version=f"isptui {__version__}")
    parser.add_argument("--profile", help="open a profile from config.toml")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="explore the built-in sandbox (no network)")
    demo.add_argument("backend", nargs="?", choices=BACKENDS)
    demo.add_argument("--customers", type=int, default=200)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--chaos", default="", help="e.g. latency=200ms,error_rate=0.1")
    demo.add_argument("--read-only", action="store_true")

    open_ = sub.add_parser("open", help="connect to a server")
    open_.add_argument("backend", choices=BACKENDS)
    open_.add_argument("--url", required=True)
    open_.add_argument("--api-key")
    open_.add_argument("--api-secret")
    open_.add_argument("--splynx-auth", choices=("basic", "signature", "token"))
    open_.add_argument("--username")
    open_.add_argument("--password")
    open_.add_argument("--api-token")
    open_.add_argument("--context")
    open_.add_argument("--token")
    open_.add_argument("--read-only", action="store_true")
    open_.add_argument("--insecure", action="store_true")
    open_.add_argument("--ca-bundle")
    open_.add_argument("--timeout", type=float)

    sandbox = sub.add_parser("sandbox", help="run the sandbox emulators")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND", required=True)
    serve = sandbox_sub.add_parser("serve", help="serve the emulators over HTTP")
    serve.add_argument("--backend", default="all", choices=(*BACKENDS, "all"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--customers", type=int, default=200)
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--chaos", default="")

    journal = sub.add_parser("journal", help="list, show or undo journalled writes")
    journal.add_argument("action", nargs="?", default="list", choices=("list", "show", "undo"))
    journal.add_argument("id", nargs="?")

    config = sub.add_parser("config", help="where the config file is, and whether it is valid")
    config.add_argument("action", nargs="?", default="path", choices=("path", "check"))
    return parser


def _not_available(feature: str) -> Callable[[argparse.Namespace], int]:
    def run(_: argparse.Namespace) -> int:
        raise CliError(f"isptui: {feature} is not available yet", EXIT_USAGE)

    return run


def _handler(args: argparse.Namespace) -> Callable[[argparse.Namespace], int]:
    """The function that runs a parsed command; modules are imported only when their command runs."""
    if args.command == "sandbox":
        from isptui.sandbox.serve import run_serve

        return run_serve
    if args.command == "demo":
        return _import_or_unavailable("isptui.ui.launch", "run_demo", "isptui demo")
    if args.command == "open":
        from isptui.profile_cmd import run_open

        return run_open
    if args.command == "journal":
        return _import_or_unavailable("isptui.journal_cli", "run_journal", "isptui journal")
    if args.command == "config":
        from isptui.config.cli import run_config

        return run_config
    if args.profile:
        from isptui.profile_cmd import run_profile

        return run_profile
    return _import_or_unavailable("isptui.ui.launch", "run_picker", "the profile picker")


def _import_or_unavailable(module: str, name: str, feature: str) -> Callable[[argparse.Namespace], int]:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == module or module.startswith(exc.name + ".")):
            return _not_available(feature)
        raise
    return getattr(mod, name, None) or _not_available(feature)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _handler(args)(args)
    except CliError as exc:
        print(exc.message, file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
