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


class _Unsure(Exception):
    """The parser for one command could not parse the arguments: the full parser says what is wrong."""


class _OneCommandParser(argparse.ArgumentParser):
    """The parser with only the named command (or none): an error is left to the full parser."""

    def error(self, message: str):  # type: ignore[no-untyped-def]  # noqa: ANN201 - argparse's signature
        raise _Unsure(message)


def build_parser(commands: Sequence[str] = COMMANDS, *,
                 parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The command line's parser, with every command (``--help`` lists them) or only those named."""
    parser = parser_class(prog="isptui", description="Keyboard-first explorer for ISP REST APIs.")
    parser.add_argument("--version", action="version", version=f"isptui {__version__}")
    parser.add_argument("--profile", action="append",
                        help="open a profile from config.toml; several open side by side (ctrl+o switches)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands:
        _command(name).add_parser(sub)
    return parser


def _named_command(argv: Sequence[str]) -> tuple[str, ...] | None:
    """The commands a parser for ``argv`` needs: the one it names, none, or None for all of them.

    Adding a command's parser imports its module (and through them the backend registry and the sandbox),
    a tenth of a second before the first paint that plain ``isptui`` and ``isptui demo`` need not pay. All
    are added when in doubt: ``--help`` (it lists them), ``--`` or an option this cannot skip, a word that
    is no command (the error names the commands).
    """
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--profile":
            index += 2
        elif arg.startswith("--profile="):
            index += 1
        elif arg in COMMANDS:
            return (arg,)
        else:
            return None
    return ()


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` parsed, by a parser with only the command it names when that is enough (same result)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = _named_command(argv)
    if commands is not None:
        try:
            return build_parser(commands, parser_class=_OneCommandParser).parse_args(argv)
        except _Unsure:
            pass  # the full parser prints the usage and the error, and exits 2
    return build_parser().parse_args(argv)


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
    args = parse(argv)
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
