"""The one write path (plan → validate → re-read → diff → preview → send → read back → journal) and undo.

No Textual here: the UI's forms and dialogs in ``isptui.ui.edit`` drive it.
"""
