"""Every quirk variant in the registry is listed by ``isptui sandbox quirks`` and in the README's table."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from isptui.cli.sandbox import _print_quirks
from isptui.sandbox.quirks import QUIRKS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_variant_is_printed_and_in_the_readme_table() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert _print_quirks() == 0
    printed = out.getvalue()
    for quirk in QUIRKS:
        assert f"\n{quirk.name} " in f"\n{printed}", quirk.name
        assert f"| {quirk.name} |" in README or f"| `{quirk.name}` |" in README, quirk.name

