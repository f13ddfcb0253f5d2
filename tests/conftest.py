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

Every app a test starts parses the same CSS again (Textual keeps its parse cache per stylesheet, and each app has
its own): about forty sources an app, 5% of the UI tests' CPU. ``_parse_once_per_session`` keeps one parse of
each source (with the theme variables it was parsed under) for the whole worker; the rule sets are only read
after parsing, and a CSS error is still raised by the stylesheet that meets it.
"""

from __future__ import annotations

from typing import Any

import pytest
import textual._wait
from textual.css.stylesheet import Stylesheet

textual._wait.SLEEP_GRANULARITY = 0.005
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20

_parsed: dict[tuple[Any, ...], Any] = {}
_parse_rules = Stylesheet._parse_rules


def _parse_once_per_session(self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False,
                            tie_breaker: int = 0, scope: str = "") -> Any:
    key = (css, read_from, is_default_rules, tie_breaker, scope)
    if key in self._parse_cache:
        return self._parse_cache[key]
    shared = (*key, frozenset(self._variables.items()))
    if shared not in _parsed:
        _parsed[shared] = _parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
    self._parse_cache[key] = _parsed[shared]
    return _parsed[shared]


Stylesheet._parse_rules = _parse_once_per_session  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own data dir and no config file: nothing a test does reaches the developer's own
    journal or config (the demo app journals its writes). Without this the suite wrote every run's edits into
    the real journal — 150 MB after a day, and each run slower than the last as the journal grew. A test
    that needs these paths sets them again (monkeypatch.setenv), or passes its own environment."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("ISPTUI_CONFIG", str(home / "config" / "config.toml"))
