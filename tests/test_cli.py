"""The ``isptui`` command line: ``--version`` as a real process; the rest in this process (tests/cli_run.py)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from isptui import __version__
from tests.cli_run import run_cli

cli_main = importlib.import_module("isptui.cli.main")  # the module; isptui.cli.main the attribute is the function


def test_version() -> None:
    """A real process: ``python -m isptui --version`` prints one line and exits 0."""
    out = subprocess.run([sys.executable, "-m", "isptui", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert out.stdout.strip() == f"isptui {__version__}"


def test_unknown_backend_is_a_usage_error() -> None:
    out = run_cli("open", "nosuch", "--url", "http://127.0.0.1:1")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr
    assert "Traceback" not in out.stderr


def test_run_cli_gives_what_a_process_would() -> None:
    """The in-process runner: --version's exit and line, a replaced environment, stdin that is no tty."""
    out = run_cli("--version", env={"ONLY": "this"})
    assert (out.returncode, out.stdout.strip(), out.stderr) == (0, f"isptui {__version__}", "")
    assert "ONLY" not in os.environ and "PATH" in os.environ  # replaced for the call only


def test_run_cli_sees_its_environment_and_no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run(args: object) -> int:
        seen.update(env=dict(os.environ), tty=sys.stdin.isatty(), stdin=sys.stdin.read(),
                    out=sys.stdout.isatty(), err=sys.stderr.isatty())
        print("to stdout")
        print("to stderr", file=sys.stderr)
        return 3

    monkeypatch.setattr(cli_main, "_run", fake_run)
    out = run_cli("--profile", "x", env={"ONLY": "this"})
    assert (out.returncode, out.stdout, out.stderr) == (3, "to stdout\n", "to stderr\n")
    assert seen == {"env": {"ONLY": "this"}, "tty": False, "stdin": "", "out": False, "err": False}


def test_run_cli_lets_an_unhandled_exception_fail_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a subprocess showed as a traceback on stderr reaches pytest as the exception itself."""
    def boom(args: object) -> int:
        raise RuntimeError("unhandled")

    monkeypatch.setattr(cli_main, "_run", boom)
    with pytest.raises(RuntimeError, match="unhandled"):
        run_cli("--profile", "x")
