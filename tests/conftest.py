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

import pytest
import textual._wait

textual._wait.SLEEP_GRANULARITY = 0.005
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own data dir and no config file: nothing a test does reaches the developer's own
    journal or config (the demo app journals its writes). Without this the suite wrote every run's edits into
    the real journal — 150 MB after a day, and each run slower than the last as the journal grew. A test
    that needs these paths sets them again (monkeypatch.setenv), or passes its own environment."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("ISPTUI_CONFIG", str(home / "config" / "config.toml"))
