"""The layers below the UI must never pull in Textual; the UI must never talk HTTP or to a vendor."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "isptui"
NON_UI = ("isptui.model", "isptui.http", "isptui.discovery", "isptui.errors", "isptui.export", "isptui.mask")


def test_core_layers_import_without_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in NON_UI)
        + "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"textual imported by core layers: {out.stdout}"


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_textual_below_the_ui() -> None:
    offenders = []
    for layer in ("model", "config", "http", "discovery", "backends", "sandbox", "export", "find"):
        for path in (PACKAGE / layer).rglob("*.py"):
            if any(n == "textual" or n.startswith("textual.") for n in _imports(path)):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_ui_never_imports_httpx_or_a_vendor_adapter() -> None:
    offenders = []
    vendors = ("splynx", "krill", "ispcrm", "trisul", "carbon")
    for path in (PACKAGE / "ui").rglob("*.py"):
        for name in _imports(path):
            if name == "httpx" or any(name.startswith(f"isptui.backends.{v}") for v in vendors):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []
