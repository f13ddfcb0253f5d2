"""Several connections open at once: one slot per profile, each with its own explorer (or its own error).

A slot starts "connecting"; it becomes "open" with an explorer, or "failed" with the error shown in its
own screen while the other slots work. The app shows one slot at a time; ``ctrl+o`` switches. Every
explorer is an installed screen, so switching away and back keeps its history, place and request log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen

from isptui.errors import BackendError
from isptui.ui.profiles import ProfileEntry
from isptui.ui.text import clean, cut
from isptui.ui.widgets.footer import KeyFooter
from isptui.ui.widgets.panels import ErrorPanel, Notice
from isptui.ui.widgets.status import Breadcrumbs

if TYPE_CHECKING:
    from isptui.backends.base import Backend

SlotState = Literal["connecting", "open", "failed"]


@dataclass(eq=False)
class Slot:
    """One connection of the workspace."""

    entry: ProfileEntry
    screen: Screen[object]
    """Its explorer once open; a ``SlotScreen`` while connecting or after a failure."""
    state: SlotState = "connecting"
    backend: Backend | None = None
    error: BackendError | None = None
    elapsed: float | None = None

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def read_only(self) -> bool:
        if self.backend is not None:
            return bool(self.backend.read_only)
        return self.entry.read_only

    def line(self, active: bool) -> Text:
        """The slot in the ctrl+o list: marker, name, backend, state."""
        text = Text("● " if active else "  ", style="bold")
        text.append(cut(clean(self.name), 22).ljust(23), style="bold")
        text.append(cut(clean(self.entry.backend_name), 8).ljust(9))
        if self.state == "open":
            text.append("read-only" if self.read_only else "read-write", style="dim")
        elif self.state == "connecting":
            text.append("connecting…", style="italic dim")
        else:
            text.append("failed: ", style="bold")
            text.append(cut(clean(self.error.message if self.error else ""), 30), style="dim")
        return text


def badge_text(slot_name: str, read_only: bool, index: int, count: int) -> str:
    """The header badge: which connection is shown, and whether it may write."""
    return f"{index}/{count} {slot_name} · {'read-only' if read_only else 'read-write'}"


class SlotScreen(Screen[None]):
    """A connection that is not open: "Connecting…", or why it failed (r tries again)."""

    BINDINGS = [Binding("r", "retry", "Retry"), Binding("q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    SlotScreen #slot-main { height: 1fr; }
    """

    def __init__(self, slot_entry: ProfileEntry, badge: str) -> None:
        super().__init__()
        self.entry = slot_entry
        self.badge = badge
        self.error: BackendError | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumbs()
        yield Container(Notice(f"Connecting to {self.entry.name}…"), id="slot-main")
        yield KeyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(Breadcrumbs).show([self.entry.name], badge=self.badge)
        if self.error is not None:
            self.call_after_refresh(self.show_error, self.error)

    def on_screen_resume(self) -> None:
        # Connected while a dialog covered this screen: the explorer takes its place now.
        resumed = getattr(self.app, "slot_resumed", None)
        if callable(resumed):
            self.call_later(resumed, self.entry.name)

    async def show_error(self, error: BackendError) -> None:
        self.error = error
        if not self.is_mounted:
            return  # shown on mount
        main = self.query_one("#slot-main", Container)
        await main.remove_children()
        await main.mount(Notice(f"Could not connect to {self.entry.name}. r tries again · "
                                "ctrl+o switches to another connection."), ErrorPanel(error))

    async def show_connecting(self) -> None:
        self.error = None
        main = self.query_one("#slot-main", Container)
        await main.remove_children()
        await main.mount(Notice(f"Connecting to {self.entry.name}…"))

    def action_retry(self) -> None:
        retry = getattr(self.app, "retry_slot", None)
        if callable(retry):
            retry(self.entry.name)
