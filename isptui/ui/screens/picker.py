"""The profile picker: configured profiles, environment profiles and the demo backends."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from isptui.errors import BackendError
from isptui.ui.profiles import ProfileEntry
from isptui.ui.text import clean, cut
from isptui.ui.widgets.footer import KeyFooter
from isptui.ui.widgets.panels import ErrorPanel


class PickerScreen(Screen[None]):
    """Choose a profile; enter connects. A failed connection shows here and enter tries again.

    space marks several profiles; enter then opens all of them side by side (a workspace, ctrl+o switches).
    """

    BINDINGS = [Binding("q", "app.quit", "Quit"), Binding("space", "mark", "Mark several"),
                Binding("question_mark", "help", "Help")]
    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen #picker { width: 90; max-width: 100%; height: auto; max-height: 100%; }
    PickerScreen #picker-title { text-style: bold; color: $primary; padding: 0 1; }
    PickerScreen OptionList { height: auto; max-height: 16; border: round $primary; }
    PickerScreen #picker-status { padding: 0 1; color: $foreground-muted; height: auto; }
    PickerScreen ErrorPanel { margin: 0; }
    """

    class ProfileChosen(Message):
        """Enter on a profile line."""

        def __init__(self, profile: ProfileEntry) -> None:
            super().__init__()
            self.profile = profile

    class ProfilesChosen(Message):
        """Enter with several profiles marked (space): open them all."""

        def __init__(self, profiles: list[ProfileEntry]) -> None:
            super().__init__()
            self.profiles = profiles

    def __init__(self, profiles: Sequence[ProfileEntry], *, deferred: bool = False) -> None:
        """``deferred``: the app starts straight on a profile, so this screen lies under the explorer and
        is built the first time it is shown again (``s``, a failed connection), not before the first paint."""
        super().__init__()
        self.profiles = list(profiles)
        self.connecting_to: ProfileEntry | None = None
        """Set by the app when it connects straight away (``isptui demo krill``): said in the status line."""
        self.marked: set[int] = set()
        self.built = not deferred
        """Whether the list is composed; a deferred picker is composed when first shown again."""
        self._resumed = False
        self._status: str | None = None
        """The status line set while the list was not built yet (None: the one ``on_mount`` sets)."""
        self._error: BackendError | None = None
        """The error shown (under the status line) while the list was not built yet."""

    def compose(self) -> ComposeResult:
        if not self.built:
            return
        with Vertical(id="picker"):
            yield Static("isptui — choose a profile", id="picker-title")
            yield OptionList(*(Option(self._line(p, False), id=f"profile-{i}") for i, p in enumerate(self.profiles)),
                             id="profiles")
            yield Static(Text(clean(self._status)) if self._status is not None else "enter connects · q quits",
                         id="picker-status")
            if self._error is not None:
                yield ErrorPanel(self._error)
        yield KeyFooter()

    async def on_screen_resume(self) -> None:
        first, self._resumed = not self._resumed, True
        if not self.built and not first:  # the first resume is the push, under the explorer about to come
            self.built = True
            await self.recompose()
            self.on_mount()

    @staticmethod
    def _line(profile: ProfileEntry, marked: bool) -> Text:
        text = Text(cut(clean(profile.name), 22).ljust(23), style="bold")
        text.append(cut(clean(profile.backend_name), 8).ljust(9))
        text.append(cut(clean(profile.description), 40), style="dim")
        for badge in profile.badges:
            text.append(f" {badge}", style="bold")
        if profile.source != "demo":
            text.append(f"  ({profile.source})", style="italic dim")
        if marked:
            text.append(" ✓", style="bold")
        return text

    def on_mount(self) -> None:
        if not self.built:
            return
        options = self.query_one(OptionList)
        options.focus()
        if self.connecting_to in self.profiles:
            options.highlighted = self.profiles.index(self.connecting_to)
            if self._status is None:
                self.set_status(f"Connecting to {self.connecting_to.name}…")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.marked:
            chosen = [p for i, p in enumerate(self.profiles) if i in self.marked]
            self.set_status(f"Opening {len(chosen)} connections…")
            self.post_message(self.ProfilesChosen(chosen))
            return
        profile = self.profiles[event.option_index]
        self.set_status(f"Connecting to {profile.name}…")
        self.post_message(self.ProfileChosen(profile))

    def action_mark(self) -> None:
        """space: mark (or unmark) the highlighted profile; enter opens every marked one."""
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None:
            return
        self.marked ^= {index}
        options.replace_option_prompt_at_index(index, self._line(self.profiles[index], index in self.marked))
        count = len(self.marked)
        self.set_status(f"{count} marked · enter opens them side by side · space marks" if count
                        else "enter connects · space marks several · q quits")

    def set_status(self, message: str) -> None:
        self._error = None
        if not self.built:
            self._status = message
            return
        for panel in self.query(ErrorPanel):
            panel.remove()
        self.query_one("#picker-status", Static).update(Text(clean(message)))

    def show_error(self, profile: ProfileEntry, error: BackendError) -> None:
        """The connection failed: show title, status, message and URL; enter retries."""
        self.set_status(f"Could not connect to {profile.name}. enter tries again.")
        if not self.built:
            self._error = error
            return
        self.query_one("#picker", Vertical).mount(ErrorPanel(error))
        self.query_one(OptionList).focus()

    def action_help(self) -> None:
        self.notify("up/down choose · enter connects · space marks several (enter opens them side by side) · "
                    "ctrl+p commands · q quits", title="Keys")
