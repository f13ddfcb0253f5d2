"""Fixtures for the discovery tests: real-shaped bodies from docs/, and hostile JSON strategies."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
from hypothesis import strategies as st

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
BASE = "http://127.0.0.1:8000/api/v2/"


def load(name: str) -> Any:
    """A fixture body as ``json.loads`` would give it to an adapter."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def fixture() -> Any:
    return load


scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=30))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
"""Any JSON document (plus NaN/Infinity, which Python's json accepts)."""
small_json = st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c,
                                                                                         max_size=3), max_leaves=6)
"""Smaller documents for the values inside shaped garbage, so generation stays cheap."""


def deep(depth: int, make: Any) -> Any:
    """``make`` applied ``depth`` times, built iteratively so the test itself never recurses."""
    value: Any = {}
    for _ in range(depth):
        value = make(value)
    return value
