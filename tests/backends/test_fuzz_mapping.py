"""Garbage from the server: every adapter gives a clean result or a typed BackendError, never another exception.

Each example connects an adapter to the in-process sandbox, then a transport in between starts doctoring the
answers: it takes what the sandbox really said and replaces a random part of it with garbage (random JSON,
wrong types, a 1 MB string, nesting 10,000 deep, a wrong status or content type), or answers with raw
garbage altogether. Mutating real answers keeps the envelopes plausible, so the garbage reaches the
mappings instead of being refused at the first shape check. Login calls are doctored only when an example
also fuzzes ``connect``.

Examples are derandomized so CI sees the same inputs every run; ``ISPTUI_FUZZ_EXAMPLES=500`` hunts wider.
"""

from __future__ import annotations

import asyncio
import json
import os
import reprlib
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.errors import BackendError
from isptui.model import EntryPoint, Page, PageRequest, Record, Schema
from isptui.sandbox import Sandbox, create_sandbox
from tests.backends.conftest import CASES, SANDBOX_URL, Case

EXAMPLES = int(os.environ.get("ISPTUI_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 25, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TIME_LIMIT = 2.0
"""Seconds one adapter call may take on one garbage answer (in-process, so this is all parsing/mapping)."""

HUGE = "x" * (1024 * 1024)
DEEP = 10_000
# Placeholders that the serialiser swaps for text json.dumps cannot produce (it would recurse 10,000 deep).
_DEEP_LIST, _DEEP_DICT, _NEAR_LIMIT = "\x00deep-list\x00", "\x00deep-dict\x00", "\x00near-limit\x00"
_RAW = {
    _DEEP_LIST: "[" * DEEP + "]" * DEEP,
    _DEEP_DICT: '{"a":' * DEEP + "1" + "}" * DEEP,
    # Deep enough to strain recursive code after a successful parse, shallow enough for json.loads.
    _NEAR_LIMIT: '{"id":[' * 400 + "1" + "]}" * 400,
}

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False) | st.text(max_size=30)
           | st.sampled_from(["", "0", "-1", "null", "0000-00-00", "../../etc", "http://evil.test/x",
                              "\x1b[31mred", "[bold]x[/]", "9" * 40, "true"]))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=10) | st.sampled_from(["id", "_links", "results", "data", "result", "error", "fields",
                                               "pk", "name", "UserID", "status", "next", "count", "links"]),
        inner, max_size=5),
    max_leaves=15,
)
garbage = (json_values
           | st.sampled_from([HUGE, _DEEP_LIST, _DEEP_DICT, _NEAR_LIMIT])
           | st.sampled_from([{HUGE: 1}, [HUGE] * 3, {"id": HUGE}, {"next": HUGE}, {"_links": {"links": HUGE}}]))
raw_bodies = (st.binary(max_size=200)
              | st.sampled_from([b"", b"<html><title>502</title></html>", b'{"truncated": ', b"\xff\xfe\x00",
                                 b"[" * DEEP, b"null", b'"just a string"', b"1e999999", b"9" * 5000]))
content_types = st.sampled_from(["application/json", "text/html", "text/plain", "", "application/json; x=y"])


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    for marker, raw in _RAW.items():
        text = text.replace(json.dumps(marker), raw)
    return text


@dataclass(frozen=True)
class Plan:
    """How to doctor one answer, drawn in full before the request is sent.

    Drawing up front keeps the order of draws fixed even when an adapter sends requests concurrently
    (Splynx asks HEAD and GET together), which hypothesis needs to replay and shrink an example.
    """

    status: int | None
    raw: tuple[str, bytes] | None
    """(content type, body) to send instead of the mutated real answer."""
    path: tuple[int, ...]
    """Which node to hit: at each level, child index modulo the number of children; stops at a leaf."""
    delete: bool
    replacement: Any
    headers: tuple[tuple[str, str], ...]

    def __repr__(self) -> str:
        # Hypothesis prints the draws of a failing example; a 1 MB replacement made that an 8 MB report.
        return _SHORT.repr(self.__dict__).replace("{", "Plan(", 1)[:-1] + ")"


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = 6
PLANS = 6
"""Plans drawn per session, up front. Drawing per request made the number of draws depend on how many
requests the adapter happened to send (FlakyStrategyDefinition); the doctor now cycles through these."""


statuses = st.sampled_from([200, 201, 202, 204, 301, 400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503])
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)  # no filter: cheap to draw
plans = st.builds(
    Plan,
    status=st.none() | st.none() | st.none() | statuses,
    raw=st.none() | st.none() | st.none() | st.tuples(content_types, raw_bodies),
    path=st.lists(st.integers(0, 2**16), max_size=6).map(tuple),
    delete=st.integers(0, 4).map(lambda n: n == 0),
    replacement=garbage,
    headers=st.lists(st.tuples(st.sampled_from(["x-total-count", "allow", "retry-after", "location"]),
                               header_values | st.sampled_from(["-1", "abc", "9" * 30, " 12 "])),
                     max_size=2).map(tuple),
)


def _mutate(doc: Any, plan: Plan) -> Any:
    """``doc`` with the node the plan points at replaced (or removed from its dict)."""
    if not plan.path or not isinstance(doc, dict | list) or not doc:
        return plan.replacement
    parent: Any = doc
    for depth, choice in enumerate(plan.path):
        keys = sorted(parent, key=str) if isinstance(parent, dict) else list(range(len(parent)))
        key = keys[choice % len(keys)]
        child = parent[key]
        last = depth == len(plan.path) - 1 or not isinstance(child, dict | list) or not child
        if last:
            if plan.delete and isinstance(parent, dict):
                del parent[key]
            else:
                parent[key] = plan.replacement
            return doc
        parent = child
    return doc


