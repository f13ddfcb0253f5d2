"""Backends on the sandbox for the write-path tests: in-process (to see what the server received) or served."""

from __future__ import annotations

from dataclasses import dataclass

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.model import ResourceRef
from isptui.sandbox import Sandbox
from tests.backends.conftest import CASES

URL = "http://sandbox.local"


@dataclass(frozen=True)
class Target:
    """A record each sandbox has, a free-text field to hold the tricky value, and another field to edit."""

    collection: str
    id: str
    text: str
    other: str


TARGETS = {
    "splynx": Target("customers", "1", "street_1", "city"),
    "krill": Target("isp/customers", "1", "comment", "city"),
    "ispcrm": Target("users", "1", "notes", "address"),
    "trisul": Target("ipdrcustomers", "isp00001", "Address", "Name"),
    "carbon": Target("Usluga", "1", "comments", "name"),
}


def ref_of(name: str) -> ResourceRef:
    target = TARGETS[name]
    return ResourceRef(collection=target.collection, id=target.id)


async def connect(name: str, *, url: str = URL, sandbox: Sandbox | None = None) -> Backend:
    """``name`` connected to ``sandbox`` in-process, or to a served sandbox at ``url`` (no sandbox)."""
    settings = BackendSettings(url=url, credentials=dict(CASES[name].credentials), retries=0, timeout=10,
                               transport=sandbox.transport() if sandbox is not None else None,
                               profile_name=f"test-{name}")
    backend = load_backend(name)(settings)
    await backend.connect()
    return backend
