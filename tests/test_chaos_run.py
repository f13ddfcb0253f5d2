"""The small form of the chaos run (issue 8): 2 x 100 key-driven actions over the five demo backends, chaos on.

The driver lives in ``benchmarks/`` (``benchmarks/chaos_run.py`` runs the full form); it is loaded here by
path because ``benchmarks`` is a folder of scripts, not a package.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# Writes cost seconds each (form, diff preview, write, read-back); fewer of them keep the run inside CI's
# budget while every backend still sees edits, creates, deletes and undos.
LIGHT_WRITES = {"collection": 9, "record": 8, "scroll": 10, "end": 5, "open": 8, "filter": 6, "follow": 8,
                "back": 6, "refresh": 3, "raw": 2, "edit": 5, "create": 3, "delete": 3, "undo": 3}


def load_driver() -> ModuleType:
    name = "chaos_driver"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def journal_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(tmp_path))
    return tmp_path


# Split in two halves (100 actions each) so the suite's two workers run them side by side: the single
# 200-action run alone took 47-64 s and set the suite's total. Each half keeps every kind of action.
HALVES = {"splynx-krill": ("splynx", "krill"), "ispcrm-trisul-carbon": ("ispcrm", "trisul", "carbon")}


@pytest.mark.parametrize("backends", list(HALVES.values()), ids=list(HALVES))
async def test_chaos_run_small_form(tmp_path: Path, backends: tuple[str, ...]) -> None:
    driver = load_driver()
    config = driver.ChaosConfig(actions=100, customers=120, seed=8, timeout=1.0, weights=LIGHT_WRITES,
                                backends=backends)
    report = await driver.run_chaos(config, tmp_path)
    print("\n".join(report.lines()))  # shown with -s, and in the failure output

    assert report.actions >= 100
    assert report.injected_total >= 10, "chaos hardly injected anything: the run proves nothing"
    assert report.journalled >= 3, f"too few writes reached the journal to check it: {report.kinds}"
    assert not report.crashes, report.crashes
    assert not report.stuck, report.stuck
    assert not report.double_writes, report.double_writes
    assert not report.mismatches, report.mismatches
    # Not asserted: ``report.unjournalled`` (a write the server applied and answered, reported to the user
    # as failed because the adapter's read-back after it failed). That is a known adapter bug (Splynx
    # update/delete read back with a GET that chaos can fail); the run prints it and the benchmark lists it.
    assert report.checked >= 2
    # The rule for "shown": an action during which an adapter raised a BackendError to the UI (an injected
    # fault the HTTP layer could not absorb by a retry) must show an error toast, an error panel or a form
    # error within that same action. Every such action must; a miss names the action and the call.
    assert report.failed_actions >= 5, "too few failures reached the UI to judge how they are shown"
    assert report.shown_actions == report.failed_actions, report.unshown