class Doctor(httpx.AsyncBaseTransport):
    """Between the adapter and the sandbox: once ``armed``, every answer is doctored by hypothesis."""

    def __init__(self, inner: httpx.AsyncBaseTransport, drawn: list[Plan], *, logins: bool) -> None:
        self.inner = inner
        self.plans = drawn
        self.used = 0
        self.logins = logins
        self.armed = False

    def _next_plan(self) -> Plan:
        plan = self.plans[self.used % len(self.plans)]
        self.used += 1
        return plan

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        is_login = "/auth/" in request.url.path
        plan = self._next_plan() if self.armed and (self.logins or not is_login) else None
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        if plan is None:
            return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",
                                                                                  "content-encoding")}
        if plan.raw is not None:
            headers["content-type"], content = plan.raw
        else:
            try:
                doc = json.loads(body) if body.strip() else None
            except ValueError:
                doc = None
            content = _dumps(_mutate(doc, plan)).encode()
        headers.update(plan.headers)
        return httpx.Response(plan.status or response.status_code, headers=headers, content=content,
                              request=request)


def _sandbox() -> Sandbox:
    # A fresh one per session: Splynx's emulator remembers nonces, and two sessions in the same
    # centisecond would collide. Creation is instant (the emulators are built on first request).
    return create_sandbox("all", customers=50)


async def _timed(what: str, call: Any) -> Any:
    """Run one adapter call; a typed error is a fine outcome, anything else fails the example.

    The bound is on this process's CPU time: wall time on a shared 2-core CI box measures the neighbours.
    """
    started = time.process_time()
    try:
        result: Any = await call
    except BackendError as exc:
        assert isinstance(exc.message, str) and exc.message
        str(exc)  # the UI shows it; it must render
        result = exc
    elapsed = time.process_time() - started
    assert elapsed < TIME_LIMIT, f"{what} took {elapsed:.2f} s on one garbage answer"
    return result


async def _session(case: Case, data: st.DataObject, *, fuzz_connect: bool) -> None:
    drawn = data.draw(st.lists(plans, min_size=PLANS, max_size=PLANS), label="plans")
    doctor = Doctor(_sandbox().transport(), drawn, logins=fuzz_connect)
    doctor.armed = fuzz_connect
    settings_ = BackendSettings(url=SANDBOX_URL, credentials=dict(case.credentials), transport=doctor,
                                retries=0, timeout=5)
    backend: Backend = load_backend(case.name)(settings_)
    connected = await _timed("connect", backend.connect())
    if isinstance(connected, BackendError):
        return
    doctor.armed = True
    try:
        found = await _timed("discover", backend.discover())
        assert isinstance(found, BackendError) or all(isinstance(e, EntryPoint) for e in found)
        page = await _timed("list", backend.list(case.collection, PageRequest(limit=5)))
        assert isinstance(page, BackendError | Page)
        record = await _timed("get", backend.get(case.known))
        assert isinstance(record, BackendError | Record)
        schema = await _timed("schema", backend.schema(case.collection))
        assert isinstance(schema, BackendError | Schema)
        if isinstance(record, Record) and record.links:
            followed = await _timed("follow", backend.follow(record.links[0]))
            assert isinstance(followed, BackendError | Record | Page)
    finally:
        await backend.close()


@pytest.mark.parametrize("name", list(CASES))
@FUZZ
@given(data=st.data(), fuzz_connect=st.booleans())
def test_garbage_answers_give_a_result_or_a_typed_error(name: str, data: st.DataObject,
                                                        fuzz_connect: bool) -> None:
    asyncio.run(_session(CASES[name], data, fuzz_connect=fuzz_connect))


class DeepAfterConnect(httpx.AsyncBaseTransport):
    """The sandbox until ``armed``; then one deep document with ``status`` for every non-login request."""

    def __init__(self, status: int, body: str) -> None:
        self.inner = _sandbox().transport()
        self.status, self.body, self.armed = status, body.encode(), False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = await self.inner.handle_async_request(request)
        if "/auth/" in request.url.path or not self.armed:
            return httpx.Response(inner.status_code, headers=inner.headers, content=await inner.aread(),
                                  request=request)
        return httpx.Response(self.status, content=self.body, request=request,
                              headers={"content-type": "application/json"})


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("body", [_RAW[_DEEP_LIST], _RAW[_DEEP_DICT], _RAW[_NEAR_LIMIT], '{"a":' * 999 + "1"
                                  + "}" * 999], ids=["list-10000", "dict-10000", "near-limit", "dict-999"])
async def test_deep_nesting_in_every_answer_is_a_typed_error_or_a_result(name: str, body: str) -> None:
    """The same deep document for every request after connect, error statuses included."""
    case = CASES[name]
    for status in (200, 404, 422, 500):
        transport = DeepAfterConnect(status, body)
        backend = load_backend(name)(BackendSettings(url=SANDBOX_URL, credentials=dict(case.credentials),
                                                     transport=transport, retries=0))
        await backend.connect()
        transport.armed = True
        try:
            for what, call in (("list", backend.list(case.collection, PageRequest(limit=5))),
                               ("get", backend.get(case.known)), ("schema", backend.schema(case.collection))):
                outcome = await _timed(f"{what} ({status})", call)
                assert isinstance(outcome, BackendError | Page | Record | Schema)
        finally:
            await backend.close()
