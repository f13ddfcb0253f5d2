from __future__ import annotations

import subprocess
import sys

from isptui import __version__


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "isptui", *args], capture_output=True, text=True, timeout=60)


def test_version() -> None:
    out = _run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"isptui {__version__}"


def test_unknown_backend_is_a_usage_error() -> None:
    out = _run("open", "nosuch", "--url", "http://127.0.0.1:1")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr
    assert "Traceback" not in out.stderr
