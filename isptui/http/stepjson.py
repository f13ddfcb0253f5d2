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
        # The loop over rows is written out here (no coroutine per item, as ``value`` and ``_after_item``
        # would add): it runs once per row of every page, and the walk is the overhead on the C scanner.
        out: list[Any] = []
        append, text, ws = out.append, self.text, _WS.match
        pos = ws(text, pos).end()  # type: ignore[union-attr]
        if text[pos:pos + 1] == "]":
            return out, pos + 1
        while True:
            char = text[pos:pos + 1]
            if (char == "[" and depth < 3) or (char == "{" and depth == 0):
                item, pos = await self.value(pos, depth)
            else:
                try:
                    item, pos = _scan_once(text, pos)
                except StopIteration as stop:
                    raise json.JSONDecodeError("Expecting value", text, stop.value) from None
            append(item)
            pos = ws(text, pos).end()  # type: ignore[union-attr]
            char = text[pos:pos + 1]
            if char == "]":
                return out, pos + 1
            if char != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
            if time.perf_counter() > self.deadline:
                await asyncio.sleep(0)
                self.deadline = time.perf_counter() + STEP
            pos = ws(text, pos + 1).end()  # type: ignore[union-attr]

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
    """A JSON array of objects kept as the body's bytes and where each element starts; an element is parsed
    when asked for (a few microseconds), so holding 100,000 rows costs about the body's size, not the ~10x
    that 100,000 parsed dicts take (nor the 4x of the body as a ``str`` when one character needs 4 bytes).
    Made by ``rows_in_steps``; read-only."""

    def __init__(self, data: bytes, bounds: array[int]) -> None:
        self.data = data
        self.bounds = bounds
        """Byte offsets: where each element starts, then where the last one ends."""

    def __len__(self) -> int:
        return max(0, len(self.bounds) - 1)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        text = self.data[self.bounds[index]:self.bounds[index + 1]].decode("utf-8")
        return _scan_once(text, 0)[0]

    def index_at(self, pos: int) -> int:
        """The element whose bytes hold byte offset ``pos`` (-1 before the first, ``len`` after the last)."""
        return bisect.bisect_right(self.bounds, pos) - 1


_WINDOW = 1 << 20  # bytes decoded at a time while finding where the rows are
_WSB = re.compile(rb"[ \t\n\r]*")


async def rows_in_steps(data: bytes) -> JsonRows | Any:
    """A top-level UTF-8 JSON array of objects as ``JsonRows``: every element parsed once (to check it and find
    its end) and let go, a megabyte of the body decoded at a time, in steps that each hold the loop under
    ``STEP`` seconds. Any other document, and a malformed one, goes to ``loads_in_steps`` (which returns it,
    or raises as ``json.loads`` raises)."""
    pos = _WSB.match(data, 0).end()  # type: ignore[union-attr]
    if data[pos:pos + 1] != b"[" or json.detect_encoding(data) != "utf-8":
        return await loads_in_steps(data)
    bounds: array[int] = array("q")
    deadline = time.perf_counter() + STEP
    at = _WSB.match(data, pos + 1).end()  # type: ignore[union-attr]
    if data[at:at + 1] == b"]":
        if _WSB.match(data, at + 1).end() != len(data):  # type: ignore[union-attr]
            return await loads_in_steps(data)
        return JsonRows(data, bounds)
    expect_row, window = True, _WINDOW
    while True:
        end = min(len(data), at + window)
        while end < len(data) and data[end] & 0xC0 == 0x80:  # not inside a character
            end -= 1
        try:
            text = data[at:end].decode("utf-8")
        except UnicodeDecodeError:
            return await loads_in_steps(data)  # raises as json.loads would
        last = end >= len(data)
        plain = len(text) == end - at  # ASCII: a character is a byte
        i, char_at, byte_at = 0, 0, at  # byte_at: the byte offset of character char_at
        refill = False
        while not refill:
            i = _WS.match(text, i).end()  # type: ignore[union-attr]
            if i >= len(text) and not last:
                refill = True
                break
            if expect_row:
                if text[i:i + 1] != "{":
                    return await loads_in_steps(data)
                try:
                    _, j = _scan_once(text, i)
                except (StopIteration, json.JSONDecodeError):
                    if last:
                        return await loads_in_steps(data)
                    refill = True  # the row goes past this window
                    break
                start = at + i if plain else byte_at + len(text[char_at:i].encode("utf-8"))
                char_at, byte_at = i, start
                bounds.append(start)
                i, expect_row = j, False
                if time.perf_counter() > deadline:
                    await asyncio.sleep(0)
                    deadline = time.perf_counter() + STEP
                continue
            char = text[i:i + 1]
            if char == ",":
                i, expect_row = i + 1, True
                continue
            if char != "]":
                return await loads_in_steps(data)
            byte_i = at + i if plain else byte_at + len(text[char_at:i].encode("utf-8"))
            bounds.append(byte_i)  # where the last row ends (its closing brace, whitespace aside)
            rest = _WSB.match(data, byte_i + 1).end()  # type: ignore[union-attr]
            if rest != len(data):
                return await loads_in_steps(data)
            return JsonRows(data, bounds)
        # Start the next window where this one's unread text begins: at the row that did not fit, or after
        # the last complete one.
        new_at = at + i if plain else byte_at + len(text[char_at:i].encode("utf-8"))
        window = window * 2 if new_at == at else _WINDOW  # one row longer than a window: a bigger window
        at = new_at
