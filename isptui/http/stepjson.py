"""Parse a large JSON body on the event loop in short steps, so the UI answers keys meanwhile.

``json.loads`` of a 64 MiB body holds the interpreter for about a second. A thread does not help: the C
parser never releases the GIL, so the loop thread waits for it just as long (measured: a 13 MB page parsed
in a thread stopped the loop for 330 ms). Here the document's outer arrays (and a top-level object) are
walked in Python, and every element in them — a row, typically — is parsed by the C scanner in one call;
between elements the parse hands the loop back every ``STEP`` seconds. Rows stay C-speed, and the walk
adds a few per cent.

The result is what ``json.loads(data, strict=False)`` returns, and a malformed document raises the same
``json.JSONDecodeError`` (position included), or ValueError for bytes that are not UTF-8/16/32.
"""

from __future__ import annotations

import asyncio
import bisect
import codecs
import json
import re
import time
from array import array
from collections.abc import Sequence
from typing import Any, overload

STEP = 0.005
"""Seconds of parsing between two hand-backs to the loop (the budget for a blocked loop is 50 ms)."""
_CHUNK = 1 << 20  # bytes decoded to text at a time
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(strict=False)
_scan_once = _DECODER.scan_once
_scan_string = json.decoder.scanstring  # type: ignore[attr-defined]


async def loads_in_steps(data: bytes) -> Any:
    """``json.loads(data, strict=False)``, parsed in steps that each hold the loop under ``STEP`` seconds."""
    steps = _Steps(await _text(data))
    value, end = await steps.value(_WS.match(steps.text, 0).end(), 0)  # type: ignore[union-attr]
    end = _WS.match(steps.text, end).end()  # type: ignore[union-attr]
    if end != len(steps.text):
        raise json.JSONDecodeError("Extra data", steps.text, end)
    return value


async def _text(data: bytes) -> str:
    """``data`` decoded as ``json.loads`` decodes bytes, a megabyte at a time."""
    decoder = codecs.getincrementaldecoder(json.detect_encoding(data))("surrogatepass")
    parts = []
    for start in range(0, len(data), _CHUNK):
        parts.append(decoder.decode(data[start:start + _CHUNK]))
        await asyncio.sleep(0)
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


class _Steps:
    def __init__(self, text: str) -> None:
        self.text = text
        self.deadline = time.perf_counter() + STEP

    async def _breathe(self) -> None:
        if time.perf_counter() > self.deadline:
            await asyncio.sleep(0)
            self.deadline = time.perf_counter() + STEP

    def _ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    async def value(self, pos: int, depth: int) -> tuple[Any, int]:
        """The value at ``pos``: arrays (to three levels) and a top-level object are walked here; anything
        else — a row — is one call of the C scanner."""
        char = self.text[pos:pos + 1]
        if char == "[" and depth < 3:
            return await self._array(pos + 1, depth + 1)
        if char == "{" and depth == 0:
            return await self._object(pos + 1, depth + 1)
        try:
            return _scan_once(self.text, pos)  # type: ignore[no-any-return]
        except StopIteration as stop:
            raise json.JSONDecodeError("Expecting value", self.text, stop.value) from None

    async def _array(self, pos: int, depth: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        pos = self._ws(pos)
        if self.text[pos:pos + 1] == "]":
            return out, pos + 1
        while True:
            item, pos = await self.value(pos, depth)
            out.append(item)
            done, pos = await self._after_item(pos, "]")
            if done:
                return out, pos

    async def _object(self, pos: int, depth: int) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        pos = self._ws(pos)
        if self.text[pos:pos + 1] == "}":
            return out, pos + 1
        while True:
            if self.text[pos:pos + 1] != '"':
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", self.text, pos)
            key, pos = _scan_string(self.text, pos + 1, False)
            pos = self._ws(pos)
            if self.text[pos:pos + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", self.text, pos)
            out[key], pos = await self.value(self._ws(pos + 1), depth)
            done, pos = await self._after_item(pos, "}")
            if done:
                return out, pos

    async def _after_item(self, pos: int, close: str) -> tuple[bool, int]:
        """After an array item or object member: (True, past ``close``) or (False, where the next starts)."""
        pos = self._ws(pos)
        char = self.text[pos:pos + 1]
        if char == close:
            return True, pos + 1
        if char != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", self.text, pos)
        await self._breathe()
        return False, self._ws(pos + 1)


class JsonRows(Sequence[Any]):
    """A JSON array of objects kept as its text and where each element starts; an element is parsed when
    asked for (a few microseconds), so holding 100,000 rows costs about the body's size, not the ~10x that
    100,000 parsed dicts take. Made by ``rows_in_steps``; read-only."""

    def __init__(self, text: str, starts: array[int]) -> None:
        self.text = text
        self.starts = starts

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return _scan_once(self.text, self.starts[index])[0]

    def index_at(self, pos: int) -> int:
        """The element whose text holds position ``pos`` (-1 before the first)."""
        return bisect.bisect_right(self.starts, pos) - 1


async def rows_in_steps(data: bytes) -> JsonRows | Any:
    """A top-level JSON array of objects as ``JsonRows``, checked (every element parsed once, then let go) in
    steps that each hold the loop under ``STEP`` seconds; any other document as ``loads_in_steps`` returns it
    (and a malformed one raises as it raises)."""
    text = await _text(data)
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if text[pos:pos + 1] != "[":
        return await loads_in_steps(data)
    starts: array[int] = array("q")
    steps = _Steps(text)
    pos = steps._ws(pos + 1)
    if text[pos:pos + 1] == "]":
        pos += 1
    else:
        while True:
            if text[pos:pos + 1] != "{":
                return await loads_in_steps(data)  # not rows of objects: the caller sees what it is
            try:
                _, end = _scan_once(text, pos)
            except StopIteration as stop:
                raise json.JSONDecodeError("Expecting value", text, stop.value) from None
            starts.append(pos)
            done, pos = await steps._after_item(end, "]")
            if done:
                break
    if _WS.match(text, pos).end() != len(text):  # type: ignore[union-attr]
        raise json.JSONDecodeError("Extra data", text, pos)
    return JsonRows(text, starts)
