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
    assert watch.worst < 0.050
