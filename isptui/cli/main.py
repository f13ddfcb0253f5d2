"""Parse arguments, hand each subcommand to its module, map errors to exit codes.

Exit codes: 0 ok, 1 runtime error, 2 usage or config error, each with one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from isptui import __version__
from isptui.cli.errors import CliError
from isptui.text import clean

COMMANDS = ("demo", "open", "sandbox", "journal", "config", "export", "doctor", "find")
"""Subcommands, each a module of this package with ``add_parser`` and ``run``."""


def _command(name: str):  # noqa: ANN202 - a module
    return importlib.import_module(f"isptui.cli.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="isptui", description="Keyboard-first explorer for ISP REST APIs.")
    parser.add_argument("--version", action="version", version=f"isptui {__version__}")
    parser.add_argument("--profile", action="append",
                        help="open a profile from config.toml; several open side by side (ctrl+o switches)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        _command(name).add_parser(sub)
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command and isinstance(getattr(args, "profile", None), list):
        # `isptui --profile A export …`: a subcommand takes one profile (the last given, as argparse would).
        args.profile = args.profile[-1]
    if args.command:
        return _command(args.command).run(args)
    if args.profile:
        from isptui.cli.open import run_profile

        return run_profile(args)
    from isptui.cli.demo import run_picker

    return run_picker(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except CliError as exc:
        print(clean(exc.message, multiline=True), file=sys.stderr)  # server text may be in it
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `isptui journal list | head`: the reader left; stop quietly, as other Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
