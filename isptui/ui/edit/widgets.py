"""One form field per schema field: a label with its marks, the right input widget, help and error lines.

``FieldEditor.raw()`` is what ``formdata.validate_form`` expects (text, or ``"true"``/``"false"`` from a
switch so the API's own boolean style — ``"1"`` or ``true`` — is kept by the converter).
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from functools import partial
from itertools import accumulate
from operator import add
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.content import Content
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Size
from textual.strip import Strip
from textual.validation import Function
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList, Switch, TextArea
from textual.widgets.text_area import Selection

from isptui.edit.formdata import ZERO_DATES
from isptui.model import FieldSpec, FieldType
from isptui.ui.text import character_count, clean, display

SECRET_PLACEHOLDER = "•••• unchanged — type to replace"
_TRUE = ("1", "true", "yes", "on")


def value_text(value: Any, *, multiline: bool = False) -> str:
    """A field value as editable text: ``None`` is empty, objects are JSON, strings exactly as stored.

    The widget edits the original value (a TAB stays a TAB, CR LF stays CR LF, ESC stays ESC); only what is
    drawn shows control characters as stand-ins (``RawInput``/``RawTextArea``), so saving after appending
    one word sends the stored text plus that word and nothing else.
    """
    if value is None:
        return ""
    if isinstance(value, dict | list):
        # json.dumps escapes control characters inside strings, so the text is plain and parses back exactly.
        return json.dumps(value, ensure_ascii=False, indent=2 if multiline else None)
    return display(value)


def _drawn(strip: Strip, width: int) -> Strip:
    """A rendered line with every control character replaced by its stand-in (``␛``): display only."""
    return Strip([Segment(clean(seg.text), seg.style, seg.control) for seg in strip]).crop(0, max(width, 0))


class RawInput(Input):
    """An Input holding the real value; control characters are drawn as stand-ins, never written raw."""

    def render_line(self, y: int) -> Strip:
        return _drawn(super().render_line(y), self.size.width)


class _Source:
    """The text a TextArea was loaded with, kept so that what is read back is byte-exact.

    Textual's Document splits the text at every line break ``str.splitlines`` knows (LF, CR LF, CR, and
    also FF, VT, FS, GS, RS, NEL, U+2028/9) and joins it back with one newline, the first it found: a note
    with both CR LF and LF lines, or a form feed, came back changed in lines the user never touched. Here
    each line's own terminator is kept: lines the user left as they were keep theirs, line breaks the user
    typed are the document's newline.
    """

    def __init__(self, text: str, lines: list[str]) -> None:
        self.text = text
        self.lines = list(lines)
        """The document's lines as loaded (the document edits its own list in place)."""
        pieces = text.splitlines(keepends=True)
        self.ends = [piece[len(line):] for piece, line in zip(pieces, self.lines, strict=False)]
        """The terminator after each line; the last is what followed the last line (usually nothing)."""
        if len(self.ends) < len(self.lines):
            self.ends.append("")
        self.starts: list[int] | None = list(accumulate(map(len, map(add, self.lines, self.ends)), initial=0))
        """Where each line starts in ``text`` (and its length last), so unchanged head and tail lines are
        read back as one slice: a 1 MB note joined line by line took ~10 ms, twice per save. ``None`` when
        the lines and their ends do not make up the text (then every line is joined as before)."""
        if self.starts[-1] != len(text) or "".join(map(add, self.lines, self.ends)) != text:
            self.starts = None

    def read(self, document: Document) -> str:
        lines, old = document.lines, self.lines
        if lines == old:
            return self.text
        n, m = len(old), len(lines)
        same_head = 0
        for a, b in zip(old, lines, strict=False):
            if a != b:
                break
            same_head += 1
        same_tail = 0
        limit = min(n, m) - same_head
        while same_tail < limit and old[n - 1 - same_tail] == lines[m - 1 - same_tail]:
            same_tail += 1
        newline, ends, starts = document.newline, self.ends, self.starts
        parts: list[str] = []
        # Lines before ``head`` are the loaded ones with their own ends, those from ``tail`` on the loaded
        # end lines: each is one slice of the loaded text (the branches below give the same).
        head, tail = 0, m
        if starts is not None:
            head = min(same_head, n - 1, m - 1, m - same_tail)
            tail = m - same_tail
            parts.append(self.text[:starts[head]])
        for i in range(head, tail):
            line = lines[i]
            parts.append(line)
            if i >= m - same_tail:
                parts.append(ends[n - m + i])  # an unchanged line of the end: its own terminator
            elif i == m - 1:
                parts.append(ends[n - 1])  # what followed the last line (usually nothing)
            elif m == n or (i < same_head and i < n - 1):
                parts.append(ends[i])  # the same lines, edited within: each keeps its terminator
            elif i == m - same_tail - 1 and same_head < n - same_tail:
                parts.append(ends[n - same_tail - 1])  # what ended the lines the user changed
            else:
                parts.append(newline)  # a line break the user typed
        if starts is not None:
            parts.append(self.text[starts[n - same_tail]:])
        return "".join(parts)


