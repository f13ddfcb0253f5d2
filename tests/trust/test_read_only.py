"""Case 6 over TCP: read-only allows only each adapter's declared auth calls; Splynx's logout is skipped."""

from __future__ import annotations

import pytest

from isptui.backends.base import BackendSettings, load_backend
from isptui.errors import ReadOnlyViolation
from isptui.model import PageRequest, ResourceRef
from tests.trust.conftest import Servers

SAFE = {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(("name", "credentials", "collection"), [
    ("splynx", {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "token"}, "customers"),
    ("krill", {"username": "operator", "password": "sandbox"}, "isp/customers"),
    ("ispcrm", {"token": "sandbox-token"}, "users"),
])
async def test_a_read_only_session_sends_only_reads_and_declared_auth_calls(
        servers: Servers, name: str, credentials: dict[str, str], collection: str) -> None:
    cls = load_backend(name)
    backend = cls(BackendSettings(url=servers.url, credentials=credentials, read_only=True, retries=0))
    await backend.connect()
    try:
        page = await backend.list(ResourceRef(collection=collection), PageRequest(limit=2))
        with pytest.raises(ReadOnlyViolation):
            await backend.delete(page.items[0].ref)
    finally:
        await backend.close()
    writes = [(s.method, s.path) for s in servers.hostile.seen if s.method not in SAFE]
    declared = [m for m, _ in cls.descriptor.read_only_auth_calls]
    assert all(method in declared for method, _ in writes), writes
    assert not any(method == "DELETE" for method, _ in writes), "logout (or anything) was DELETEd"
    if name == "splynx":
        assert writes == [("POST", "/api/2.0/admin/auth/tokens")]


async def test_splynx_logs_out_when_the_session_may_write(servers: Servers) -> None:
    credentials = {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "token"}
    backend = load_backend("splynx")(BackendSettings(url=servers.url, credentials=credentials, retries=0))
    await backend.connect()
    await backend.close()
    assert [s.method for s in servers.hostile.seen if s.method == "DELETE"] == ["DELETE"]


def test_every_backend_declares_its_read_only_auth_calls_and_none_is_a_logout() -> None:
    for name in ("splynx", "krill", "ispcrm", "trisul", "carbon"):
        calls = load_backend(name).descriptor.read_only_auth_calls
        assert all(method in ("POST", "PUT") for method, _ in calls), (name, calls)
