"""`isptui doctor` against the served sandbox and small hostile servers (real servers on 127.0.0.1).

The command runs in this process (tests/cli_run.py): the same ``main()`` as ``python -m isptui doctor``, with
the same environment (replaced for the call) and the same non-tty output streams, so the report, the exit code
and the secret checks are the same; an unhandled exception fails the test with its traceback. A subprocess per
test cost 1-2 s of imports each. ``test_closed_port`` still runs a real process: it proves the installed
command prints the report and exits with its code.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from isptui.sandbox import create_sandbox
from isptui.sandbox.serve import _bind, serving
from tests.cli_run import Result, run_cli

ROOT = Path(__file__).resolve().parents[2]
KRILL = ("--username", "operator", "--password", "sandbox")
ORDER = ["config", "secrets", "dns", "tcp", "tls", "auth", "clock", "allows", "read-only"]


def _env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ISPTUI_CONFIG": str(tmp_path / "config.toml"),
            **(extra or {})}


def doctor(tmp_path: Path, *args: str, extra: dict[str, str] | None = None) -> Result:
    """``isptui doctor ARGS`` in this process, in an environment of only PATH, HOME and ISPTUI_CONFIG (+ extra)."""
    return run_cli("doctor", *args, env=_env(tmp_path, extra))


def doctor_process(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m isptui doctor ARGS`` as a real process, in the same environment."""
    return subprocess.run([sys.executable, "-m", "isptui", "doctor", *args], capture_output=True, text=True,
                          env={**_env(tmp_path), "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=60,
                          stdin=subprocess.DEVNULL)


def marks(result: Result | subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.strip().splitlines()
    assert [line.split()[1] for line in lines] == ORDER
    return {line.split()[1]: line for line in lines}


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serving(create_sandbox("all", customers=20).app) as url:
        yield url


@pytest.mark.parametrize(("backend", "flags"), [
    ("splynx", ("--api-key", "sandbox-key", "--api-secret", "sandbox-secret")), ("krill", KRILL),
    ("ispcrm", ("--token", "sandbox-token")), ("trisul", ("--username", "sandbox", "--api-token", "sandbox-token")),
    ("carbon", ()),
])
def test_all_pass_against_the_sandbox(served: str, tmp_path: Path, backend: str, flags: tuple[str, ...]) -> None:
    result = doctor(tmp_path, backend, "--url", served, *flags)
    lines = marks(result)
    assert result.returncode == 0, result.stdout
    assert all(line.startswith("✔") for line in lines.values()), result.stdout
    assert "plain HTTP" in lines["tls"]


def test_closed_port(tmp_path: Path) -> None:
    """The one test run as a real process: the installed command prints the report and exits 1."""
    sock = _bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    result = doctor_process(tmp_path, "krill", "--url", f"http://127.0.0.1:{port}", *KRILL)
    lines = marks(result)
    assert result.returncode == 1
    assert lines["dns"].startswith("✔") and lines["tcp"].startswith("✘")
    assert "is the server running" in lines["tcp"]
    assert all(lines[name].startswith("–") for name in ORDER[4:])


def test_wrong_password_is_the_auth_line_and_no_secret_is_shown(served: str, tmp_path: Path) -> None:
    result = doctor(tmp_path, "krill", "--url", served, "--username", "operator", "--password", "Wr0ng-pass")
    lines = marks(result)
    assert result.returncode == 1
    assert lines["tcp"].startswith("✔") and lines["auth"].startswith("✘")
    assert "refused the username or password" in lines["auth"]
    assert "Wr0ng-pass" not in result.stdout + result.stderr


def test_missing_secret_reference_is_a_config_error(tmp_path: Path) -> None:
    result = doctor(tmp_path, "krill", "--url", "http://127.0.0.1:9", "--username", "u", "--password",
                    "env:ISPTUI_TEST_NOT_SET", "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 2 and report["ok"] is False
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["config"]["ok"] and not by_name["secrets"]["ok"]
    assert "ISPTUI_TEST_NOT_SET" in by_name["secrets"]["detail"]


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Quiet(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_self_signed_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = doctor(tmp_path, "krill", "--url", f"https://127.0.0.1:{server.server_address[1]}", *KRILL)
    finally:
        server.shutdown()
    lines = marks(result)
    assert result.returncode == 1
    assert lines["tcp"].startswith("✔") and lines["tls"].startswith("✘")
    assert "certificate not trusted" in lines["tls"] and "--ca-bundle" in lines["tls"]
    assert lines["auth"].startswith("–")  # no credentials were sent to an untrusted server


class _SkewedDate:
    """The sandbox, but its Date header says an hour later (a server whose clock is off)."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        async def skewed(message: dict) -> None:
            if message["type"] == "http.response.start":
                later = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), usegmt=True)
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                message = {**message, "headers": [*headers, (b"date", later.encode())]}
            await send(message)  # type: ignore[operator]

        await self.app(scope, receive, skewed)  # type: ignore[operator]


def test_skewed_server_clock(tmp_path: Path) -> None:
    import uvicorn

    sock = _bind("127.0.0.1", 0)
    config = uvicorn.Config(_SkewedDate(create_sandbox("all", customers=5).app), log_level="warning",
                            lifespan="off", access_log=False, date_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        result = doctor(tmp_path, "krill", "--url", f"http://127.0.0.1:{sock.getsockname()[1]}", *KRILL)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    lines = marks(result)
    assert result.returncode == 1
    assert lines["auth"].startswith("✔") and lines["clock"].startswith("✘")
    assert "ahead of this machine" in lines["clock"] and "NTP" in lines["clock"]


def test_profile_from_the_config_file_and_its_permissions(served: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.lab]\nbackend = "ispcrm"\nurl = "{served}"\ntoken = "env:LAB_TOKEN"\n')
    config.chmod(0o600)
    env_token = {"LAB_TOKEN": "sandbox-token"}
    result = doctor(tmp_path, "--profile", "lab", extra=env_token)
    lines = marks(result)
    assert result.returncode == 0, result.stdout
    assert f"{config} (mode 600)" in lines["config"] and "token" in lines["secrets"]
    assert "sandbox-token" not in result.stdout
    config.chmod(0o666)  # others could rewrite it (and its command: references)
    result = doctor(tmp_path, "--profile", "lab", extra=env_token)
    lines = marks(result)
    assert result.returncode == 2 and lines["config"].startswith("✘")
    assert all(lines[name].startswith("–") for name in ORDER[1:])