class RawTextArea(TextArea):
    """A TextArea holding the real text (line ends kept: ``exact_text``); control characters drawn as stand-ins."""

    BINDINGS = [
        # To the end of a long note (to add a line to it) without a page-down per screenful.
        Binding("ctrl+end", "document_end", "End of text", show=False),
        Binding("ctrl+home", "document_start", "Start of text", show=False),
    ]
    _source: _Source | None = None

    def action_document_end(self) -> None:
        self.move_cursor(self.document.end)

    def action_document_start(self) -> None:
        self.move_cursor((0, 0))

    def _set_document(self, text: str, language: str | None) -> None:
        # Textual sets the document again from its own (one-newline) text when the language is set, as it
        # is once mounted: that is the same text, whose exact form is kept.
        same = self._source is not None and text == self.document.text
        exact = self.exact_text() if same else text
        super()._set_document(text, language)
        self._source = _Source(exact, self.document.lines)

    def load_text(self, text: str) -> None:
        self._source = None  # a new value: its own line ends, not those of the text it replaces
        super().load_text(text)

    def exact_text(self) -> str:
        """The text as edited, every line end the user did not touch as it was loaded."""
        if self._source is None or not isinstance(self.document, Document):
            return self.text
        return self._source.read(self.document)

    def render_line(self, y: int) -> Strip:
        return _drawn(super().render_line(y), self.size.width)


class _UnwrappedDocument(WrappedDocument):
    """A WrappedDocument whose height is its count of rows, not a sum over every line.

    Textual sums every line's row count for ``height``, which it asks after every edit and for the cursor:
    for 15,000 lines that is milliseconds each time.
    """

    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


BIG_TEXT = 64 * 1024
"""A value of more characters than this is loaded into its TextArea off the event loop (``BigTextArea``)."""

LONG_VALUE = 2_000
"""A value of more characters than this is drawn (when its field is not focused) by its head and size."""


