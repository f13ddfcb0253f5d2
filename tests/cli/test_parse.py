"""The command line is parsed by a parser holding only the command named (issue 15 item 8, first paint):
the same arguments, output and exit codes as the full parser, without importing every command's module."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import pytest

from isptui.cli.main import build_parser, parse

ARGVS = [[], ["demo"], ["demo", "splynx"], ["demo", "all", "--read-only"], ["--profile", "a"],
         ["--profile", "a", "--profile", "b"], ["--profile=a", "config", "path"], ["--prof", "a"],
         ["export", "splynx", "--url", "http://x", "customers"], ["journal", "list"],
         ["sandbox", "serve", "--backend", "splynx"], ["find", "x"],
         # errors and help: the same text on stdout and stderr, the same exit code
         ["demo", "bogus"], ["bogus"], ["--profile"], ["demo", "--customers", "x"], ["--version"], ["-h"],
         ["demo", "-h"], ["doctor", "-h"]]


def _outcome(parser_of, argv: list[str]) -> tuple[object, str, str]:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = vars(parser_of(argv))
        except SystemExit as exc:
            result = ("exit", exc.code)
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_parse_is_the_full_parser(argv: list[str]) -> None:
    assert _outcome(parse, argv) == _outcome(lambda a: build_parser().parse_args(a), argv)


def test_starting_the_picker_or_the_demo_imports_no_other_command() -> None:
    code = ("import sys; from isptui.cli.main import parse; parse(sys.argv[1:]); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('isptui.cli.'))))")
    for argv, expected in (([], "isptui.cli.errors isptui.cli.main"),
                           (["demo", "splynx"], "isptui.cli.common isptui.cli.demo isptui.cli.errors isptui.cli.main")):
        done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
        assert done.stdout.split() == expected.split(), (argv, done.stdout)
