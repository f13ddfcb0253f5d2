"""The request log panel: every exchange with status and time; ``c`` copies the highlighted one as curl.

The exchange records come from ``isptui.http``'s RequestLog; this panel only reads their ``method``,
``url``, ``status`` and latency attributes, whichever of the usual names they carry.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import unquote, urlsplit

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from isptui.ui.text import clean, cut

MAX_SHOWN = 500


def _first(obj: Any, *names: str) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def exchange_line(exchange: Any, *, show_latency: bool = True, mask: Any = None) -> Text:
    """``GET 200  12 ms  https://…/customers`` for one exchange."""
    method = str(_first(exchange, "method") or "?")
    status = _first(exchange, "status", "status_code")
    ms = _first(exchange, "elapsed_ms", "latency_ms", "duration_ms")
    request = _first(exchange, "request")
    url = _first(exchange, "url") or (_first(request, "url") if request is not None else None) or ""
    error = _first(exchange, "error")
    if mask is not None and mask.on:
        # Decoded first: a filter's email travels as %40 in the query, where no shape would match it.
        url, error = mask.text(unquote(str(url))), mask.text(str(error)) if error else error
    text = Text(f"{method:<6} ", style="bold")
    if status is not None:
        text.append(f"{status} ", style="bold" if int(status) < 400 else "bold reverse")
    else:
        text.append("ERR ", style="bold reverse")
    if show_latency and isinstance(ms, int | float):
        text.append(f"{ms:>6.0f} ms ", style="dim")
    text.append(clean(short_url(str(url))))
    if error:
        text.append(f"  {cut(clean(str(error)), 60)}", style="italic")
    # One line per exchange, cut at the panel's edge: the full URL is one ``c`` (copy as curl) away.
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def short_url(url: str) -> str:
    """The path and query of ``url``: every exchange of a profile has the same origin, so it is noise."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "") or "/"


def curl_for(exchange: Any) -> str:
    """``exchange`` as a curl command with secrets redacted, using the HTTP layer's ``to_curl``.

    Without the HTTP layer's formatter, only the method and URL are given: headers could hold secrets.
    """
    for module in ("isptui.http", "isptui.http.curl", "isptui.http.log"):
        try:
            to_curl = getattr(importlib.import_module(module), "to_curl", None)
        except ImportError:
            continue
        if to_curl is not None:
            return str(to_curl(exchange))
    method = str(_first(exchange, "method") or "GET")
    return f"curl -X {method} '{_first(exchange, 'url') or ''}'"


class RequestLogPanel(OptionList):
    """The newest exchanges last; follows the log live while open."""

    DEFAULT_CSS = """
    RequestLogPanel, RequestLogPanel:focus { height: 9; border: none; border-top: solid $primary; background: $surface; }
    """

    def __init__(self, log: Any, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.request_log = log
        self.exchanges: list[Any] = []

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        entries = list(self.request_log.entries()) if self.request_log is not None else []
        self.exchanges = entries[-MAX_SHOWN:]
        self.set_options(Option(self._line(e)) for e in self.exchanges)
        if self.exchanges:
            self.highlighted = len(self.exchanges) - 1

    def add(self, exchange: Any) -> None:
        follow = self.highlighted is None or self.highlighted == len(self.exchanges) - 1
        self.exchanges.append(exchange)
        self.add_option(Option(self._line(exchange)))
        if follow:
            self.highlighted = len(self.exchanges) - 1

    def _line(self, exchange: Any) -> Text:
        # The app's show_latency=False (screenshots, snapshot tests) hides timings here as in the status line.
        return exchange_line(exchange, show_latency=bool(getattr(self.app, "show_latency", True)),
                             mask=getattr(self.app, "mask", None))

    @property
    def selected_exchange(self) -> Any:
        if self.highlighted is None or not self.exchanges:
            return None
        return self.exchanges[self.highlighted]