class BigTextArea(RawTextArea):
    """A RawTextArea for a long value (a 1 MB note): its document is built in a thread, drawn unwrapped.

    Textual's TextArea splits, measures and wraps the whole text on the loop when it is given text and on
    every resize, and measures every line's width after every edit: about 1.5 s for a megabyte. Here the
    document, its (unwrapped) layout and the widest line are made in a thread once the control is mounted;
    until then it is read-only and ``exact_text`` is the value as given. Unwrapped, the layout does not
    depend on the widget's width, so a resize keeps it; after an edit the width is the widest seen so far,
    widened by the edited lines, not measured again over the whole document.
    """

    def __init__(self, text: str, **kwargs: Any) -> None:
        kwargs["soft_wrap"] = False
        self._pending: str | None = None
        self._widest = 0
        super().__init__("", **kwargs)
        self._pending = text

    @property
    def loading_text(self) -> bool:
        """Whether the value is still being made ready (read-only until then)."""
        return self._pending is not None

    def exact_text(self) -> str:
        return self._pending if self._pending is not None else super().exact_text()

    def head(self, rows: int) -> list[str]:
        """The first ``rows`` lines of the value, without reading the whole of it."""
        if self._pending is None:
            return self.document.lines[:rows]
        return self._pending[:rows * 1000].splitlines()[:rows]

    def load_text(self, text: str) -> None:
        self._pending = text
        if self.is_mounted:
            self._start()

    def on_mount(self) -> None:
        self._start()

    def _start(self) -> None:
        if self._pending is not None:
            self.read_only = True
            self.run_worker(partial(self._load, self._pending), exclusive=True, group="big-text")

    async def _load(self, text: str) -> None:
        indent = self.indent_width

        def build() -> tuple[Document, WrappedDocument, int, _Source]:
            document = Document(text)
            wrapped = _UnwrappedDocument(document, tab_width=indent)
            return document, wrapped, document.get_size(indent).width, _Source(text, document.lines)

        document, wrapped, widest, source = await asyncio.to_thread(build)
        if self._pending is not text:
            return  # another value was loaded meanwhile
        self.history.clear()
        self.document = document
        self.wrapped_document = wrapped
        self.navigator = DocumentNavigator(wrapped)
        self._source = source
        self._widest = widest
        self._pending = None
        self.selection = Selection.cursor((0, 0))
        self._line_cache.clear()
        self._refresh_size()
        self.read_only = False
        self.refresh()

    def _rewrap_and_refresh_virtual_size(self) -> None:
        # Unwrapped, the layout depends on the text and the tab width only, and edits keep it up to date.
        self._line_cache.clear()
        self._refresh_size()

    def _refresh_size(self) -> None:
        if self._pending is not None:
            self.virtual_size = Size(0, 1)
            return
        start, end = sorted((self.selection.start[0], self.selection.end[0]))
        lines = self.document.lines[max(0, start - 1): end + 2]
        self._widest = max([self._widest, *(cell_len(line.expandtabs(self.indent_width)) for line in lines)])
        self.virtual_size = Size(self._widest + self.gutter_width + 1, self.document.line_count)
        self._refresh_scrollbars()


def _is_multiline(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value or "\r" in value)


def _is_date(text: str) -> bool:
    if text.strip() in ("", *ZERO_DATES):
        return True
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def _is_datetime(text: str) -> bool:
    if text.strip() in ("", *ZERO_DATES):
        return True
    try:
        datetime.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def _switch_word(on: bool) -> str:
    return " yes" if on else " no"


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _choice_options(spec: FieldSpec, current: str) -> list[tuple[Text, str]]:
    options = [(Text(clean(label or value)), value) for value, label in spec.choices]
    if current and current not in {value for value, _ in spec.choices}:
        # The server holds a value its own schema does not list; offer it so it is not silently lost.
        options.insert(0, (Text(f"{clean(current)} (not in the list)"), current))
    return options


def _compact(widget: Widget) -> Widget:
    """``widget`` in its compact style (no borders), set without restyling it.

    ``compact=True`` in a control's constructor toggles its class the reactive way, which has Textual
    restyle the (not yet mounted) widget at once: about a millisecond per control, so building a 60-field
    form's controls blocked the loop ~40 ms before the form was even pushed. The class set here is styled
    once, on mount, like any other.
    """
    widget.set_reactive(type(widget).compact, True)  # type: ignore[attr-defined]
    widget.set_class(True, "-textual-compact", update=False)
    return widget


def make_control(spec: FieldSpec, value: Any, *, control_id: str) -> Widget:
    """The input widget for one field, filled with ``value``; disabled when the field is read-only."""
    control = _make_control(spec, value, control_id=control_id)
    return control if isinstance(control, Switch) else _compact(control)


