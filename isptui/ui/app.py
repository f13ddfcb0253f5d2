"""The Textual application: themes, the profile picker, connecting, and the explorer per profile."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from isptui.backends.base import Backend
from isptui.errors import BackendError
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.screens.picker import PickerScreen
from isptui.ui.theming import choose_theme, load_themes


class IspApp(App[int]):
    """isptui: pick a profile (or start with one), connect, explore."""

    # Absolute, so subclasses defined elsewhere (benchmarks, tests) still find the stylesheet.
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "isptui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True)]

    def __init__(self, profiles: Sequence[ProfileEntry], *, start: str | None = None,
                 theme: str | None = None, show_latency: bool = True) -> None:
        super().__init__()
        self.profiles = list(profiles)
        self.start = start
        self.requested_theme = theme
        self.show_latency = show_latency
        self.backend: Backend | None = None
        self.profile: ProfileEntry | None = None

    def on_mount(self) -> None:
        for theme in load_themes():
            self.register_theme(theme)
        self.theme = choose_theme(self.available_themes, self.requested_theme)
        self.push_screen(PickerScreen(self.profiles))
        chosen = [p for p in self.profiles if p.name == self.start] if self.start else self.profiles
        if (self.start is not None or len(self.profiles) == 1) and chosen:
            self.connect(chosen[0])

    def on_picker_screen_profile_chosen(self, event: PickerScreen.ProfileChosen) -> None:
        self.connect(event.profile)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self, profile: ProfileEntry) -> None:
        """Build and connect the profile's backend; on failure the picker shows why."""
        try:
            backend = profile.build()
            await backend.connect()
        except BackendError as exc:
            picker = self.screen if isinstance(self.screen, PickerScreen) else None
            if picker is not None:
                picker.show_error(profile, exc)
            else:
                self.notify(exc.message, title=exc.title, severity="error")
            return
        await self._close_backend()
        self.backend, self.profile = backend, profile
        if profile.theme and profile.theme in self.available_themes:
            self.theme = profile.theme
        while isinstance(self.screen, ExplorerScreen):
            self.pop_screen()
        await self.push_screen(ExplorerScreen(profile, backend, show_latency=self.show_latency))

    async def _close_backend(self) -> None:
        if self.backend is not None:
            # Closing a dead connection is not worth bothering the user with.
            with contextlib.suppress(BackendError):
                await self.backend.close()
            self.backend = None

    def action_switch_profile(self) -> None:
        while isinstance(self.screen, ExplorerScreen) or len(self.screen_stack) > 2:
            self.pop_screen()

    async def action_quit(self) -> None:
        await self._close_backend()
        self.exit(0)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Switch profile", "Back to the profile picker", self.action_switch_profile)
        if isinstance(screen, ExplorerScreen):
            yield SystemCommand("Go to", "Jump to a collection, record or link found so far", screen.action_goto)
            yield SystemCommand("Toggle request log", "Show or hide the request log (l)", screen.action_toggle_log)
            yield SystemCommand("Help for this view", "The keys of the current view (?)", screen.action_help)
