"""Config file, environment profiles, precedence and secret references."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

from isptui.cli import build_parser
from isptui.config.errors import ConfigError
from isptui.config.file import load_file, load_profiles
from isptui.config.resolve import profile_by_name, profile_for_open
from isptui.config.secrets import resolve_secret


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_profiles_load_with_their_keys(tmp_path: Path) -> None:
    cfg = write(tmp_path / "config.toml", """
[profiles.prod-splynx]
backend = "splynx"
url = "https://splynx.example.net/"
api_key = "env:SPLYNX_API_KEY"
api_secret = "keyring:isptui/prod-splynx"
production = true
""")
    profile = load_file(cfg)["prod-splynx"]
    assert profile.url == "https://splynx.example.net"
    assert profile.production and profile.starts_read_only
    assert profile.credentials == {"api_key": "env:SPLYNX_API_KEY", "api_secret": "keyring:isptui/prod-splynx"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('backend = "splynx"\nurl = "https://x"\ncolour = "red"\n', "profile 'p', key 'colour': unknown key"),
        ('backend = "nosuch"\nurl = "https://x"\n', "profile 'p', key 'backend': Value error, unknown backend 'nosuch'; known: splynx"),
        ('backend = "krill"\nurl = "ftp://x"\n', "profile 'p', key 'url': Value error, must start with http"),
        ('backend = "krill"\nurl = "https://x"\ntimeout = -1\n', "profile 'p', key 'timeout'"),
    ],
)
def test_bad_values_name_file_profile_and_key(tmp_path: Path, body: str, expected: str) -> None:
    cfg = write(tmp_path / "config.toml", "[profiles.p]\n" + body)
    with pytest.raises(ConfigError) as info:
        load_file(cfg)
    assert str(info.value).startswith(f"{cfg}, {expected}")


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    cfg = write(tmp_path / "config.toml", "[profiles.p\n")
    with pytest.raises(ConfigError, match=r"config\.toml: not valid TOML"):
        load_file(cfg)


def test_literal_secret_in_a_world_readable_file_is_refused(tmp_path: Path) -> None:
    body = '[profiles.k]\nbackend = "krill"\nurl = "https://k"\nusername = "op"\npassword = "hunter22"\n'
    cfg = write(tmp_path / "config.toml", body, mode=0o644)
    with pytest.raises(ConfigError) as info:
        load_file(cfg)
    assert "profile 'k', key 'password'" in str(info.value)
    assert "chmod 600" in str(info.value)
    assert "hunter22" not in str(info.value)
    os.chmod(cfg, 0o600)
    assert load_file(cfg)["k"].credential("password") == "hunter22"


def test_references_are_allowed_in_a_readable_file(tmp_path: Path) -> None:
    body = '[profiles.k]\nbackend = "krill"\nurl = "https://k"\nusername = "op"\npassword = "env:KPW"\n'
    cfg = write(tmp_path / "config.toml", body, mode=0o644)
    assert load_file(cfg)["k"].credential("password") == "env:KPW"


def test_env_variables_make_implicit_profiles(tmp_path: Path) -> None:
    env = {"SPLYNX_URL": "https://s", "SPLYNX_API_KEY": "k", "SPLYNX_PASSWORD": "sec",
           "TRISUL_URL": "http://t:8000", "TRISUL_USERNAME": "u", "TRISUL_API_TOKEN": "tok",
           "CARBON_URL": "http://c:8082"}
    profiles = load_profiles(tmp_path / "absent.toml", env)
    assert sorted(profiles) == ["env-carbon", "env-splynx", "env-trisul"]
    assert profiles["env-splynx"].credential("api_secret") == "sec"
    assert profiles["env-trisul"].credential("context") == "default"
    assert profiles["env-splynx"].source == "env"


def _open_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["open", *argv])


def test_precedence_flag_over_env_for_open() -> None:
    env = {"KRILL_USERNAME": "env-user", "KRILL_PASSWORD": "env-pass"}
    from_env = profile_for_open(_open_args("krill", "--url", "https://k"), env)
    assert (from_env.credential("username"), from_env.credential("password")) == ("env-user", "env-pass")
    from_flags = profile_for_open(_open_args("krill", "--url", "https://k", "--username", "flag-user"), env)
    assert (from_flags.credential("username"), from_flags.credential("password")) == ("flag-user", "env-pass")
    insecure = profile_for_open(_open_args("krill", "--url", "https://k", "--insecure", "--read-only"), env)
    assert insecure.verify is False and insecure.read_only


def test_precedence_env_over_file_for_named_profile(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", '[profiles.k]\nbackend = "krill"\nurl = "https://k"\n'
                                     'username = "file-user"\npassword = "env:X"\n')
    assert profile_by_name("k", None, {}, cfg).credential("username") == "file-user"
    assert profile_by_name("k", None, {"KRILL_USERNAME": "env-user"}, cfg).credential("username") == "env-user"
    with pytest.raises(ConfigError, match="no profile named 'nope'"):
        profile_by_name("nope", None, {}, cfg)


def test_secret_reference_kinds(tmp_path: Path) -> None:
    assert resolve_secret("env:PW", environ={"PW": "from-env"}).get_secret_value() == "from-env"
    script = write(tmp_path / "pass.py", "print('from-command')\n")
    cmd = f"command:{sys.executable} {script}"
    assert resolve_secret(cmd).get_secret_value() == "from-command"
    assert resolve_secret("prompt", prompt=lambda label: "typed").get_secret_value() == "typed"
    assert resolve_secret("literal").get_secret_value() == "literal"
    # SecretStr never shows its value in repr or str.
    assert "from-env" not in repr(resolve_secret("env:PW", environ={"PW": "from-env"}))


def test_secret_reference_failures_are_clear_and_leak_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="environment variable 'NOPE' is not set"):
        resolve_secret("env:NOPE", environ={})
    failing = write(tmp_path / "fail.py", "import sys\nprint('s3cr3t-out'); print('s3cr3t-err', file=sys.stderr)\n"
                                          "sys.exit(3)\n")
    with pytest.raises(ConfigError) as info:
        resolve_secret(f"command:{sys.executable} {failing}", where="profile 'p', key 'password'")
    assert "exit code 3" in str(info.value) and "s3cr3t" not in str(info.value)
    with pytest.raises(ConfigError, match="not found"):
        resolve_secret("command:/nonexistent/pass-tool show x")
    with pytest.raises(ConfigError, match="keyring:service/user"):
        resolve_secret("keyring:onlyservice")


def test_keyring_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # makes `import keyring` raise ImportError
    with pytest.raises(ConfigError, match=r"pip install 'isptui\[keyring\]'"):
        resolve_secret("keyring:isptui/prod")


def test_keyring_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    store = {("isptui", "prod"): "from-keyring"}
    fake = types.SimpleNamespace(get_password=lambda service, user: store.get((service, user)))
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert resolve_secret("keyring:isptui/prod").get_secret_value() == "from-keyring"
    with pytest.raises(ConfigError, match="no keyring entry"):
        resolve_secret("keyring:isptui/other")
