"""Time to first useful paint of ``isptui demo`` against a bare Textual hello-world, in the same run.

Each app runs headless in a fresh interpreter (imports included) and exits right after its first useful
paint: for isptui, the explorer with the backend's collections in the tree. Prints both and the ratio
(budget in PRODUCT.md: at most 1.6x).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

HELLO = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)
Hello().run(headless=True, size=(80, 24))
"""

ISPTUI = """
import sys
from isptui.sandbox import create_sandbox
from isptui.ui.app import IspApp
from isptui.ui.launch import demo_profiles
from isptui.ui.screens.explorer import ExplorerScreen
BACKEND = sys.argv[1]
class Timed(IspApp):
    def on_mount(self):
        super().on_mount()
        self.set_interval(0.002, self._check)
    def _check(self):
        if isinstance(self.screen, ExplorerScreen) and self.screen.entries:
            self.call_after_refresh(self.exit)
sandbox = create_sandbox("all")
profiles = demo_profiles(sandbox, (BACKEND,))
Timed(profiles, start=profiles[0].name).run(headless=True, size=(80, 24))
"""


def once(code: str, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "krill"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    once(HELLO)  # warm the OS file cache for both
    once(ISPTUI, backend)
    hello = [once(HELLO) for _ in range(runs)]
    isptui = [once(ISPTUI, backend) for _ in range(runs)]
    h, i = statistics.median(hello), statistics.median(isptui)
    print(f"hello-world first paint: {h * 1000:.0f} ms (median of {runs})")
    print(f"isptui demo {backend} first useful paint: {i * 1000:.0f} ms (median of {runs})")
    print(f"ratio: {i / h:.2f}x (budget 1.6x)")


if __name__ == "__main__":
    main()
