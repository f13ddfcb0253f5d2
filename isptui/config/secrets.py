"""Secret references: ``env:NAME``, ``command:…``, ``keyring:service/user``, ``prompt``, or a literal.

Resolved values are wrapped in pydantic ``SecretStr`` so an accidental print or repr shows ``**********``.
Error messages name the reference kind and where it came from, never the secret or the command's output.
"""

from __future__ import annotations

import getpass
import os
import shlex
import subprocess
from collections.abc import Callable, Mapping

from pydantic import SecretStr

from isptui.config.errors import ConfigError

COMMAND_TIMEOUT = 10.0
REFERENCE_PREFIXES = ("env:", "command:", "keyring:")


def is_reference(value: str) -> bool:
    """True when the value points at a secret instead of being one."""
    return value == "prompt" or value.startswith(REFERENCE_PREFIXES)


def resolve_secret(
    value: str,
    *,
    where: str = "",
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
) -> SecretStr:
    """The secret a reference points at. ``where`` (e.g. "profile 'prod', key 'password'") goes in errors."""
    label = f"{where}: " if where else ""
    if value == "prompt":
        ask = prompt or getpass.getpass
        try:
            answer = ask(f"{where or 'secret'}: ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise ConfigError(f"{label}no secret entered at the prompt") from exc
        return SecretStr(answer)
    if value.startswith("env:"):
        name = value[4:]
        env = os.environ if environ is None else environ
        if not name or name not in env:
            raise ConfigError(f"{label}environment variable {name!r} is not set")
        return SecretStr(env[name])
    if value.startswith("command:"):
        return SecretStr(_run_command(value[8:], label))
    if value.startswith("keyring:"):
        return SecretStr(_from_keyring(value[8:], label))
    return SecretStr(value)


def _run_command(command: str, label: str) -> str:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{label}cannot parse the command of a command: reference ({exc})") from exc
    if not argv:
        raise ConfigError(f"{label}command: reference is empty")
    try:
        # stderr is captured and dropped: a password manager may echo hints we must not show.
        done = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise ConfigError(f"{label}command {argv[0]!r} not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"{label}command {argv[0]!r} took longer than {COMMAND_TIMEOUT:.0f} s") from exc
    if done.returncode != 0:
        raise ConfigError(f"{label}command {argv[0]!r} failed with exit code {done.returncode}")
    secret = done.stdout.rstrip("\r\n")
    if not secret:
        raise ConfigError(f"{label}command {argv[0]!r} printed nothing")
    return secret


def _from_keyring(spec: str, label: str) -> str:
    service, _, user = spec.partition("/")
    if not service or not user:
        raise ConfigError(f"{label}keyring reference must look like keyring:service/user")
    try:
        import keyring  # optional extra
    except ImportError as exc:
        raise ConfigError(f"{label}keyring: references need the keyring extra: pip install 'isptui[keyring]'") \
            from exc
    try:
        secret = keyring.get_password(service, user)
    except Exception as exc:  # keyring backends raise their own types; name it, never the secret
        raise ConfigError(f"{label}keyring lookup failed ({type(exc).__name__})") from exc
    if secret is None:
        raise ConfigError(f"{label}no keyring entry for service {service!r}, user {user!r}")
    return secret
