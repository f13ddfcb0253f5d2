"""Splynx administrator login (``--admin-login/--admin-password``, ``SPLYNX_ADMIN_LOGIN``): auth_type admin."""

from __future__ import annotations

import pytest

from isptui.cli.connect import settings_for
from isptui.config.file import env_profiles
from isptui.errors import AuthFailed
from isptui.model import ResourceRef
from isptui.sandbox import Sandbox
from tests.backends.conftest import Connect

ADMIN = {"admin_login": "admin", "admin_password": "sandbox"}


async def test_admin_login_gets_a_token_and_reads(connected: Connect, sandbox: Sandbox) -> None:
    async with connected("splynx", credentials=ADMIN, read_only=True) as splynx:
        page = await splynx.list(ResourceRef(collection="customers"))
    assert page.items
    logins = [r for r in sandbox.received if r.method == "POST" and r.path.endswith("/admin/auth/tokens")]
    assert [r.json()["auth_type"] for r in logins] == ["admin"]
    assert logins[0].json()["login"] == "admin" and "key" not in logins[0].json()


async def test_a_wrong_admin_password_says_so(connected: Connect) -> None:
    with pytest.raises(AuthFailed) as info:
        async with connected("splynx", credentials={**ADMIN, "admin_password": "wrong-one"}):
            pass
    assert "administrator login or password" in info.value.message
    assert "wrong-one" not in info.value.message


def test_admin_login_comes_from_the_environment_and_the_password_is_a_secret() -> None:
    env = {"SPLYNX_URL": "https://splynx.example.net", "SPLYNX_ADMIN_LOGIN": "admin",
           "SPLYNX_ADMIN_PASSWORD": "pa55word-x"}
    profile = env_profiles(env)["env-splynx"]
    settings = settings_for(profile)
    assert settings.credentials == {"admin_login": "admin", "admin_password": "pa55word-x"}
    assert settings.secrets() == ["pa55word-x"]  # the login is not masked (it is part of every URL path)
