"""Shared by the CLI tests: no config file of the machine's, and ``isptui open``'s parsed arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISPTUI_CONFIG", str(tmp_path / "config.toml"))


def open_args(**values: str) -> argparse.Namespace:
    """What ``isptui open BACKEND --url … [credential flags]`` parses to, with ``values`` given."""
    base = dict.fromkeys(("api_key", "api_secret", "splynx_auth", "username", "password", "api_token",
                          "context", "token", "ca_bundle", "timeout"))
    return argparse.Namespace(**{**base, **values}, read_only=False, insecure=False)
