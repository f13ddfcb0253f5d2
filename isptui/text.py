"""The one sanitizer for server text on its way to a terminal: control characters become visible escapes.

Everything a server says is untrusted. Before any of it is written anywhere a terminal will interpret it
(CLI stdout/stderr, `journal list`, toasts, labels, titles, dialogs, the log view, error messages), it goes
through :func:`clean`: every C0 control, DEL, C1 control and bidirectional override is shown as the escape
one would type for it (``\\x1b``, ``\\r``, ``\\t``, ``\\u202e``), so ``ESC ] 52`` (OSC 52, "write the
clipboard") or ``ESC ] 0`` (set the window title) can never act. The result contains no byte in 0x00-0x1f
or 0x7f-0x9f other than, with ``multiline=True``, the newline.

Cleaning is idempotent (a backslash is printable, so an already cleaned string passes through unchanged)
and it is not markup escaping: widgets build ``rich.text.Text`` / Textual ``Content`` from the result
instead of parsing it as markup. This module imports nothing from the UI or the HTTP layer.
"""

from __future__ import annotations

_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}

_TABLE: dict[int, str] = {code: _NAMED.get(code, f"\\x{code:02x}") for code in range(0x20)}
_TABLE[0x7F] = "\\x7f"
_TABLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
# Bidirectional overrides and isolates could reorder or hide text on screen (Trojan Source).
_TABLE.update({code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})

_MULTILINE = dict(_TABLE)
_MULTILINE[0x0A] = "\n"


def clean(value: object, *, multiline: bool = False) -> str:
    """``value`` as text with every control character shown as a visible escape (``\\x1b`` for ESC).

    With ``multiline`` a newline stays a line break (record views, previews); otherwise it is ``\\n``.
    """
    text = value if isinstance(value, str) else str(value)
    return text.translate(_MULTILINE if multiline else _TABLE)


def line(value: object, limit: int | None = None) -> str:
    """One clean line for a message: CR/LF runs become a space, the rest as :func:`clean`, cut to ``limit``."""
    text = value if isinstance(value, str) else str(value)
    text = clean(" ".join(text.replace("\r", "\n").split("\n")).strip())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def is_clean(value: str, *, multiline: bool = True) -> bool:
    """Whether ``value`` is safe to write to a terminal (the property the tests check on every output)."""
    for char in value:
        code = ord(char)
        if (code < 0x20 and not (multiline and code == 0x0A)) or 0x7F <= code <= 0x9F:
            return False
    return True
