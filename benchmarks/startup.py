"""Time to first useful paint of ``isptui``, ``isptui demo splynx`` and ``isptui demo krill`` against a bare
Textual app (Header, Static, Footer), all measured in one run.

Each app runs headless at 80x24 in a fresh interpreter (interpreter start and imports included), through
the real command line (``isptui.cli.main``). The clock starts just before the interpreter is spawned and
stops at the first screen refresh after the useful content is there:

- ``isptui``: the profile picker listing the five demo backends (no config file);
- ``isptui demo BACKEND``: the explorer with the backend's collections (Customers among them) listed in the
  tree, painted from the backend's declared catalogue: the adapter, the sandbox, logging in and
  discovering come after that paint, in a thread, and are not timed;
- the baseline: a Textual app with a Header, one ``Static("hello")`` and a Footer.

Bytecode: the children run with ``PYTHONDONTWRITEBYTECODE`` removed from their environment, and isptui is
compiled once into its ``__pycache__`` (``compileall``) before any timing, so isptui's modules load from
bytecode as Textual's do (an environment that sets ``PYTHONDONTWRITEBYTECODE=1`` otherwise recompiles every
isptui module at each start, which the baseline never pays).

Usage: ``python benchmarks/startup.py [RUNS]`` (default 7). Prints medians and the ratios (budget in
docs/product.md: at most 1.6x the baseline).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = """
import time
from textual.app import App
from textual.widgets import Footer, Header, Static
class Hello(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        print(time.time())
        self.exit()
Hello().run(headless=True, size=(80, 24))
"""

# The app class is swapped for a subclass that notices the useful paint; everything else is the real
# ``isptui demo`` path (argument parsing, sandbox, demo profiles, the picker, connecting in a thread).
ISPTUI = """
import sys, time
import isptui.ui.app as app_module
from isptui.cli import main

class Timed(app_module.IspApp):
    def on_mount(self):
        # No super().on_mount(): Textual calls every class's on_mount along the MRO by itself, so calling
        # it here started the app twice (two pickers, two connections) and timed that.
        self._done = False
        self.set_interval(0.002, self._check)
    def _useful(self):
        screen = self.screen
        if len(sys.argv) > 1:
            return type(screen).__name__ == "ExplorerScreen" and bool(screen.entries)
        return type(screen).__name__ == "PickerScreen" and len(screen.query("OptionList").first().options) >= 5
    def _check(self):
        if not self._done and self._useful():
            self._done = True
            self.call_after_refresh(self.painted)
    def painted(self):
        print(time.time())
        self.exit(0)
    def run(self, **kwargs):
        return super().run(headless=True, size=(80, 24))

app_module.IspApp = Timed
main(sys.argv[1:])
"""


def _child_env() -> dict[str, str]:
    """This environment without PYTHONDONTWRITEBYTECODE: children load isptui from bytecode, as Textual."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def once(code: str, *args: str) -> float:
    """Seconds from spawning the interpreter to the child's first useful paint."""
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True,
                          env=_child_env())
    painted = float(done.stdout.strip().splitlines()[-1])
    return painted - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    os.environ["ISPTUI_CONFIG"] = os.path.join(tempfile.mkdtemp(), "none.toml")  # no profiles: demo only
    cases = {"Textual Header+Static+Footer": (HELLO,), "isptui (picker)": (ISPTUI,),
             "isptui demo splynx (tree)": (ISPTUI, "demo", "splynx"),
             "isptui demo krill (tree)": (ISPTUI, "demo", "krill")}
    # isptui's bytecode, written once (the children run from this directory, so import this tree's isptui).
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "isptui", quiet=1)
    for case in cases.values():
        once(*case)  # warm the OS file cache and the bytecode cache
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        # Interleaved, so a noisy neighbour on the machine hurts every case alike.
        for name, case in cases.items():
            times[name].append(once(*case))
    base = statistics.median(times[next(iter(cases))])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<40} {median * 1000:6.0f} ms  {median / base:4.2f}x  (median of {runs})")
    print("budget: at most 1.6x the baseline")


if __name__ == "__main__":
    main()