def _make_control(spec: FieldSpec, value: Any, *, control_id: str) -> Widget:
    locked = spec.read_only
    if spec.secret:
        # The stored secret never enters a widget: nothing to leak into a screenshot; empty means unchanged.
        return Input(password=True, placeholder=SECRET_PLACEHOLDER, id=control_id, disabled=locked,
                     max_length=spec.max_length or 0)
    kind = spec.type
    if kind is FieldType.BOOLEAN:
        return Switch(value=_truthy(value), id=control_id, disabled=locked)
    if kind is FieldType.CHOICE and spec.choices:
        current = "" if value is None else str(value)
        options = _choice_options(spec, current)
        return Select(options, prompt="(none)", allow_blank=not spec.required or not current,
                      value=current if current else Select.NULL, id=control_id, disabled=locked)
    if kind is FieldType.MULTI_CHOICE and spec.choices:
        chosen = _multi_values(value)
        return SelectionList[str](*[(Content(clean(label or v)), v, v in chosen) for v, label in spec.choices],
                                  id=control_id, disabled=locked, classes="multi")
    if kind in (FieldType.OBJECT, FieldType.LIST):
        text = value_text(value, multiline=True)
        area = BigTextArea if len(text) > BIG_TEXT else RawTextArea
        return area(text, id=control_id, disabled=locked, classes="json", tab_behavior="focus", soft_wrap=True)
    text = value_text(value)
    if spec.multiline or _is_multiline(value) or len(text) > BIG_TEXT:
        # A value with line breaks gets a TextArea, so its line ends survive editing; so does a very long
        # one (an Input draws its whole value as one line on every key).
        area = BigTextArea if len(text) > BIG_TEXT else RawTextArea
        return area(value_text(value, multiline=True), id=control_id, disabled=locked, tab_behavior="focus")
    if kind is FieldType.MULTI_CHOICE:
        text = ", ".join(_multi_values(value))
    if kind is FieldType.INTEGER:
        return RawInput(text, type="integer", id=control_id, disabled=locked, valid_empty=True)
    if kind is FieldType.DECIMAL:
        return RawInput(text, type="number", id=control_id, disabled=locked, valid_empty=True)
    if kind is FieldType.DATE:
        return RawInput(text, placeholder="YYYY-MM-DD", id=control_id, disabled=locked,
                        validators=[Function(_is_date, "must be a date like 2026-11-23")])
    if kind is FieldType.DATETIME:
        return RawInput(text, placeholder="YYYY-MM-DD HH:MM:SS", id=control_id, disabled=locked,
                        validators=[Function(_is_datetime, "must be a date and time")])
    return RawInput(text, id=control_id, disabled=locked, max_length=spec.max_length or 0)


