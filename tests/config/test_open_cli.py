"""`isptui open` failures: one line on stderr, the right exit code, no traceback and no secret.

Run against the served sandbox, a closed port on 127.0.0.1, and a tiny local server that answers HTML; the
servers are real, reached over 127.0.0.1. The command runs in this process (tests/cli_run.py): the same
``main()`` as ``python -m isptui open``, writing to the same (non-tty) output streams, so the line, the exit
code and the secret check are the same; an unhandled exception fails the test with its traceback. A
subprocess per test cost 1-2 s of imports each; the process boundary itself (one line, the exit code) is
covered by the subprocess test in tests/trust/test_config_cli.py.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from isptui.sandbox import create_sandbox
from isptui.sandbox.serve import serving
from tests.cli_run import Result, run_cli

SECRET = "Sup3r-secret-value"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serving(create_sandbox("all").app) as url:
        yield url


@pytest.fixture(scope="module")
def splynx_only() -> Iterator[str]:
    with serving(create_sandbox("splynx").app) as url:
        yield url


class _HtmlHandler(BaseHTTPRequestHandler):
    def _html(self) -> None:
        body = b"<html><head><title>Login - Corporate Proxy</title></head><body>sign in</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_OPTIONS = _html

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def html_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    # shutdown() waits for serve_forever's next poll: 0.5 s by default, at every module's end.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_open(*args: str) -> Result:
    return run_cli("open", *args)


def assert_one_line(result: Result, code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    # A literal secret given as a flag adds one warning line first (argv is visible in ps); tested in tests/trust.
    lines = [line for line in result.stderr.strip().splitlines() if " on the command line can be read" not in line]
    assert len(lines) == 1, result.stderr
    assert SECRET not in result.stderr + result.stdout
    return lines[0]


def test_connection_refused() -> None:
    port = closed_port()
    line = assert_one_line(run_open("krill", "--url", f"http://127.0.0.1:{port}", "--username", "operator",
                                    "--password", SECRET), 1)
    assert line.startswith(f"isptui: cannot open krill at http://127.0.0.1:{port}: ")
    assert "is the server running and the URL right?" in line


def test_name_not_resolved() -> None:
    line = assert_one_line(run_open("ispcrm", "--url", "http://no-such-host.invalid", "--token", SECRET), 1)
    assert "name not resolved" in line and "no-such-host.invalid" in line


@pytest.mark.parametrize(
    ("backend", "flags", "expected"),
    [
        ("splynx", ("--api-key", "sandbox-key", "--api-secret", SECRET), "Splynx refused the API key or secret"),
        ("krill", ("--username", "operator", "--password", SECRET), "Krill refused the username or password"),
        ("ispcrm", ("--token", SECRET), "ispcrm"),
        ("trisul", ("--username", "sandbox", "--api-token", SECRET), "Invalid API token"),
    ],
)
def test_bad_credentials(served: str, backend: str, flags: tuple[str, ...], expected: str) -> None:
    line = assert_one_line(run_open(backend, "--url", served, *flags), 1)
    assert line.startswith(f"isptui: cannot open {backend} at {served}: ")
    assert expected in line


@pytest.mark.parametrize("backend", ["krill", "ispcrm", "trisul"])
def test_wrong_backend_for_the_url(splynx_only: str, backend: str) -> None:
    creds = {"krill": ("--username", "operator", "--password", SECRET), "ispcrm": ("--token", SECRET),
             "trisul": ("--username", "sandbox", "--api-token", SECRET)}[backend]
    line = assert_one_line(run_open(backend, "--url", splynx_only, *creds), 1)
    assert line.startswith(f"isptui: cannot open {backend} at {splynx_only}: ")
    assert "404" in line or "right backend" in line


@pytest.mark.parametrize(
    ("backend", "flags"),
    [("splynx", ("--api-key", "k", "--api-secret", SECRET)), ("krill", ("--username", "u", "--password", SECRET)),
     ("ispcrm", ("--token", SECRET)), ("carbon", ())],
)
def test_html_instead_of_json(html_server: str, backend: str, flags: tuple[str, ...]) -> None:
    line = assert_one_line(run_open(backend, "--url", html_server, *flags), 1)
    assert line.startswith(f"isptui: cannot open {backend} at {html_server}: ")
    assert "HTML" in line


def test_bad_url_is_a_usage_error() -> None:
    line = assert_one_line(run_open("krill", "--url", "ftp://x", "--username", "u", "--password", SECRET), 2)
    assert "url" in line and "must start with http" in line


def test_missing_secret_reference_is_a_usage_error() -> None:
    line = assert_one_line(run_open("krill", "--url", "http://127.0.0.1:1", "--username", "u",
                                    "--password", "env:ISPTUI_TEST_UNSET_VARIABLE"), 2)
    assert "environment variable 'ISPTUI_TEST_UNSET_VARIABLE' is not set" in line


@pytest.mark.parametrize(("backend", "flags", "named"), [
    ("krill", ("--username", "operator"), "--password"),
    ("ispcrm", (), "--token"),
    ("trisul", ("--username", "sandbox"), "--api-token"),
    ("splynx", (), "--admin-login"),
])
def test_a_missing_credential_is_a_usage_error_before_any_request(backend: str, flags: tuple[str, ...],
                                                                   named: str) -> None:
    port = closed_port()
    line = assert_one_line(run_open(backend, "--url", f"http://127.0.0.1:{port}", *flags), 2)
    assert named in line and "needs" in line
