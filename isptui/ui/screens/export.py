"""``x``: export the collection on screen (as filtered) with a progress bar; Escape cancels.

The work is ``isptui.export.export_collection`` (the same streaming exporter as ``isptui export``): this
screen only asks for the file, shows count/total, rate and ETA, and cancels the worker on Escape, which
removes the temporary file so nothing appears under the chosen name.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from isptui.backends.base import Backend
from isptui.errors import BackendError
from isptui.export import FORMATS, Progress, default_name, export_collection
from isptui.model import ResourceRef
from isptui.ui.screens.dialogs import DIALOG_CSS
from isptui.ui.text import clean, cut, nice_title


class ExportScreen(ModalScreen[str | None]):
    """Ask for a file name (the suffix picks CSV, JSONL or JSON), then stream the export with progress."""

    DEFAULT_CSS = DIALOG_CSS + """
    ExportScreen ProgressBar { width: 1fr; padding: 0 0; }
    ExportScreen ProgressBar Bar { width: 1fr; }
    ExportScreen .note { color: $text-muted; }
    ExportScreen #export-bar { display: none; }
    ExportScreen #export-bar.-running { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, backend: Backend, ref: ResourceRef, title: str, *, filter_text: str = "",
                 masker: object = None, folder: Path | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.ref = ref
        self.collection_title = title
        self.filter_text = filter_text
        self.masker = masker
        self.folder = folder or Path.cwd()
        self.running: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Export {cut(clean(nice_title(self.collection_title)), 40)}", classes="title")
            where = f" · filter: {cut(clean(self.filter_text), 24)}" if self.filter_text else ""
            masked = "personal data masked" if self.masker is not None else "not masked (m masks)"
            yield Static(Text(f"Suffix picks the format: .csv .jsonl .json · {masked}{where}"), classes="note")
            yield Input(value=str(self.folder / default_name(self.ref, "csv")), id="export-path")
            yield ProgressBar(total=None, show_eta=False, show_percentage=True, id="export-bar")
            yield Static("enter starts · esc cancels", id="export-status")

    def _status(self, text: str) -> None:
        self.query_one("#export-status", Static).update(Text(text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.running is not None:
            return
        path = Path(os.path.expanduser(event.value.strip()))
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            self._status("End the name with .csv, .jsonl or .json")
            return
        if not path.parent.is_dir():
            self._status(f"No folder {cut(clean(str(path.parent)), 50)}")
            return
        event.input.disabled = True
        self.query_one("#export-bar", ProgressBar).add_class("-running")
        self._status("Starting · esc cancels")
        self.running = self.run_export(path, fmt)

    def on_progress(self, progress: Progress) -> None:
        bar = self.query_one("#export-bar", ProgressBar)
        if progress.total is not None:
            bar.update(total=max(progress.total, 1), progress=progress.scanned)
        self._status(progress.line() + ("" if progress.done else " · esc cancels"))

    @work(exclusive=True, group="export", exit_on_error=False)
    async def run_export(self, path: Path, fmt: str) -> None:
        try:
            result = await export_collection(self.backend, self.ref, path, fmt=fmt, filter_text=self.filter_text
                                             or None, masker=self.masker, on_progress=self.on_progress)  # type: ignore[arg-type]
        except BackendError as exc:
            self._failed(f"Export failed, nothing written: {cut(clean(exc.message), 60)}")
            return
        except OSError as exc:
            self._failed(f"Cannot write {cut(clean(str(path)), 40)}: {exc.strerror}")
            return
        short = f" — incomplete: {result.incomplete}" if result.incomplete else ""
        self.dismiss(f"Exported {result.written:,} records to {result.path}{short}")

    def _failed(self, message: str) -> None:
        """Say why, and let the user fix the name and press enter again (or esc to close)."""
        self._status(f"{message} · enter retries · esc closes")
        self.running = None
        box = self.query_one("#export-path", Input)
        box.disabled = False
        box.focus()

    def action_cancel(self) -> None:
        worker = self.running
        if worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            worker.cancel()  # CancelledError in the exporter removes the temporary file
            self.dismiss("Export cancelled; no file was written")
            return
        self.dismiss(None)
