"""One record: its fields (whole values, wrapped), then its links and actions, all reachable by keyboard.

A record may have thousands of fields (issue 15: 5,000 and a 1 MB JSON value). The view is Textual's
OptionList with its costly parts replaced: a field's option builds its table only when drawn; each value is
cleaned once and cached; the layout measures a field whose value fits on its line without drawing it, and is
done a few milliseconds at a time on later turns of the loop; such a field is drawn in the segments its table
would draw, without the table. Long values are cut to a head; a JSON value is never written out on the loop.
"""

from __future__ import annotations

import asyncio
import json
import time
from functools import partial
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from isptui.discovery._common import secret_name
from isptui.model import Action, Link, Record
from isptui.ui.text import byte_size, clean, cut, safe_text, shown
from isptui.ui.widgets.long_text import COMPACT, json_head

NAME_WIDTH = 22
BOLD = Style(bold=True)
MASKED = "••••••••  (v reveals)"


PREVIEW_CHARS = 2000
"""A value longer than this (or of more than PREVIEW_LINES lines) is shown cut, with its size; Enter shows it."""
PREVIEW_LINES = 8
HEAD_CHARS = 400
"""How much of a cut value is shown: at most HEAD_LINES lines of its first HEAD_CHARS characters."""
HEAD_LINES = 4


def long_value(value: object) -> str | None:
    """The head of a value too long to draw whole in the record view (at most PREVIEW_CHARS characters of
    it, uncleaned), else None. A JSON value is written out only as far as its head (``json_head``), so a
    megabyte object costs no more here than a short one."""
    if isinstance(value, str):
        if len(value) <= PREVIEW_CHARS and value.count("\n") < PREVIEW_LINES:
            return None
        return value[:PREVIEW_CHARS]
    if not isinstance(value, dict | list):
        return None
    head, more = json_head(value, PREVIEW_CHARS)
    if not more and head.count("\n") < PREVIEW_LINES:
        return None
    return head


def value_size(value: object) -> str:
    """The size of a value as shown (compact JSON for an object), in words: may take a while for a big one."""
    text = value if isinstance(value, str) else shown(value)
    return byte_size(len(text.encode("utf-8", "surrogatepass")))


def json_size(value: object) -> str:
    """``value_size`` of a JSON value, written out piece by piece in Python (``json``'s C encoder would hold
    the GIL for the whole megabyte, ~70 ms, and so block the event loop while this runs in a thread)."""
    return byte_size(sum(len(chunk.encode("utf-8", "surrogatepass")) for chunk in COMPACT.iterencode(value)))


def preview_text(head: str, size: str | None) -> Text:
    """The head of a long value (cleaned: only the head, never the whole), then its size and how to see it."""
    lines = head[:HEAD_CHARS].split("\n")[:HEAD_LINES]
    result = Text(clean("\n".join(lines), multiline=True))
    said = f"{size}, press Enter to view" if size else "press Enter to view"
    result.append(f"\n… ({said})", style="dim italic")
    return result


def _field_line(name: str, value_text: Text, width: int) -> Table:
    """Name, then the value wrapped in its own column (a hanging indent), so values line up."""
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    value_text.overflow = "fold"  # long tokens (URLs, JSON) break inside the column, not at column 0
    grid.add_row(Text(cut(clean(name), width), style="bold"), value_text)
    return grid


class _FieldOption(Option):
    """A field's option, its prompt made when first asked for: a record of 5,000 fields builds the few it
    draws, not 5,000 tables (and a field drawn on one line is drawn without its table at all)."""

    def __init__(self, view: RecordView, index: int) -> None:  # noqa: D107 - Option's state, set directly
        self._prompt = None
        self._visual = None
        self._id = f"field-{index}"
        self.disabled = False
        self._divider = False
        self.view = view
        self.index = index

    @property
    def prompt(self) -> Any:
        if self._prompt is None:
            self._prompt = self.view._field_prompt(self.index)
        return self._prompt


LAYOUT_STEP = 0.004
"""Seconds of line layout per step of the event loop; a long record is laid out over several steps."""

EXTERNAL_MARK = "↗ "
"""How an off-origin link is marked in the record view and the tree."""


