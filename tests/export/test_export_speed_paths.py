"""The fast paths of export write exactly what the plain, record-by-record way writes, and the prefetched
page is really asked for before the current one is written."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from isptui.backends.base import BackendSettings, load_backend
from isptui.export import FORMULA_LEADS, _Csv, _is_number, cell, export_collection, flatten
from isptui.model import ResourceRef
from tests.export.fakes import OneCollection


def reference_csv(pages: list[list[dict[str, Any]]], schema: list[str]) -> tuple[str, list[str]]:
    """Record by record: flatten, learn new columns, one ``cell`` per column (the definition)."""
    columns, out = list(schema), io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for number, page in enumerate(pages):
        flat = [flatten(r) for r in page]
        for row in flat:
            columns += [k for k in row if k not in columns]
        if number == 0:
            writer.writerow(columns)
        writer.writerows([[cell(row.get(c)) for c in columns] for row in flat])
    return out.getvalue(), columns


def written_csv(pages: list[list[dict[str, Any]]], schema: list[str]) -> tuple[str, list[str]]:
    out = io.StringIO()
    writer = _Csv(out, schema)
    for number, page in enumerate(pages):
        if number == 0:
            writer.start(page)
        writer.rows(page)
    return out.getvalue(), writer.columns


KEYS = st.sampled_from(["id", "name", "a", "b", "a.b", "x"])
TEXT = st.one_of(st.sampled_from(["", "plain", "=1+1", "+44 7700 900123", "-12.50", "-cmd", "@admin", "\tx", "\r",
                                  "1e+5", "-inf", " -1 ", "-1_000", "-٣", 'a "q"\nline']),
                 st.text(alphabet="=+-@\t\r1. ,\"\nxé", max_size=5))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from([0.5, -1.25, 1e300]), TEXT,
                    st.lists(st.integers(0, 3), max_size=2))
VALUES = st.recursive(SCALARS, lambda inner: st.dictionaries(KEYS, inner, max_size=3), max_leaves=4)
RECORD = st.dictionaries(KEYS, VALUES, max_size=5)
# Most records share one shape (the usual page), some differ (null, {}, text or a deeper object in its place).
USUAL = st.fixed_dictionaries({"id": st.integers(0, 9), "name": TEXT,
                               "a": st.fixed_dictionaries({"b": SCALARS}, optional={"x": SCALARS})})
PAGES = st.lists(st.lists(st.one_of(USUAL, USUAL, RECORD), max_size=4), min_size=1, max_size=4)
SCHEMA = st.lists(st.sampled_from(["id", "name", "a.b", "a.x", "a", "x", "zz"]), max_size=4, unique=True)


@settings(max_examples=40, deadline=None)
@given(pages=PAGES, schema=SCHEMA)
def test_csv_writes_what_flattening_each_record_writes(pages: list[list[dict[str, Any]]], schema: list[str]) -> None:
    assert written_csv(pages, schema) == reference_csv(pages, schema)


def test_csv_usual_page_reads_nested_columns_and_defuses_only_formulas() -> None:
    page = [{"id": 1, "phone": "+44 7700 900123", "balance": "-12.50", "tags": [], "on": True,
             "a": {"b": "=cmd()", "x": None}},
            {"id": 2, "phone": "", "balance": None, "tags": ["x"], "on": False}]
    text, columns = written_csv([page], ["id", "phone", "balance", "tags", "on", "a.b", "a.x"])
    rows = list(csv.reader(io.StringIO(text)))
    assert columns == ["id", "phone", "balance", "tags", "on", "a.b", "a.x"]
    assert rows[1:] == [["1", "'+44 7700 900123", "-12.50", "[]", "true", "'=cmd()", ""],
                        ["2", "", "", '["x"]', "false", "", ""]]


NUMBERISH = st.lists(st.sampled_from([" ", "\t", "+", "-", "1", "٣", "_", ".", "e", "E", "inf", "NaN", "x", "'"]),
                     max_size=7).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(max_size=8), NUMBERISH))
def test_is_number_agrees_with_float(text: str) -> None:
    try:
        float(text)
        expected = True
    except ValueError:
        expected = False
    assert _is_number(text) is expected


def test_is_number_on_the_shapes_that_start_like_formulas() -> None:
    for text in ("-12.50", "+1", "-1e+5", "-inf", "+NaN", "-1_000", " -3 ", "-٣", "-.5", "+5."):
        assert _is_number(text), text
    for text in ("+44 7700 900123", "-cmd", "=1", "@x", "-", "+-1", "-1-", "- 1", "-1e"):
        assert not _is_number(text), text
    assert all(cell(t).startswith("'") for t in ("+44 7700 900123", "-cmd", "=1", "@x"))
    assert set(FORMULA_LEADS) >= {"=", "+", "-", "@"}


async def test_jsonl_and_json_write_records_as_json_dumps_does(tmp_path: Path) -> None:
    rows = [{"id": 1, "name": "Zoë \"q\"", "n": None, "f": 1.5, "l": [1, {"a": "ü"}], "o": {}},
            {"id": 2, "t": True}]
    for fmt in ("jsonl", "json"):
        target = tmp_path / f"out.{fmt}"
        await export_collection(OneCollection(rows), ResourceRef(collection="things"), target, fmt=fmt,
                                page_size=1)
        text = target.read_text(encoding="utf-8")
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        assert text == ("\n".join(lines) + "\n" if fmt == "jsonl" else "[\n" + ",\n".join(lines) + "\n]\n")


async def test_the_next_page_is_asked_for_before_this_one_is_written(tmp_path: Path) -> None:
    """While page one is being written (held here for 0.3 s), the server already has the request for page
    two: the prefetch overlaps the server's work with the writing."""
    from isptui.sandbox import create_sandbox
    from isptui.sandbox.serve import serving

    events: list[str] = []
    inner = create_sandbox("splynx", customers=30).app

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/customers/customer"):
            query = scope["query_string"].decode()
            if "offset=" in query:
                events.append("request offset=" + query.split("offset=")[1].split("&")[0])
        await inner(scope, receive, send)

    def progress(p: Any) -> None:
        if p.written == 10 and not p.done:
            events.append("page 1 written")
            time.sleep(0.3)  # the server thread runs meanwhile (the GIL is free)
            events.append("page 1 done")

    with serving(app) as url:
        backend = load_backend("splynx")(BackendSettings(url=url, credentials={
            "api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"}, retries=0))
        await backend.connect()
        try:
            result = await export_collection(backend, ResourceRef(collection="customers"), tmp_path / "c.csv",
                                             page_size=10, on_progress=progress)
        finally:
            await backend.close()
    assert result.written == 30
    assert events.index("request offset=10") < events.index("page 1 done"), events


def test_flatten_survives_a_sent_dotted_key_colliding_with_a_nested_one() -> None:
    # Was AttributeError: the expansion of "a" overwrote the object under "a.b" before it was expanded.
    assert flatten({"a": {"b": True}, "a.b": {"x": 1}, "z": 1}) == {"z": 1, "a.b": True, "a.b.x": 1}
