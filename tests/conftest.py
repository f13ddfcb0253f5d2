"""Settings for the whole test run.

Textual's pilot waits, after every key and pause, until the app is idle: it sleeps 20 ms at a time until one
sleep passes with under 1 ms of this process's CPU used. So every key costs at least two 20 ms sleeps of
nothing, whatever the app does — measured here, a cursor key took 70 ms wall for 10 ms of CPU, and the suite
presses thousands of keys. Polling every 4 ms with the same idle ratio (under 5% of the window busy) still
waits for the app to be idle, in a fifth of the time. (``textual._wait`` reads both names at each call.)
"""

from __future__ import annotations

import textual._wait

textual._wait.SLEEP_GRANULARITY = 0.004
textual._wait.SLEEP_IDLE = 0.0002
