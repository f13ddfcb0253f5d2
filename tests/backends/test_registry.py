"""The registry lists backends and their descriptors without importing any adapter (or httpx)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from isptui.backends import registry

ROOT = Path(__file__).resolve().parents[2]


def test_descriptors_are_read_without_importing_an_adapter() -> None:
    code = ("import sys\nfrom isptui.backends import registry\n"
            "print(sorted(d.name for d in registry.descriptors()))\n"
            "print(sorted(m for m in sys.modules if m == 'httpx' or m.endswith('.adapter')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                         timeout=60).stdout.splitlines()
    assert out == ["['carbon', 'ispcrm', 'krill', 'splynx', 'trisul']", "[]"]


def test_each_builtin_declares_its_credentials_and_docs() -> None:
    for desc in map(registry.descriptor, registry.BUILTIN_ORDER):  # the test plug-in (tests/plugin) has no docs
        assert desc.title and desc.description and (ROOT / desc.docs).is_file(), desc.name
        assert desc.load().descriptor is desc
    splynx = registry.descriptor("splynx")
    assert [f.flag for f in splynx.credentials if f.secret] == ["--api-key", "--api-secret", "--admin-password"]
    assert ("POST", "/api/2.0/admin/auth/tokens") in splynx.read_only_auth_calls
