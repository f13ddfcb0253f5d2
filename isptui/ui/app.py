"""The Textual application: themes, the profile picker, connecting, and the explorer per profile.

Startup is ordered for a fast first paint: the picker, or with a profile to start on the explorer with the
backend's declared collections and a "connecting…" badge, is drawn before httpx, pydantic, the adapter or
the sandbox app are imported; those are imported and the backend built in a thread after that paint, so
the screen keeps drawing meanwhile (issue 15).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from isptui.errors import BackendError
from isptui.text import clean
from isptui.ui.profiles import ProfileEntry
from isptui.ui.screens.picker import PickerScreen
from isptui.ui.theming import choose_theme, load_themes

if TYPE_CHECKING:
    from isptui.backends.base import Backend
    from isptui.ui.screens.explorer import ExplorerScreen

EXPLORER_MODULE = "isptui.ui.screens.explorer"


def _explorer_class() -> type[ExplorerScreen] | None:
    """The explorer screen class if it was imported (it is, once any explorer exists), without importing it."""
    module = sys.modules.get(EXPLORER_MODULE)
    return getattr(module, "ExplorerScreen", None) if module is not None else None


def _build(profile: ProfileEntry) -> Backend:
    """Build the profile's backend and import the explorer's views (run in a thread: both import a lot)."""
    backend = profile.build()
    _preload()
    return backend


def _preload() -> None:
    from isptui.ui.screens.explorer import preload

    preload()


def _explorer() -> type[ExplorerScreen]:
    # Light (no adapter, httpx or pydantic: see its docstring), so imported on the loop before connecting.
    from isptui.ui.screens.explorer import ExplorerScreen

    return ExplorerScreen


class IspApp(App[int]):
    """isptui: pick a profile (or start with one), connect, explore."""

    # Absolute, so subclasses defined elsewhere (benchmarks, tests) still find the stylesheet.
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "isptui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True)]
    # Under NO_COLOR every colour is dropped, so a highlight must be shown by reversing the text instead.
    # Dialogs float in the middle over a dimmed explorer (app.tcss paints every Screen opaque, and a
    # screen's DEFAULT_CSS is scoped to its children, so this lives at app level).
    CSS = """
    OptionList:nocolor > .option-list--option-highlighted { text-style: reverse; }
    ModalScreen { align: center middle; background: $background 60%; }
    """

    def __init__(self, profiles: Sequence[ProfileEntry], *, start: str | None = None,
                 theme: str | None = None, show_latency: bool = True,
                 keymap: Mapping[str, str] | None = None, mask: bool | None = None) -> None:
        # NO_COLOR: native ANSI mode makes Textual strip colours (its NoColor filter) instead of turning the
        # theme grey (its Monochrome filter), which made the ANSI theme black on black. The filter is chosen
        # in App.__init__, before our theme is set, so it has to be decided here.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self.profiles = list(profiles)
        self.start = start
        self.requested_theme = theme
        self.show_latency = show_latency
        self.user_keymap = dict(keymap or {})
        self.backend: Backend | None = None
        self.profile: ProfileEntry | None = None
        from isptui.mask import MaskState, env_wants_mask

        # One mask (and one masking key) per session: `m` toggles it, values mask the same way all along.
        self.mask = MaskState(on=env_wants_mask() if mask is None else mask)
        # Themes are chosen before the stylesheet is first parsed: switching in on_mount parsed it twice.
        themes, self._theme_problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        self.theme = choose_theme(self.available_themes, self.requested_theme)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast of the app (screens and widgets forward here): never parsed as markup, control
        characters made visible. Toast text quotes server text (ids, error messages, action names), and a
        ``[/]`` in it raised MarkupError while ``[@click=app.quit]`` was live; no toast needs markup."""
        del markup
        super().notify(clean(message, multiline=True), title=clean(title), severity=severity,
                       timeout=timeout, markup=False)

    def on_mount(self) -> None:
        # Everything imported and built so far lives as long as the app: keep it out of the cyclic garbage
        # collector's full passes, which otherwise scan it all and pause the event loop for 100 ms or more.
        gc.freeze()
        if self.user_keymap:
            self.set_keymap(self.user_keymap)  # [keys] of config.toml: binding id -> keys
        for problem in self._theme_problems:
            self.notify(problem, title="Theme file skipped", severity="warning")
        picker = PickerScreen(self.profiles)
        self.push_screen(picker)
        chosen = [p for p in self.profiles if p.name == self.start] if self.start else self.profiles
        if (self.start is not None or len(self.profiles) == 1) and chosen:
            picker.connecting_to = chosen[0]
            self.connect(chosen[0])

    def on_picker_screen_profile_chosen(self, event: PickerScreen.ProfileChosen) -> None:
        self.connect(event.profile)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self, profile: ProfileEntry) -> None:
        """Show the profile's explorer, then build and connect its backend; on failure the picker says why.

        The explorer is pushed first and painted from the backend's declared collections; the adapter
        import, login and discovery come after that paint (keys typed meanwhile wait for the connection).
        """
        explorer_class = _explorer()
        await self._close_backend()
        self.profile = profile
        if profile.theme and profile.theme in self.available_themes:
            self.theme = profile.theme
        while isinstance(self.screen, explorer_class):
            await self.pop_screen()
        explorer = explorer_class(profile, show_latency=self.show_latency)
        await self.push_screen(explorer)
        await self._painted()
        backend: Backend | None = None
        try:
            if profile.connected is not None:
                backend, profile.connected = profile.connected, None
                await asyncio.to_thread(_preload)
            else:
                backend = await asyncio.to_thread(_build, profile)
                await backend.connect()
        except BackendError as exc:
            explorer.connection_failed(exc)
            if backend is not None:
                with contextlib.suppress(BackendError):
                    await backend.close()
            while explorer in self.screen_stack and len(self.screen_stack) > 1:
                await self.pop_screen()
            picker = self.screen if isinstance(self.screen, PickerScreen) else None
            if picker is not None:
                picker.show_error(profile, exc)
            else:
                self.notify(exc.message, title=exc.title, severity="error")
            return
        if explorer not in self.screen_stack:  # the user left for the picker while it connected
            with contextlib.suppress(BackendError):
                await backend.close()
            return
        self.backend = backend
        explorer.connected(backend)

    async def _painted(self) -> None:
        """Return after the next screen refresh (so what was just mounted is on the terminal)."""
        painted = asyncio.get_running_loop().create_future()
        self.call_after_refresh(lambda: painted.done() or painted.set_result(None))
        await painted

    async def _close_backend(self) -> None:
        if self.backend is not None:
            # Closing a dead connection is not worth bothering the user with.
            with contextlib.suppress(BackendError):
                await self.backend.close()
            self.backend = None

    def action_switch_profile(self) -> None:
        self.workers.cancel_group(self, "connect")  # a connection still being made is for the explorer left
        explorer = _explorer_class()
        while (explorer is not None and isinstance(self.screen, explorer)) or len(self.screen_stack) > 2:
            self.pop_screen()
        if isinstance(self.screen, PickerScreen):
            self.screen.set_status("enter connects · q quits")

    async def action_quit(self) -> None:
        await self._close_backend()
        self.exit(0)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Switch profile", "Back to the profile picker", self.action_switch_profile)
        explorer = _explorer_class()
        if explorer is not None and isinstance(screen, explorer):
            yield SystemCommand("Go to", "Jump to a collection, record or link found so far", screen.action_goto)
            yield SystemCommand("Toggle request log", "Show or hide the request log (l)", screen.action_toggle_log)
            yield SystemCommand("Help for this view", "The keys of the current view (?)", screen.action_help)
