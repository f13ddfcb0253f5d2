"""Safe ad-hoc edits: the record form, the diff preview, conflict and confirmation dialogs.

The explorer pushes these; the write workflow itself lives in ``isptui.edit.editor`` (no Textual there).
"""

from __future__ import annotations

from isptui.ui.edit.actions import ActionResultScreen, ParameterFormScreen
from isptui.ui.edit.confirm import (
    ConfirmActionScreen,
    ConfirmDeleteScreen,
    DiscardChangesScreen,
    ElevateScreen,
    confirm_and_delete,
)
from isptui.ui.edit.diff import ConflictScreen, DiffPreviewScreen
from isptui.ui.edit.form import RecordFormScreen
from isptui.ui.edit.widgets import FieldEditor

__all__ = [
    "ActionResultScreen",
    "ConfirmActionScreen",
    "ConfirmDeleteScreen",
    "ConflictScreen",
    "DiffPreviewScreen",
    "DiscardChangesScreen",
    "ElevateScreen",
    "FieldEditor",
    "ParameterFormScreen",
    "RecordFormScreen",
    "confirm_and_delete",
]
