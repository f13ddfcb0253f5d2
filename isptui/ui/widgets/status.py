"""The breadcrumb line on top and the status line at the bottom of the explorer."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from isptui.ui.text import clean, cut, nice_title


class Breadcrumbs(Static):
    """``Splynx › Customers › 42 Lucía García`` — where the user is, cut from the left when long."""

    DEFAULT_CSS = """
    Breadcrumbs { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def show(self, crumbs: list[str], *, back: bool = False, forward: bool = False, badge: str = "") -> None:
        """``badge`` (several connections open): which one this is, shown first in place of its name."""
        arrows = ("‹ " if back else "  ") + ("› " if forward else "  ")
        parts = [clean(nice_title(c)) for c in crumbs if c]
        head = Text()
        if badge:
            head = Text(f" {cut(clean(badge), 40)} ", style="reverse bold") + Text(" ")
            parts = parts[1:]  # the badge names the connection
        width = self.size.width
        room = max(10, width - 2 - len(arrows) - head.cell_len) if width else 200
        crumbs = Text(arrows, style="dim") + Text(cut_middle(parts, room), style="bold")
        self.update(head + crumbs if badge else crumbs, layout=False)  # one line always: no relayout


def cut_middle(parts: list[str], room: int, sep: str = " › ") -> str:
    """Crumbs joined, fitting ``room`` cells: the middle gives way first (``prod › … › 42 Lucía``), then
    the ends are cut themselves, so both where the user started and where they are stay readable."""
    text = sep.join(parts)
    if cell_len(text) <= room:
        return text
    if len(parts) >= 2:
        head, tail = parts[0], parts[-1]
        text = f"{head}{sep}…{sep}{tail}"
        if cell_len(text) <= room:
            return text
        half = max(4, (room - 2 * len(sep) - 1) // 3)
        return f"{cut(head, half)}{sep}…{sep}{cut(tail, room - half - 2 * len(sep) - 1)}"
    return cut(text, room)


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
        self.update(text, layout=False)  # one line always: no relayout of the screen per request

    def on_resize(self) -> None:
        self.redraw()
