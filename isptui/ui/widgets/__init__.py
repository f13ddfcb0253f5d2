"""Widgets of the explorer: nouns, each with nested past-tense messages."""
