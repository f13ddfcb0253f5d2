"""Run the ``isptui`` command line in this process: the same ``main()`` a subprocess runs, without its start-up.

A subprocess per test paid 1-2 s of CPU each for the imports; ``run_cli`` calls
``isptui.cli.main.main(argv)`` with what a subprocess would give it:

- stdout and stderr are ``io.StringIO`` (not ttys, like a pipe), captured and returned;
- stdin is an empty ``io.StringIO`` (not a tty; reads see end of file, like ``stdin=DEVNULL``);
- ``SystemExit`` (argparse's exit 2 on a usage error, ``--help``'s 0) becomes the return code;
- ``env``, when given, replaces the whole environment for the call (restored after), as ``env=`` did.

An exception ``main()`` does not handle is not caught: it fails the test with its traceback, where a
subprocess would have printed "Traceback" on stderr. The process itself (``python -m isptui`` printing one
line and exiting with the code) is covered by the few subprocess tests that remain, one per command:
tests/test_cli.py (``--version``), tests/trust/test_config_cli.py (``open``), tests/cli/test_doctor.py
(``doctor``), tests/export/test_export.py (``export``, and Ctrl-C).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from unittest import mock

from isptui.cli.main import main


@dataclass(frozen=True)
class Result:
    """What a finished command left: its exit code and everything it wrote (the fields of CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """``isptui ARGS`` run in this process; see the module docstring for how it stands in for a subprocess."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if env is not None:
            stack.enter_context(mock.patch.dict(os.environ, env, clear=True))
        stack.enter_context(mock.patch.object(sys, "stdin", io.StringIO("")))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = _exit_code(main(list(args)), err)
        except SystemExit as exc:
            code = _exit_code(exc.code, err)
    return Result(code, out.getvalue(), err.getvalue())


def _exit_code(code: object, err: io.StringIO) -> int:
    """The status a process exiting with ``SystemExit(code)`` would have (a message goes to stderr, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=err)
    return 1
