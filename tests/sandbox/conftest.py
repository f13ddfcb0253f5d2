"""Helpers for sandbox tests: in-process clients, and one authenticated probe request per backend."""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from isptui.sandbox import BACKEND_PREFIXES
from isptui.sandbox.options import SandboxCredentials

BASE_URL = "http://sandbox.local"
ISPCRM_AUTH = {"Authorization": "Bearer sandbox-token"}

ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def backend_available(backend: str) -> bool:
    """Whether ``isptui.sandbox.<backend>`` exists and has ``create_app`` (others are still writing theirs)."""
    try:
        module = importlib.import_module(f"isptui.sandbox.{backend}")
    except ModuleNotFoundError:
        return False
    return hasattr(module, "create_app")


AVAILABLE = tuple(b for b in BACKEND_PREFIXES if backend_available(b))
MISSING = tuple(b for b in BACKEND_PREFIXES if b not in AVAILABLE)


@pytest.fixture
def asgi_client() -> ClientFactory:
    """``async with asgi_client(app, headers=…) as client`` → an httpx client talking to ``app`` in-process."""

    @asynccontextmanager
    async def make(app: Any, base_url: str = BASE_URL, **kwargs: Any) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url,
                                     **kwargs) as client:
            yield client

    return make


async def probe(backend: str, client: httpx.AsyncClient) -> None:
    """One authenticated read of subscriber 1 through ``backend``'s real API; asserts what a user would see.

    The requests follow docs/, so they also check that the emulators agree with the reference.
    """
    creds = SandboxCredentials()
    if backend == "splynx":
        r = await client.get("/api/2.0/admin/customers/customer/1",
                             auth=(creds.splynx_api_key, creds.splynx_api_secret))
        assert r.status_code == 200, r.text
        assert str(r.json()["id"]) == "1"
    elif backend == "krill":
        login = await client.post("/api/v2/auth/login/", data={"username": creds.krill_username,
                                                               "password": creds.krill_password})
        assert login.status_code == 200, login.text
        r = await client.get("/api/v2/isp/customers/1/",
                             headers={"Authorization": f"Bearer {login.json()['access']}"})
        assert r.status_code == 200, r.text
        assert r.json()["id"] == 1
    elif backend == "ispcrm":
        r = await client.get("/api/v1", headers=ISPCRM_AUTH)
        assert r.status_code == 200, r.text
        users = await client.get(r.json()["list_users"], headers=ISPCRM_AUTH)
        assert users.json()["data"][0]["id"] == 1
    elif backend == "trisul":
        body = {"api_token": creds.trisul_api_token, "username": creds.trisul_username,
                "contextname": creds.trisul_context}
        r = await client.request("GET", "/api/ipdrcustomers", json=body)
        assert r.status_code == 200, r.text
        assert "isp00001" in {c["UserID"] for c in r.json()}
    elif backend == "carbon":
        r = await client.post("/rest_api/v2/Abonents/", data={"method1": "objects.get",
                                                              "arg1": json.dumps({"pk": 1})})
        assert r.status_code == 200, r.text
        assert r.json()["result"]["pk"] == 1
    else:  # pragma: no cover - a new backend needs its probe here
        raise AssertionError(f"no probe for {backend}")