class RecordView(OptionList):
    """Fields as lines, then ``→`` links and ``⚡`` actions; enter follows a link or runs an action."""

    DEFAULT_CSS = """
    RecordView, RecordView:focus { height: 1fr; border: none; background: $surface; }
    """
    BINDINGS = [Binding("v", "reveal", "Reveal", tooltip="Show or hide the secret on this line")]

    class LinkChosen(Message):
        """Enter on a link line."""

        def __init__(self, view: RecordView, link: Link) -> None:
            super().__init__()
            self.view = view
            self.link = link

    class ActionChosen(Message):
        """Enter on an action line."""

        def __init__(self, view: RecordView, action: Action) -> None:
            super().__init__()
            self.view = view
            self.action = action

    def __init__(self, record: Record, *, read_only: bool = False, id: str | None = None) -> None:
        self.record = record
        self.actions = [a for a in record.actions if not (read_only and a.writes)]
        """The ⚡ lines: under read-only, actions that write are not offered at all."""
        self.revealed: set[str] = set()
        """Secret-looking fields the user has chosen to see (``v``); all others stay masked."""
        self._names = list(record.fields)
        self._shown: dict[int, str] = {}
        """Field index -> its value as shown, cleaned (once per value)."""
        self._long: dict[int, str | None] = {}
        """Field index -> the head of its long value, or None when it is drawn whole."""
        self._sizes: dict[int, str] = {}
        """Field index -> the size of its long JSON value, once measured (in a thread)."""
        self._name_width = self._width()
        self._laid_width = -1
        self._layout_scheduled = False
        self._scroll_pending = False
        super().__init__(id=id)
        self._add_all(self._build_options(record))

    def _add_all(self, content: list[Option | None]) -> None:
        """OptionList.add_options, in bulk (its loop over 5,000 options took ~10 ms)."""
        options: list[Option] = []
        for option in content:
            if option is None:
                options[-1]._divider = True
            else:
                options.append(option)
        self._options = options
        self._option_to_index = {option: index for index, option in enumerate(options)}
        self._id_to_option = {option.id: option for option in options if option.id is not None}
        self.action_first()

    def is_masked(self, name: str) -> bool:
        value = self.record.fields.get(name)
        return secret_name(name) and value not in (None, "") and name not in self.revealed

    def _long_head(self, index: int) -> str | None:
        if index not in self._long:
            self._long[index] = long_value(self.record.fields[self._names[index]])
        return self._long[index]

    def _shown_value(self, index: int) -> str:
        text = self._shown.get(index)
        if text is None:
            text = self._shown[index] = clean(shown(self.record.fields[self._names[index]]), multiline=True)
        return text

    def _value_text(self, index: int) -> Text:
        name = self._names[index]
        if self.is_masked(name):
            return Text(MASKED, style="dim")
        head = self._long_head(index)
        if head is not None:
            value = self.record.fields[name]
            size = value_size(value) if isinstance(value, str) else self._sizes.get(index)
            return preview_text(head, size)
        return Text(self._shown_value(index), no_wrap=False)

    def _one_line_width(self, index: int) -> int | None:
        """Cells of a field's value when it is drawn on one line (no line break, not cut), else None."""
        name = self._names[index]
        if self.is_masked(name):
            return cell_len(MASKED)
        if self._long_head(index) is not None:
            return None
        text = self._shown_value(index)
        if "\n" in text:
            return None
        return len(text) if text.isascii() else cell_len(text)

    def _field_prompt(self, index: int) -> Table:
        return _field_line(self._names[index], self._value_text(index), self._name_width)

    def _width(self) -> int:
        if not self.record.fields:
            return 4
        widest = max(map(len, self.record.fields))  # cells, when all names are printable ASCII
        joined = "".join(self.record.fields)
        if widest < NAME_WIDTH and not (joined.isascii() and joined.isprintable()):
            widest = max(cell_len(clean(name)) for name in self.record.fields)
        return min(NAME_WIDTH, widest)

    def action_reveal(self) -> None:
        """Show (or hide again) the secret-looking value on the highlighted line."""
        if self.highlighted is None:
            return
        option = self.get_option_at_index(self.highlighted)
        kind, _, number = (option.id or "").partition("-")
        if kind != "field":
            return
        name = self._names[int(number)]
        if not secret_name(name):
            return
        self.revealed.symmetric_difference_update({name})
        self._replace_prompt(self.highlighted, self._field_prompt(int(number)))

    def _replace_prompt(self, index: int, prompt: Table | Text) -> None:
        """A new prompt for one option, keeping every other option's layout (and so the scroll position)."""
        option = self.get_option_at_index(index)
        option._set_prompt(prompt)
        self._option_render_cache.clear()
        cache = self._line_cache
        if index in cache.heights and self.scrollable_content_region:
            width = self.scrollable_content_region.width - self._get_left_gutter_width()
            height = self._option_height(index, option, width) + option._divider
            if height != cache.heights[index]:
                cache.heights[index] = height
                lines: list[tuple[int, int]] = []
                for at in range(len(cache.heights)):
                    cache.index_to_line[at] = len(lines)
                    lines.extend((at, row) for row in range(cache.heights[at]))
                cache.lines[:] = lines
                self._set_virtual_size(width)
        self.refresh()

    # -- layout: measured a few options at a time, one line per field when its value fits -------------
    def _fits(self, option: Option, width: int) -> bool:
        """Whether ``option`` is a field drawn on one line at ``width`` (its value fits its column)."""
        if not isinstance(option, _FieldOption):
            return False
        cells = self._one_line_width(option.index)
        padding = self.get_component_styles("option-list--option").padding
        return cells is not None and cells <= width - padding.width - self._name_width - 2

    def _option_height(self, index: int, option: Option, width: int) -> int:
        if self._fits(option, width):
            return 1
        padding = self.get_component_styles("option-list--option").padding
        return self._get_visual(option).get_height(self.styles, width - padding.width)

    def _get_option_render(self, option: Option, style: VisualStyle) -> list[Strip]:
        """A field on one line is drawn as its table would draw it (name, two spaces, value), without the
        table: Rich lays out a table in ~1.5 ms, and a page of them took ~35 ms to draw."""
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        padding = self.get_component_styles("option-list--option").padding
        if padding or not isinstance(option, _FieldOption) or not self._fits(option, width):
            return super()._get_option_render(option, style)
        key = (option, style, padding)
        strips = self._option_render_cache.get(key)
        if strips is None:
            base = style.rich_style
            name = cut(clean(self._names[option.index]), self._name_width)
            value = self._value_text(option.index)
            value_style = base + Style.parse(value.style) if value.style else base
            # As the table draws it: the name padded to its column (bold), two spaces, the value padded to
            # the end (in the value's style).
            rest = width - self._name_width - 2 - cell_len(value.plain)
            segments = [Segment(name + " " * (self._name_width - cell_len(name)), base + BOLD),
                        Segment("  ", base), Segment(value.plain + " " * rest, value_style)]
            strip = Strip(segments).extend_cell_length(width, base).apply_meta({"option": option.index})
            strips = [strip]
            if option._divider:
                rule = self.get_visual_style("option-list--separator").rich_style
                strips.append(Strip([Segment("─" * width, rule)], width))
            self._option_render_cache[key] = strips
        return strips

    def _set_virtual_size(self, width: int) -> None:
        cache, options = self._line_cache, self.options
        laid = len(cache.heights)
        last_divider = laid == len(options) and options and options[-1]._divider
        # Options not laid out yet count one line each until they are.
        virtual_size = Size(width, len(cache.lines) + (len(options) - laid) - (1 if last_divider else 0))
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)

    def _update_lines(self, *, step: bool = False) -> None:
        """OptionList's layout, in steps of at most LAYOUT_STEP seconds, with a field whose value fits on its
        line measured without drawing it. The first step is taken at once (all of a usual record); the
        others each on a later turn of the loop, never from a repaint (which asks for every line drawn)."""
        region = self.scrollable_content_region
        if not region:
            return
        width = region.width - self._get_left_gutter_width()
        cache = self._line_cache
        if width == self._laid_width and len(cache.heights) == len(self.options):
            return  # laid out (asked for on every line drawn)
        if width != self._laid_width:
            cache.clear()
            self._laid_width = width
        options = self.options
        next_index = len(cache.heights)
        if next_index < len(options) and (step or next_index == 0):
            deadline = time.perf_counter() + LAYOUT_STEP
            for index in range(next_index, len(options)):
                option = options[index]
                height = self._option_height(index, option, width) + option._divider
                cache.index_to_line[index] = len(cache.lines)
                cache.heights[index] = height
                cache.lines.extend([(index, row) for row in range(height)])
                if time.perf_counter() > deadline:
                    break
        if len(cache.heights) < len(options) and not self._layout_scheduled:
            self._layout_scheduled = True
            self.run_worker(self._lay_out_the_rest, group="record-layout", exit_on_error=False)
        self._set_virtual_size(width)

    async def _lay_out_the_rest(self) -> None:
        """The layout's later steps, each its own turn of the loop (messages and keys run in between)."""
        try:
            while len(self._line_cache.heights) < len(self.options):
                await asyncio.sleep(0)
                if not self.is_mounted:
                    return
                self._update_lines(step=True)
                self.refresh()
        finally:
            self._layout_scheduled = False
        if self._scroll_pending:
            self._scroll_pending = False
            self.scroll_to_highlight()

    def _clear_caches(self) -> None:
        self._laid_width = -1
        super()._clear_caches()

    def scroll_to_highlight(self, top: bool = False) -> None:
        if self.highlighted is not None and self.is_mounted:
            self._update_lines()
            if self.highlighted not in self._line_cache.index_to_line:
                self._scroll_pending = True  # laid out in a later step; scrolled to then
                return
        super().scroll_to_highlight(top)

    def _move_page(self, direction: int) -> None:  # type: ignore[override]
        if self.highlighted is not None and self.highlighted not in self._index_to_line:
            # Not laid out yet: a page is at least this many options.
            step = self.scrollable_content_region.height
            self.highlighted = max(0, min(len(self.options) - 1, self.highlighted + direction * step))
            return
        super()._move_page(direction)  # type: ignore[arg-type]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._line_cache.lines) or len(self.options)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def on_mount(self) -> None:
        super().on_mount()
        big = [index for index in range(len(self._names))
               if isinstance(self.record.fields[self._names[index]], dict | list)
               and self._long_head(index) is not None]
        if big:
            self.run_worker(partial(self._measure, big), group="record-sizes", exit_on_error=False)

    async def _measure(self, indexes: list[int]) -> None:
        """The size of each long JSON value, written out in a thread; its line shows it once known."""
        for index in indexes:
            self._sizes[index] = await asyncio.to_thread(json_size, self.record.fields[self._names[index]])
            if not self.is_masked(self._names[index]):
                self._replace_prompt(index, self._field_prompt(index))

    def _build_options(self, record: Record) -> list[Option | None]:
        options: list[Option | None] = []
        for index in range(len(record.fields)):
            options.append(_FieldOption(self, index))
        if record.links:
            options.append(None)
            for index, link in enumerate(record.links):
                # Off-origin links get their own arrow and a word, so they are told apart at a glance.
                line = Text(EXTERNAL_MARK if link.external else "→ ", style="bold")
                line.append_text(safe_text(link.rel, style="bold"))
                line.append("  ")
                line.append_text(safe_text(link.title or link.href, style="dim"))
                if link.external:
                    line.append("  (external: asks first, sent without credentials)", style="italic")
                options.append(Option(line, id=f"link-{index}"))
        if self.actions:
            options.append(None)
            for index, action in enumerate(self.actions):
                line = Text("⚡ ", style="bold")
                line.append_text(safe_text(action.title or action.name, style="bold"))
                line.append(f"  {action.method}")
                if action.dangerous:
                    line.append("  dangerous", style="italic")
                options.append(Option(line, id=f"action-{index}"))
        if not options:
            options.append(Option(Text("(no fields)", style="dim"), disabled=True))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, _, number = (event.option.id or "").partition("-")
        if kind == "link":
            self.post_message(self.LinkChosen(self, self.record.links[int(number)]))
        elif kind == "action":
            self.post_message(self.ActionChosen(self, self.actions[int(number)]))
        elif kind == "field":
            self.view_whole_value(self._names[int(number)])

    def view_whole_value(self, name: str) -> None:
        """Show a long (cut) value whole, in a viewer that draws it a screen at a time."""
        if self.is_masked(name):
            return
        index = self._names.index(name)
        if self._long_head(index) is None:
            return
        from isptui.ui.widgets.long_text import LongValueScreen

        value = self.record.fields[name]
        if isinstance(value, str):
            self.app.push_screen(LongValueScreen(f"{name} · {value_size(value)}", value))
            return
        # A JSON value is shown indented (written out in a thread), its size said once measured.
        size = self._sizes.get(index)
        title = f"{name} · {size}" if size else f"{name} · JSON"
        self.app.push_screen(LongValueScreen(title, partial(json.dumps, value, ensure_ascii=False, indent=2,
                                                            default=str)))
