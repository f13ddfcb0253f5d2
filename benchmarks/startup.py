"""Time to first useful paint of ``isptui demo`` and ``isptui demo BACKEND`` against a bare Textual app.

Each app runs headless at 80x24 in a fresh interpreter (interpreter start and imports included), through
the real command line (``isptui.cli.main``). The clock starts just before the interpreter is spawned and
stops at the first screen refresh after the useful content is there:

- ``isptui demo``: the profile picker listing the five demo backends;
- ``isptui demo BACKEND``: the explorer with the backend's collections in the tree (so this includes
  importing the adapter, the sandbox, logging in and discovering);
- the baseline: a Textual app showing one ``Static("hello")``.

Usage: ``python benchmarks/startup.py [BACKEND] [RUNS]`` (defaults: krill, 7). Prints medians and the ratios
(budget in docs/product.md: at most 1.6x the hello-world).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

HELLO = """
import time
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello")
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
        super().on_mount()
        self._done = False
        self.set_interval(0.002, self._check)
    def _useful(self):
        screen = self.screen
        if len(sys.argv) > 1:
            return type(screen).__name__ == "ExplorerScreen" and bool(screen.entries)
        return type(screen).__name__ == "PickerScreen" and len(screen.query("OptionList").first().options) == 5
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
main(["demo", *sys.argv[1:]])
"""


def once(code: str, *args: str) -> float:
    """Seconds from spawning the interpreter to the child's first useful paint."""
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    painted = float(done.stdout.strip().splitlines()[-1])
    return painted - start


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "krill"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    cases = {"hello-world (Textual, one Static)": (HELLO,), "isptui demo (picker)": (ISPTUI,),
             f"isptui demo {backend} (explorer tree)": (ISPTUI, backend)}
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
    print("budget: at most 1.6x the hello-world")


if __name__ == "__main__":
    main()
