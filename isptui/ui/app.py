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
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
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
from isptui.ui.workspace import Slot, SlotScreen, badge_text

if TYPE_CHECKING:
    from isptui.backends.base import Backend
    from isptui.ui.places import Place
    from isptui.ui.screens.explorer import ExplorerScreen
    from isptui.ui.screens.find import FindScreen

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


async def _open(entry: ProfileEntry) -> Backend:
    """The entry's backend, logged in: the one the CLI already connected, else built in a thread (the adapter
    imports a lot) and connected; a failed login closes what was built before the error goes on."""
    if entry.connected is not None:
        backend, entry.connected = entry.connected, None
        await asyncio.to_thread(_preload)
        return backend
    backend = await asyncio.to_thread(_build, entry)
    try:
        await backend.connect()
    except BackendError:
        with contextlib.suppress(BackendError):
            await backend.close()
        raise
    return backend


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
    BINDINGS = [Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True),
                Binding("ctrl+f", "find", "Find", show=False, id="isptui.find"),
                Binding("ctrl+o", "switch_connection", "Connections", show=False, id="isptui.switch_connection")]
    # Under NO_COLOR every colour is dropped, so a highlight must be shown by reversing the text instead.
    # Dialogs float in the middle over a dimmed explorer (app.tcss paints every Screen opaque, and a
    # screen's DEFAULT_CSS is scoped to its children, so this lives at app level). The diff preview and the
    # help take (up to) the whole height and all but two columns a side, so they are opaque: a translucent
    # screen makes Textual draw the screen under it (the edit form, the explorer) and tint every cell of it
    # on each paint, ~10-20 ms of their first paint for two dimmed columns.
    CSS = """
    OptionList:nocolor > .option-list--option-highlighted { text-style: reverse; }
    ModalScreen { align: center middle; background: $background 60%; }
    DiffPreviewScreen, HelpScreen { background: $background; }
    """

    def __init__(self, profiles: Sequence[ProfileEntry], *, start: str | None = None,
                 theme: str | None = None, show_latency: bool = True,
                 keymap: Mapping[str, str] | None = None, mask: bool | None = None,
                 workspace: Sequence[str] | None = None) -> None:
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
        self.workspace = list(workspace or [])
        """Profile names to open side by side at start (``isptui demo all``, several ``--profile``)."""
        self.slots: dict[str, Slot] = {}
        """The workspace's connections by profile name, in order; empty with one connection."""
        self.active: str | None = None
        self.find_screen: FindScreen | None = None
        self.finder = None
        """``find_everywhere`` or a stand-in with its signature; None: isptui.find.run's."""
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
        several = [p for name in self.workspace for p in self.profiles if p.name == name]
        chosen = [p for p in self.profiles if p.name == self.start] if self.start else self.profiles
        straight = not several and (self.start is not None or len(self.profiles) == 1) and bool(chosen)
        # Starting straight on one profile, the picker lies under its explorer until `s` or a failure shows
        # it: it is built then, not before the explorer's first paint (issue 15).
        picker = PickerScreen(self.profiles, deferred=straight)
        self.push_screen(picker)
        if several:
            picker.connecting_to = several[0]
            self.open_workspace(several)
            return
        if straight:
            picker.connecting_to = chosen[0]
            self.connect(chosen[0])

    def on_picker_screen_profile_chosen(self, event: PickerScreen.ProfileChosen) -> None:
        self.connect(event.profile)

    def on_picker_screen_profiles_chosen(self, event: PickerScreen.ProfilesChosen) -> None:
        self.open_workspace(event.profiles)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self, profile: ProfileEntry) -> None:
        """Show the profile's explorer, then build and connect its backend; on failure the picker says why.

        The explorer is pushed first and painted from the backend's declared collections; the adapter
        import, login and discovery come after that paint (keys typed meanwhile wait for the connection).
        """
        explorer_class = _explorer()
        await self._close_backend()
        await self._close_workspace()
        await self._drop_find()
        self.profile = profile
        if profile.theme and profile.theme in self.available_themes:
            self.theme = profile.theme
        while isinstance(self.screen, explorer_class):
            await self.pop_screen()
        explorer = explorer_class(profile, show_latency=self.show_latency)
        await self.push_screen(explorer)
        await self._painted()
        try:
            backend = await _open(profile)
        except BackendError as exc:
            explorer.connection_failed(exc)
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
        await self._close_workspace()
        self.exit(0)

    # -- workspace: several connections side by side -----------------------------------------------------
    @work(exclusive=True, group="connect", exit_on_error=False)
    async def open_workspace(self, entries: Sequence[ProfileEntry]) -> None:
        """Open every entry at once, each in its own slot; the first is shown, ctrl+o switches."""
        await self._close_backend()
        await self._close_workspace()
        await self._drop_find()
        count = len(entries)
        for index, entry in enumerate(entries, 1):
            screen = SlotScreen(entry, badge_text(entry.name, entry.read_only, index, count))
            slot = Slot(entry, screen)
            self.slots[entry.name] = slot
            self.install_screen(screen, _screen_name(screen))
        for entry in entries:
            self._connect_slot(self.slots[entry.name])
        await self.show_slot(entries[0].name)

    @work(exit_on_error=False)
    async def _connect_slot(self, slot: Slot) -> None:
        """Connect one slot; a failure stays in that slot (its screen says why), the others go on."""
        started = time.perf_counter()
        entry = slot.entry
        try:
            backend = await _open(entry)
            explorer = _explorer()
        except BackendError as exc:
            slot.state, slot.error, slot.elapsed = "failed", exc, time.perf_counter() - started
            if isinstance(slot.screen, SlotScreen):
                await slot.screen.show_error(exc)
            return
        if self.slots.get(entry.name) is not slot:  # the workspace was closed meanwhile
            with contextlib.suppress(BackendError):
                await backend.close()
            return
        names = list(self.slots)
        screen = explorer(entry, backend, show_latency=self.show_latency)
        screen.badge = badge_text(entry.name, backend.read_only, names.index(entry.name) + 1, len(names))
        old = slot.screen
        slot.screen, slot.backend, slot.state = screen, backend, "open"
        slot.elapsed = time.perf_counter() - started
        self.install_screen(screen, _screen_name(screen))
        await self._swap_slot_screen(old, slot)

    async def _swap_slot_screen(self, old: Screen[object], slot: Slot) -> None:
        """The slot's explorer replaces its "Connecting…" screen (now if shown, else when next shown)."""
        if self.screen is old:
            await self.switch_screen(slot.screen)
            self._activate(slot)
        if old not in self.screen_stack:
            self.uninstall_screen(old)
            if old.is_mounted:
                await old.remove()
        # Under a dialog: SlotScreen.on_screen_resume asks again once the dialog is gone.

    def slot_resumed(self, name: str) -> None:
        slot = self.slots.get(name)
        if slot is not None and slot.state == "open" and isinstance(self.screen, SlotScreen):
            old = self.screen
            self.run_worker(partial(self._swap_slot_screen, old, slot), exit_on_error=False)

    def retry_slot(self, name: str) -> None:
        slot = self.slots.get(name)
        if slot is not None and slot.state == "failed" and isinstance(slot.screen, SlotScreen):
            slot.state, slot.error = "connecting", None
            self.run_worker(slot.screen.show_connecting, exit_on_error=False)
            self._connect_slot(slot)

    async def show_slot(self, name: str) -> None:
        """Show the named slot (closing dialogs and Find over the current one)."""
        slot = self.slots[name]
        while len(self.screen_stack) > 3:
            await self.pop_screen()
        if len(self.screen_stack) > 2:
            await self.switch_screen(slot.screen)
        else:
            await self.push_screen(slot.screen)
        self._activate(slot)

    def _activate(self, slot: Slot) -> None:
        self.active = slot.name
        if slot.entry.theme and slot.entry.theme in self.available_themes:
            self.theme = slot.entry.theme

    @work(exclusive=True, group="switch", exit_on_error=False)
    async def switch_to(self, name: str) -> None:
        if name in self.slots:
            await self.show_slot(name)

    def action_switch_connection(self) -> None:
        """ctrl+o: the list of open connections; enter shows the chosen one."""
        from isptui.ui.screens.dialogs import ChooseScreen

        if not self.slots:
            self.notify("One connection is open. Open several with isptui demo all, isptui --profile A "
                        "--profile B, or space on several profiles in the picker.", title="Connections")
            return
        names = list(self.slots)
        lines = [self.slots[n].line(n == self.active) for n in names]
        current = names.index(self.active) if self.active in names else 0

        def chosen(index: int | None) -> None:
            if index is not None:
                self.switch_to(names[index])

        self.push_screen(ChooseScreen("Connections · enter switches", lines,
                                      highlighted=(current + 1) % len(names)), chosen)

    def open_connections(self) -> dict[str, Backend]:
        """Every connection that is open now, by profile name (Find searches these)."""
        if self.slots:
            return {n: s.backend for n, s in self.slots.items() if s.state == "open" and s.backend is not None}
        if self.backend is not None and self.profile is not None:
            return {self.profile.name: self.backend}
        return {}

    def unavailable_connections(self) -> dict[str, str]:
        """Workspace slots that are not open, with why (shown in Find's status lines)."""
        return {n: ("connecting…" if s.state == "connecting" else
                    f"not connected: {s.error.message if s.error else ''}")
                for n, s in self.slots.items() if s.state != "open"}

    def action_find(self) -> None:
        """ctrl+f: Find over every open connection; its results are kept until the next search."""
        from isptui.ui.screens.find import FindScreen

        if isinstance(self.screen, FindScreen):
            return
        if len(self.screen_stack) < 3 or not self.open_connections():
            self.notify("Open a connection first; ctrl+f finds a subscriber across every open one.",
                        title="Find")
            return
        if self.find_screen is None:
            self.find_screen = FindScreen()
            self.install_screen(self.find_screen, _screen_name(self.find_screen))
        self.run_worker(self._show_find, group="switch", exclusive=True, exit_on_error=False)

    async def _show_find(self) -> None:
        while len(self.screen_stack) > 3:
            await self.pop_screen()
        assert self.find_screen is not None
        await self.push_screen(self.find_screen)

    @work(exclusive=True, group="switch", exit_on_error=False)
    async def open_found(self, name: str, place: Place) -> None:
        """Enter on a Find hit: show its connection and open the record in that connection's explorer."""
        if self.slots:
            if name not in self.slots or self.slots[name].state != "open":
                return
            await self.show_slot(name)
        else:
            if self.profile is None or self.profile.name != name:
                return
            while len(self.screen_stack) > 3:
                await self.pop_screen()
        explorer = _explorer_class()
        if explorer is not None and isinstance(self.screen, explorer):
            self.screen.open_found(place)

    async def _drop_find(self) -> None:
        """Find's kept results belong to the connections they came from: forgotten when those close."""
        find, self.find_screen = self.find_screen, None
        if find is not None and find not in self.screen_stack:
            self.uninstall_screen(find)
            if find.is_mounted:
                await find.remove()

    async def _close_workspace(self) -> None:
        """Close every slot's connection and forget its screens (back to one connection or the picker)."""
        if not self.slots:
            return
        slots, self.slots, self.active = list(self.slots.values()), {}, None
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        for slot in slots:
            if slot.backend is not None:
                with contextlib.suppress(BackendError):
                    await slot.backend.close()
            self.uninstall_screen(slot.screen)
            if slot.screen.is_mounted:
                await slot.screen.remove()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Switch profile", "Back to the profile picker", self.action_switch_profile)
        if self.open_connections():
            yield SystemCommand("Find", "Find a subscriber across every open connection (ctrl+f)", self.action_find)
        for name, slot in self.slots.items():
            yield SystemCommand(f"Connection: {clean(name)}", f"Switch to {clean(name)} (ctrl+o) · {slot.state}",
                                partial(self.switch_to, name))
        explorer = _explorer_class()
        if explorer is not None and isinstance(screen, explorer):
            yield SystemCommand("Go to", "Jump to a collection, record or link found so far", screen.action_goto)
            yield SystemCommand("Toggle request log", "Show or hide the request log (l)", screen.action_toggle_log)
            yield SystemCommand("Help for this view", "The keys of the current view (?)", screen.action_help)


def _screen_name(screen: Screen[object]) -> str:
    return f"isptui-{type(screen).__name__}-{id(screen)}"
