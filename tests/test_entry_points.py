"""isptui.backends.entry_points reads a group's entry points as importlib.metadata does (issue 15, first
paint: without importing importlib.metadata), and hands over to it where it cannot be sure."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.metadata import entry_points as metadata_entry_points
from pathlib import Path

import pytest

from isptui.backends import entry_points as fast
from isptui.backends import registry

GROUP = "isptui.backends"
PLUGIN = Path(__file__).resolve().parent / "plugin"


def _both(group: str = GROUP) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    ours = [(ep.name, ep.value, ep.module) for ep in fast.entry_points(group)]
    theirs = [(ep.name, ep.value, ep.module) for ep in metadata_entry_points(group=group)]
    return ours, theirs


def _dist(root: Path, folder: str, text: str | None) -> None:
    (root / folder).mkdir(parents=True)
    (root / folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {folder.partition('-')[0]}\n")
    if text is not None:
        (root / folder / "entry_points.txt").write_text(text)


def test_the_installed_backends_and_a_plugin_are_read_as_importlib_metadata_reads_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = _both()
    assert ours == theirs and {"splynx", "krill", "ispcrm", "trisul", "carbon"} <= {n for n, _, _ in ours}
    monkeypatch.syspath_prepend(str(PLUGIN))
    ours, theirs = _both()
    assert ours == theirs and "echo" in {n for n, _, _ in ours}
    ours, theirs = _both("console_scripts")  # a busier group, over every installed distribution
    assert ours == theirs


def test_duplicates_comments_and_odd_names_are_read_alike(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "Isp_Plug-1.0.dist-info", "# a comment\n[isptui.backends]\n dup = first.mod:DESCRIPTOR \n"
          "dotted = pkg.sub:Outer.Inner\n\n[other]\nnot = this:one\n")
    _dist(first, "twice-1.0.dist-info", "[isptui.backends]\ntwice_a = a:DESCRIPTOR\n")
    _dist(first, "Twice-2.0.dist-info", "[isptui.backends]\ntwice_b = b:DESCRIPTOR\n")  # one of the two is read
    _dist(first, "no_entry_points-1.0.dist-info", None)
    _dist(first, "old_style-0.1.egg-info", "[isptui.backends]\negg = eggmod:DESCRIPTOR\n")
    _dist(second, "another-3.0.dist-info", "[isptui.backends]\ndup = second.mod:DESCRIPTOR\n")
    _dist(second, "isp.plug-9.0.dist-info", "[isptui.backends]\nhidden = by:the_first\n")  # shadowed
    monkeypatch.syspath_prepend(str(second))
    monkeypatch.syspath_prepend(str(first))
    ours, theirs = _both()
    assert ours == theirs
    names = [n for n, _, _ in ours]
    assert "hidden" not in names and names.count("dup") == 2 and "egg" in names
    assert ("twice_a" in names) != ("twice_b" in names)
    dotted = next(ep for ep in fast.entry_points(GROUP) if ep.name == "dotted")
    assert (dotted.module, dotted.attr) == ("pkg.sub", "Outer.Inner")
    # The registry keeps the first distribution's "dup", as before.
    registry.clear()
    try:
        assert registry._entry_points()["dup"].value == "first.mod:DESCRIPTOR"
    finally:
        registry.clear()


def test_a_zip_on_the_path_is_left_to_importlib_metadata(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\n")
        zipped.writestr("zipped-1.0.dist-info/entry_points.txt", "[isptui.backends]\nzipped = zmod:DESCRIPTOR\n")
    monkeypatch.syspath_prepend(str(archive))
    ours, theirs = _both()
    assert ours == theirs and "zipped" in {n for n, _, _ in ours}


def test_the_registry_imports_no_importlib_metadata() -> None:
    code = ("import sys; from isptui.backends import registry; registry.descriptors(); "
            "print('importlib.metadata' in sys.modules, 'email' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"], done.stdout + done.stderr