def _multi_values(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if value in (None, ""):
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def read_control(control: Widget) -> Any:
    """What the user has in ``control``, as ``validate_form`` takes it."""
    if isinstance(control, Switch):
        return "true" if control.value else "false"
    if isinstance(control, Select):
        return "" if control.value is Select.NULL else str(control.value)
    if isinstance(control, SelectionList):
        return ",".join(str(v) for v in control.selected)
    if isinstance(control, RawTextArea):
        return control.exact_text()
    if isinstance(control, TextArea):
        return control.text
    if isinstance(control, Input):
        return control.value
    raise TypeError(f"not a form control: {type(control).__name__}")


LABEL_WIDTH = 26
"""Columns of the label on the left of each field; the control, help and errors sit to its right."""


class FieldEditor(Widget, can_focus=True):
    """One schema field: a label with its marks, the control, help text and the field's error messages.

    The field is drawn as text by this one widget — label, value, help, error lines — and its control (an
    Input, a Switch, …) is displayed only while the field has the focus. A long form is laid out again
    whenever a field is mounted, focused or shows an error, and Textual's layout costs in proportion to the
    widgets displayed: one widget per field (plus the focused control) keeps each relayout of a 60-field
    form a few milliseconds. The control exists (hidden) from the start, so it holds the value as typed.
    Tab reaches the field itself, which hands the focus to its control at once; a focused control hides
    again when the focus leaves it.
    """

    DEFAULT_CSS = """
    FieldEditor { height: auto; layout: vertical; }
    FieldEditor > Widget { margin-left: 26; width: 1fr; }
    FieldEditor.-invalid > Input, FieldEditor.-invalid > TextArea { background-tint: $error 20%; }
    FieldEditor > TextArea { height: 5; }
    FieldEditor > SelectionList { height: auto; max-height: 6; }
    FieldEditor > Switch { border: none; height: 1; padding: 0; width: auto; }
    FieldEditor > Switch:focus { border: none; background-tint: $primary 40%; }
    """

    def __init__(self, spec: FieldSpec, value: Any, *, index: int) -> None:
        super().__init__(id=f"field-{index}", classes="field")
        self.spec = spec
        self.original = value
        self._index = index
        self._control: Widget | None = None
        self._baseline: Any = None
        self._control_rows = 1
        self._handoff = False
        self.can_focus = not spec.read_only
        self.errors: list[str] = []
        marks = "".join([" *" if self.spec.required and not self.spec.read_only else "",
                         "  (read-only)" if self.spec.read_only else "", "  (secret)" if self.spec.secret else ""])
        self._notes_cache: tuple[Any, list[Content]] = (None, [])
        self._label_cache: tuple[Any, list[Content]] = (None, [])
        self.label = Content.assemble(clean(self.spec.title), (marks, "bold") if marks == " *" else marks)

    @property
    def control(self) -> Widget:
        """The field's input widget, made when first needed: when the field is built (or read before).

        Making a control costs Textual about half a millisecond, so a 60-field form makes each one with its
        page rather than all of them before its first paint.
        """
        if self._control is None:
            control = make_control(self.spec, self.original, control_id=f"input-{self._index}")
            control.display = False  # drawn as text until the field takes the focus
            self._control = control
            self._baseline = read_control(control)
        return self._control

    def compose(self) -> ComposeResult:
        yield self.control

    def on_mount(self) -> None:
        self._baseline = read_control(self.control)

    # -- the focus -------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the control is displayed (the field has, or is taking, the focus)."""
        return bool(self.control.display)

    def activate(self) -> None:
        """Display the control and give it the focus now, so the next key typed lands in it."""
        if self.control.disabled or not self.control.is_mounted:
            return
        if not self.active:
            self.control.display = True
            # Shift+Tab from the control must go to the field above, not back to this one.
            self.can_focus = False
            self.refresh(layout=True)
        if self.screen.focused is not self.control:
            self.screen.set_focus(self.control)

    def _deactivate(self) -> None:
        if not self.active or self.screen.focused is self.control:
            return
        self.control.display = False
        self.can_focus = not self.spec.read_only
        self.refresh(layout=True)

    def on_focus(self) -> None:
        # Keys the app sent here before this handler ran (typed fast after Tab) are queued behind the focus
        # event; they go on to the control. The handoff ends with the next message in this queue, so keys
        # that bubble up from the control later are not sent back to it.
        self._handoff = True
        self.activate()
        self.call_later(self._end_handoff)

    def _end_handoff(self) -> None:
        self._handoff = False

    def on_descendant_focus(self) -> None:
        self.activate()

    def on_descendant_blur(self) -> None:
        self._deactivate()

    def on_key(self, event: events.Key) -> None:
        if self._handoff and event.is_printable and self.active and self.screen.focused is self.control:
            event.stop()
            self.control.post_message(events.Key(event.key, event.character))

    # -- drawing ---------------------------------------------------------------------------------
    # Styles are theme variables resolved when drawn: no component classes, whose styles Textual would
    # compute again for every field mounted.
    def _notes(self, width: int) -> list[Content]:
        """The lines under the control, wrapped to ``width``: the help, then the errors (if any)."""
        width = max(width, 1)
        key = (width, tuple(self.errors))
        if self._notes_cache[0] == key:
            return self._notes_cache[1]
        notes: list[Content] = []
        if self.spec.help:
            notes.extend(Content.styled(clean(self.spec.help), "$foreground-muted").wrap(width))
        if self.errors:
            notes.extend(Content.styled(clean("; ".join(self.errors)), "$error").wrap(width))
        self._notes_cache = (key, notes)
        return notes

    def _label_lines(self) -> list[Content]:
        key = bool(self.errors)
        if self._label_cache[0] == key:
            return self._label_cache[1]
        if self.errors:
            style = "$error bold"
        elif self.spec.read_only:
            style = "$foreground-muted"
        else:
            style = "$foreground"
        lines = self.label.stylize_before(style).wrap(LABEL_WIDTH - 1)
        self._label_cache = (key, lines)
        return lines

    def _value_lines(self, width: int) -> list[Content]:
        """The value as drawn while the control is hidden: what the control would show, as text."""
        control = self.control
        width = max(width, 1)
        muted = "$foreground-muted" if not control.disabled else "$foreground-muted italic"
        if isinstance(control, Switch):
            return [Content.styled("[x]" if control.value else "[ ]", "$foreground")
                    + Content.styled(_switch_word(control.value), "$foreground-muted")]
        if isinstance(control, Select):
            value = control.value
            label = next((str(text) for text, v in _choice_options(self.spec, "" if value is Select.NULL
                          else str(value)) if v == value), "(none)")
            return [Content(clean(label)).truncate(width - 2) + Content.styled(" ▼", "$foreground-muted")]
        if isinstance(control, SelectionList):
            chosen = set(control.selected)
            rows = [Content(("[x] " if v in chosen else "[ ] ") + clean(label or v)).truncate(width)
                    for v, label in self.spec.choices]
            return rows[:6] or [Content()]
        if isinstance(control, BigTextArea) or (isinstance(control, TextArea) and len(control.text) > LONG_VALUE):
            # A long value by its head and its size: reading or wrapping all of it for each repaint is what
            # a megabyte cannot afford (the whole of it is in the control, on the focus).
            head = control.head(4) if isinstance(control, BigTextArea) else control.document.lines[:4]
            rows = [Content(clean(line[:width + 8])).truncate(width) for line in head]
            size = Content.styled(f"… {character_count(len(read_control(control)))} in all, focus to edit",
                                  "$foreground-muted").truncate(width, ellipsis=True)
            return rows + [Content()] * (4 - len(rows)) + [size]
        if isinstance(control, TextArea):
            rows = [Content(clean(line)).truncate(width) for line in control.document.lines[:5]]
            return rows + [Content()] * (5 - len(rows))
        text = str(read_control(control))
        if isinstance(control, Input) and control.password and text:
            text = "•" * len(text)
        if not text:
            return [Content.styled(clean(getattr(control, "placeholder", "") or ""), muted).truncate(width)]
        return [Content.styled(clean(text), "$foreground" if not control.disabled else muted).truncate(width)]

    def _control_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.active:
            return super().get_content_height(container, viewport, width)
        return len(self._value_lines(width - LABEL_WIDTH))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        control = self._control_rows = self._control_height(container, viewport, width)
        return max(len(self._label_lines()), control + len(self._notes(width - LABEL_WIDTH)))

    def render(self) -> RenderResult:
        width, height = self.size
        labels = self._label_lines()
        notes = self._notes(width - LABEL_WIDTH)
        active = self.active and self.control.is_mounted
        values = [] if active else self._value_lines(width - LABEL_WIDTH)
        # The rows the layout gave the control (its own size may not be known yet when it was just shown).
        control = self._control_rows if active else len(values)
        lines: list[Content] = []
        for y in range(height):
            line = labels[y] if y < len(labels) else Content()
            line = line.truncate(LABEL_WIDTH, pad=True)
            if y < len(values):
                line = line + values[y]
            elif y == 0 and isinstance(self.control, Switch):
                # The switch is drawn in colour only; the word keeps it readable under NO_COLOR.
                line = line + " " * self.control.outer_size.width + Content.styled(
                    _switch_word(self.control.value), "$foreground-muted")
            elif control <= y < control + len(notes):
                line = line + notes[y - control]
            lines.append(line)
        return Content("\n").join(lines)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self.refresh()

    def raw(self) -> Any:
        """The user's input for this field."""
        return read_control(self.control)

    @property
    def touched(self) -> bool:
        """Whether the user changed this field since it was filled (or reloaded)."""
        if self._control is None:
            return False  # never built: the user cannot have changed it
        return not self.spec.read_only and read_control(self._control) != self._baseline

    def load(self, value: Any) -> None:
        """Refill with ``value`` (the server's current one) and make it the new unchanged state."""
        self.original = value
        if self._control is None:
            self.show_errors([])
            return  # made from ``original`` when it is needed
        control = self._control
        if self.spec.secret and isinstance(control, Input):
            control.value = ""
        elif isinstance(control, Switch):
            control.value = _truthy(value)
        elif isinstance(control, Select):
            current = "" if value is None else str(value)
            control.set_options(_choice_options(self.spec, current))
            if current:
                control.value = current
            elif control._allow_blank:
                control.clear()
        elif isinstance(control, SelectionList):
            control.deselect_all()
            for chosen in _multi_values(value):
                control.select(chosen)
        elif isinstance(control, TextArea):
            control.load_text(value_text(value, multiline=True))
        elif isinstance(control, Input):
            text = value_text(value)
            control.value = ", ".join(_multi_values(value)) if self.spec.type is FieldType.MULTI_CHOICE else text
        self._baseline = read_control(control)
        self.show_errors([])

    def show_errors(self, messages: list[str]) -> None:
        """Show ``messages`` under the control (API text, rendered literally); none clears the state."""
        if messages == self.errors:
            return
        self.errors = list(messages)
        self.set_class(bool(messages), "-invalid")
        self.refresh(layout=True)
