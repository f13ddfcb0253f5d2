"""Screens: the profile picker, the explorer and its dialogs."""
