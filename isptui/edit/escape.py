"""Values as a write preview shows them: every control character as a visible escape."""

from __future__ import annotations

_ESCAPES = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x1B: "\\e", 0x00: "\\0"}


def escaped(text: str) -> str:
    """``text`` with every control character as a visible escape (``\\t``, ``\\r``, ``\\e``, ``\\x07``, ``\\u202e``).

    A diff must show what is sent exactly: a TAB and a space, CR LF and LF, must look different. Kept tiny
    on purpose; once the shared sanitizer (issue 12) has an escaping mode, this should call it.
    """
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
