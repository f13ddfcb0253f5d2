"""Untrusted API text made safe to show: control characters made visible (``isptui.text.clean``, the one
sanitizer), no markup, cut to width.

Every value that came from a server goes through here before it reaches the screen. Rich ``Text`` is
built directly (never ``Text.from_markup``), so ``[bold]`` in a customer's name is shown as typed.
"""

from __future__ import annotations

import json
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from isptui.text import clean

__all__ = ["clean", "cell", "cut", "display", "fit", "nice_title", "pretty_json", "safe_text", "shown"]

ELLIPSIS = "…"

# Titles made from API words by rule (``potses`` -> "Potses") that read badly; API values are never changed.
_TITLES = {"potses": "POTS lines", "potse": "POTS line", "pots": "POTS lines", "cpes": "CPEs",
           "ipdrcustomers": "IPDR customers"}


def nice_title(title: str) -> str:
    """A collection or group title as an operator would say it (``Potses`` -> ``POTS lines``)."""
    return _TITLES.get(title.strip().casefold(), title)


def display(value: Any) -> str:
    """A JSON value as one would write it: ``null``, ``true``, numbers, strings as-is, objects compact."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        return repr(value)


def _leading(value: str, width: int) -> tuple[str, int]:
    """The longest start of ``value`` that takes at most ``width`` terminal cells, and the cells it takes."""
    out: list[str] = []
    used = 0
    for char in value:
        w = cell_len(char)
        if used + w > width:
            break
        out.append(char)
        used += w
    return "".join(out), used


def cut(value: str, width: int) -> str:
    """``value`` cut to ``width`` terminal cells, ending with ``…`` when something was dropped."""
    if width <= 0:
        return ""
    if value.isascii():  # one cell a character (most API text): cut by slicing, a table cell at a time
        return value if len(value) <= width else value[: width - 1] + ELLIPSIS
    if cell_len(value) <= width:
        return value
    return _leading(value, width - 1)[0] + ELLIPSIS


def fit(value: str, width: int) -> str:
    """``value`` made exactly ``width`` cells: cut (no ellipsis: the edge of a view) or padded with spaces."""
    if value.isascii():
        return value[:width].ljust(width)
    text, used = _leading(value, width)
    return text + " " * (width - used)


def shown(value: Any) -> str:
    """``display`` for reading: a string that would read as null, true, false or nothing is quoted, so
    ``None`` (shown ``null``) and the string ``"null"`` never look the same."""
    if isinstance(value, str) and value.strip().casefold() in ("", "null", "none", "true", "false"):
        return json.dumps(value)
    return display(value)


def cell(value: Any, width: int | None = None) -> str:
    """A value as one table cell: visible controls, one line, cut to ``width`` when given."""
    text = clean(shown(value))
    return cut(text, width) if width is not None else text


def safe_text(value: Any, *, style: str = "", width: int | None = None, multiline: bool = False) -> Text:
    """A rich ``Text`` of an untrusted value, never interpreted as markup."""
    text = clean(shown(value), multiline=multiline)
    if width is not None and not multiline:
        text = cut(text, width)
    return Text(text, style=style, no_wrap=not multiline)


def byte_size(count: int) -> str:
    """A size in bytes as one would say it, in SI units as disks and networks count them (1 kB = 1,000 B):
    ``812 B``, ``3.4 kB``, ``1.5 MB``."""
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"


def character_count(count: int) -> str:
    """A length in characters, exact (a diff of a long value tells one added character from none):
    ``1 character``, ``1,048,579 characters``. Not bytes: a character may take up to four of them."""
    return "1 character" if count == 1 else f"{count:,} characters"


def pretty_json(value: Any) -> str:
    """Indented JSON for the raw view; control characters are escaped by ``json`` or made visible."""
    try:
        dumped = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    except (TypeError, ValueError):
        dumped = repr(value)
    return clean(dumped, multiline=True)
