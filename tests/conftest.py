"""Settings for the whole test session.

Textual's ``Pilot`` waits after every key and pause until the process looks idle: it sleeps in steps of
``textual._wait.SLEEP_GRANULARITY`` (20 ms) and calls the app idle after a step that used under 5% CPU. A key
that costs the app 10 ms of CPU therefore took 60-70 ms of wall time; a third of the UI tests' time was those
sleeps, and with two workers on two cores that third was a core standing idle. Steps of 5 ms (the same 5%
rule) keep the check while waiting a quarter as long.

So no test may count on a pause lasting long: a test that waits for something to happen (a page to load, a
worker to finish, a dialog to open) waits for it by condition — ``tests.ui.conftest.settle`` (workers done,
then the screen caught up) or ``tests.ui.edit.conftest.wait_for`` (a predicate, with a timeout that prints the
screen).
"""

from __future__ import annotations

import textual._wait

textual._wait.SLEEP_GRANULARITY = 0.005
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20
