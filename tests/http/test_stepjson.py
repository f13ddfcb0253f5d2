"""The large-body JSON parser: the same result and the same errors as ``json.loads``, without a long block."""

from __future__ import annotations

import json

import pytest

from isptui.http.stepjson import loads_in_steps
from tests.stall import no_loop_stalls

DOCUMENTS = [
    b"[]", b"{}", b" [ 1 , 2 ] ", b'{"a": [], "b": {}}', b'"x"', b"3.5", b"null",
    b'{"data": [{"id": 1, "n": [1, [2, [3, [4]]]]}, {"id": 2}], "meta": {"total": 2}}',
    b'[[[[1]]], {"k": "\\u00e9\\n\x01"}]',  # deep arrays, escapes, a raw control character (strict=False)
    '{"név": "Ünal ✓"}'.encode(), "\ufeff[1]".encode("utf-8"), '[{"a": "ü"}]'.encode("utf-16"),
]

MALFORMED = [b"[1, 2", b"[1 2]", b'{"a" 1}', b"{a: 1}", b"[1] x", b"", b"[", b'{"a": [1, }', b"\xff\xfe\x00"]


@pytest.mark.parametrize("data", DOCUMENTS)
async def test_the_result_is_what_json_loads_returns(data: bytes) -> None:
    assert await loads_in_steps(data) == json.loads(data, strict=False)


@pytest.mark.parametrize("data", MALFORMED)
async def test_a_malformed_document_fails_as_json_loads_does(data: bytes) -> None:
    with pytest.raises(ValueError) as expected:
        json.loads(data, strict=False)
    with pytest.raises(ValueError) as got:
        await loads_in_steps(data)
    assert type(got.value) is type(expected.value)
    if isinstance(expected.value, json.JSONDecodeError):
        assert isinstance(got.value, json.JSONDecodeError) and got.value.pos == expected.value.pos


async def test_a_big_page_is_parsed_without_blocking_the_loop() -> None:
    rows = [{"id": n, "name": f"Customer {n}", "email": f"c{n}@example.net", "tags": ["a", "b"]}
            for n in range(150_000)]
    data = json.dumps({"results": rows, "count": len(rows)}).encode()  # ~12 MB: json.loads takes ~150 ms
    async with no_loop_stalls() as watch:
        parsed = await loads_in_steps(data)
    assert parsed["count"] == 150_000 and parsed["results"][-1] == rows[-1]
    assert watch.worst <= watch.limit, watch.report()


@pytest.mark.parametrize("window", [16, 64, 1 << 20])
async def test_rows_in_steps_keeps_an_array_of_objects_as_bytes_and_reads_each_row_as_json_loads(
        window: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows cut by the decoding window (inside a string, between rows, in a 4-byte character) read back whole."""
    from isptui.http import stepjson

    monkeypatch.setattr(stepjson, "_WINDOW", window)
    rows = [{"UserID": f"u{i}", "Name": name, "n": i}
            for i, name in enumerate(["a", "ул. Попова", "x😀y", "q" * 70, '{[,]}"\\', ""] * 5)]
    for ascii_only in (True, False):
        data = (" [\n" + " ,\n ".join(json.dumps(r, ensure_ascii=ascii_only) for r in rows) + " ] ").encode()
        got = await stepjson.rows_in_steps(data)
        assert isinstance(got, stepjson.JsonRows) and len(got) == len(rows)
        assert list(got) == rows and got[-1] == rows[-1] and got[2:4] == rows[2:4]
    assert list(await stepjson.rows_in_steps(b"[ ]")) == []


@pytest.mark.parametrize("data", [b"[1, 2]", b'{"a": [{}]}', b"[{}, 3]"])
async def test_rows_in_steps_returns_anything_else_as_json_loads_does(data: bytes) -> None:
    from isptui.http.stepjson import rows_in_steps

    assert await rows_in_steps(data) == json.loads(data)


@pytest.mark.parametrize("data", [b"[{}", b"[{},]", b"[{} {}]", b"[{}] x", b'[{"a": 1},', b"\xff[{}]"])
async def test_rows_in_steps_fails_on_a_malformed_array_as_json_loads_does(data: bytes) -> None:
    from isptui.http.stepjson import rows_in_steps

    with pytest.raises(ValueError) as got:
        await rows_in_steps(data)
    with pytest.raises(ValueError) as want:
        json.loads(data, strict=False)
    assert type(got.value) is type(want.value) and str(got.value) == str(want.value)
