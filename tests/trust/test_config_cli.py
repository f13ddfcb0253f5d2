"""Cases 3, 7 and 8 at the command line: config and argv rules, bad URLs, escapes on stdout/stderr.

Most run ``isptui.cli.main.main`` in-process (what a user sees is its stdout, stderr and exit code); one
runs a real subprocess to prove no traceback reaches the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from isptui.cli.main import main
from isptui.config.errors import ConfigError
from isptui.config.file import load_file
from isptui.text import is_clean
from tests.trust.conftest import Servers
from tests.trust.hostile import Rule

ROOT = Path(__file__).resolve().parents[2]
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
TITLE = "\x1b]0;pwned\x07"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISPTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(tmp_path / "data"))
    for var in ("KRILL_URL", "SPLYNX_URL", "ISPCRM_URL", "TRISUL_URL", "CARBON_URL", "KRILL_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def write_config(home: Path, body: str, mode: int) -> Path:
    path = home / "config.toml"
    path.write_text(body)
    path.chmod(mode)
    return path


def command_profile(marker: Path) -> str:
    return (f'[profiles.lab]\nbackend = "krill"\nurl = "https://krill.example.net"\nusername = "op"\n'
            f'password = "command:sh -c \'touch {marker}; echo pw\'"\n')


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_config_others_can_write_is_refused_when_it_names_a_secret(home: Path, mode: int,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    marker = home / "ran"
    path = write_config(home, command_profile(marker), mode)
    with pytest.raises(ConfigError, match="writable by other users"):
        load_file(path)
    code, _, err = run(capsys, "config", "check")
    assert code == 2 and "writable by other users" in err and err.count("\n") == 1
    assert not marker.exists()


def test_a_writable_config_without_secrets_is_still_accepted(home: Path) -> None:
    path = write_config(home, '[profiles.lab]\nbackend = "carbon"\nurl = "http://carbon.example.net"\n', 0o666)
    assert list(load_file(path)) == ["lab"]


def test_the_picker_resolves_no_secret_until_a_profile_is_opened(home: Path) -> None:
    from isptui.ui.launch import config_profiles

    marker = home / "ran"
    write_config(home, command_profile(marker), 0o600)
    entries = config_profiles()
    assert [e.name for e in entries] == ["lab"]
    assert not marker.exists(), "listing profiles ran a command: reference"
    entries[0].build()
    assert marker.exists()


@pytest.mark.parametrize(("url", "says"), [
    ("http://", "has no host name"),
    ("http://127.0.0.1:99999", "Port out of range"),
    ("http://[::1", "not a valid URL"),
    ("http://\u2603.net", "IDNA"),
    ("http://xn--zz.com", "IDNA"),
    ("http://exa\x1bmple.com" + OSC52, "control characters"),
])
def test_a_bad_url_is_one_clean_line_and_exit_2(home: Path, url: str, says: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "open", "krill", "--url", url, "--username", "op", "--password", "env:NOPE")
    assert code == 2
    assert says in err and err.count("\n") == 1 and is_clean(err), repr(err)
    assert out == ""


def test_a_bad_url_in_the_config_file_is_refused(home: Path) -> None:
    path = write_config(home, '[profiles.lab]\nbackend = "carbon"\nurl = "http://"\n', 0o600)
    with pytest.raises(ConfigError, match="no host name"):
        load_file(path)


def test_a_secret_given_as_a_flag_warns_once_and_a_reference_does_not(home: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "open", "ispcrm", "--url", "http://127.0.0.1:1", "--token", "abcd-1234-secret")
    assert code == 1
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "--token env:NAME" in warnings[0] and "abcd-1234-secret" not in err
    os.environ["ISPTUI_TEST_TOKEN"] = "abcd-1234-secret"
    try:
        code, _, err = run(capsys, "open", "ispcrm", "--url", "http://127.0.0.1:1", "--token", "env:ISPTUI_TEST_TOKEN")
    finally:
        del os.environ["ISPTUI_TEST_TOKEN"]
    assert code == 1 and "warning" not in err


def test_server_error_text_with_escapes_is_shown_escaped_by_isptui_open(home: Path, servers: Servers,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    body = ('{"detail": "session ' + OSC52.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")
            + TITLE.replace("\x1b", "\\u001b").replace("\x07", "\\u0007") + ' [/] expired"}').encode()
    servers.hostile.rules.append(Rule("*", "/api/v1", status=401, body=body,
                                      headers={"content-type": "application/json"}))
    code, _, err = run(capsys, "open", "ispcrm", "--url", servers.url, "--token", "env:NOPE_NOT_SET")
    assert code == 2  # the unresolved reference is a usage error, before any request
    os.environ["ISPTUI_TEST_TOKEN"] = "sandbox-token"
    try:
        code, _, err = run(capsys, "open", "ispcrm", "--url", servers.url, "--token", "env:ISPTUI_TEST_TOKEN")
    finally:
        del os.environ["ISPTUI_TEST_TOKEN"]
    assert code == 1
    assert is_clean(err) and "\\x1b]52;c;" in err and "[/]" in err, repr(err)


def test_journal_list_never_emits_raw_escapes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from isptui.edit.journal import Journal

    Journal(path=home / "data" / "journal.jsonl").append(
        profile="lab" + TITLE, backend="krill", kind="update", method="PATCH",
        url="http://krill.example.net/api/v2/isp/customers/1/", collection="isp/customers" + OSC52,
        record_id="1\x9b31m", before={"name": "a"}, after={"name": "b\x1b[2J"})
    code, out, err = run(capsys, "journal", "list")
    assert code == 0 and is_clean(out) and is_clean(err), repr(out)
    assert "\\x1b]0;pwned" in out


def test_bad_input_never_prints_a_traceback_from_a_real_process(home: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "isptui", "open", "krill", "--url", "http://[::1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1
