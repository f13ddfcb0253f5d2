"""Fixtures for the trust-boundary tests: the hostile server and another origin, both over TCP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.trust.hostile import Hostile, Witness, serve


@dataclass
class Servers:
    hostile: Hostile
    url: str
    witness: Witness
    other: str


@pytest.fixture(scope="session")
def _servers() -> Iterator[Servers]:
    hostile, witness = Hostile(), Witness()
    with serve(hostile) as url, serve(witness) as other:
        hostile.other = other
        yield Servers(hostile, url, witness, other)


@pytest.fixture
def servers(_servers: Servers) -> Servers:
    """Both servers with no rules, a fresh sandbox and empty request records."""
    _servers.hostile.reset()
    _servers.witness.seen.clear()
    return _servers
