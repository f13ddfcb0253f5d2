"""The breadcrumb line on top and the status line at the bottom of the explorer."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from isptui.ui.text import clean, cut, nice_title


class Breadcrumbs(Static):
    """``Splynx › Customers › 42 Lucía García`` — where the user is, cut from the left when long."""

    DEFAULT_CSS = """
    Breadcrumbs { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def show(self, crumbs: list[str], *, back: bool = False, forward: bool = False) -> None:
        arrows = ("‹ " if back else "  ") + ("› " if forward else "  ")
        text = " › ".join(clean(nice_title(c)) for c in crumbs if c)
        room = max(10, self.size.width - 2 - len(arrows)) if self.size.width else 200
        if len(text) > room:
            text = "…" + text[-(room - 1):]
        self.update(Text(arrows, style="dim") + Text(text, style="bold"))


class StatusLine(Static):
    """Profile, backend, safety badges, request count and last latency."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, profile: str, backend: str, badges: list[str], *, show_latency: bool = True,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.profile = profile
        self.backend = backend
        self.badges = badges
        self.show_latency = show_latency
        self.requests = 0
        self.latency_ms: float | None = None

    def on_mount(self) -> None:
        self.redraw()

    def set_counts(self, requests: int, latency_ms: float | None) -> None:
        self.requests, self.latency_ms = requests, latency_ms
        self.redraw()

    def redraw(self) -> None:
        text = Text()
        text.append(cut(clean(self.profile), 24), style="bold")
        text.append(f" · {clean(self.backend)}")
        for badge in self.badges:
            text.append(" ")
            text.append(f" {badge} ", style="reverse bold")
        right = f"{self.requests} req"
        if self.show_latency and self.latency_ms is not None:
            right += f" · {self.latency_ms:.0f} ms"
        width = self.size.width - 2 if self.size.width else 78
        gap = max(1, width - text.cell_len - len(right))
        text.append(" " * gap)
        text.append(right, style="dim")
        self.update(text)

    def on_resize(self) -> None:
        self.redraw()
