"""``isptui journal list|show ID|undo ID``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from typing import TYPE_CHECKING

from isptui.cli.errors import EXIT_RUNTIME, EXIT_USAGE, CliError
from isptui.text import clean

if TYPE_CHECKING:
    from isptui.edit.journal import Journal


def add_parser(sub: argparse._SubParsersAction) -> None:
    journal = sub.add_parser("journal", help="list, show or undo journalled writes")
    journal.add_argument("action", nargs="?", default="list", choices=("list", "show", "undo"))
    journal.add_argument("id", nargs="?")


def run(args: argparse.Namespace) -> int:
    from isptui.edit.journal import Journal

    journal = Journal()
    if args.action == "list":
        entries = journal.entries()
        undone = journal.undone_ids()
        if not entries:
            print(clean(f"no writes journalled yet ({journal.path})"))
        for entry in entries:
            print(clean(entry.summary() + ("  [undone]" if entry.id in undone else "")))
        return 0
    if not args.id:
        raise CliError(f"isptui: journal {args.action} needs an entry ID (see: isptui journal list)", EXIT_USAGE)
    entry = journal.get(args.id)
    if entry is None:
        raise CliError(f"isptui: no journal entry {args.id!r} in {journal.path}", EXIT_USAGE)
    if args.action == "show":
        print(clean(json.dumps(entry.__dict__, indent=2, ensure_ascii=False, default=str), multiline=True))
        return 0
    if entry.id in journal.undone_ids():
        raise CliError(f"isptui: journal entry {entry.id} was already undone", EXIT_RUNTIME)
    if entry.profile.startswith("demo"):
        raise CliError(f"isptui: entry {entry.id} was written to the in-process demo sandbox, which ended with "
                       "its session; there is nothing to undo", EXIT_RUNTIME)
    return asyncio.run(_undo(journal, entry.id, entry.profile))


async def _undo(journal: Journal, entry_id: str, profile_name: str) -> int:
    from isptui.cli.connect import ConnectFailed, open_profile
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_by_name
    from isptui.edit.editor import Editor
    from isptui.errors import BackendError

    try:
        profile = profile_by_name(profile_name, None, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    if profile.read_only:
        raise CliError(f"isptui: profile {profile_name!r} is read-only; undo is a write", EXIT_RUNTIME)
    if profile.production:
        _confirm_production(entry_id)
    try:
        backend = await open_profile(profile.model_copy(update={"production": False}))
    except ConnectFailed as exc:
        raise CliError(exc.message, EXIT_RUNTIME) from exc
    journal.secrets = tuple(backend.settings.secrets())
    entry = journal.get(entry_id)
    assert entry is not None
    try:
        outcome = await Editor(backend, journal, profile_name).undo(entry)
    except BackendError as exc:
        raise CliError(f"isptui: undo of {entry_id} failed: {exc}", EXIT_RUNTIME) from exc
    finally:
        await backend.close()
    print(clean(f"undone {entry_id}: {outcome}"))
    return 0


def _confirm_production(entry_id: str) -> None:
    """Production writes need the entry id typed back, as in the UI's elevation."""
    import sys

    if not sys.stdin.isatty():
        raise CliError("isptui: undo on a production profile needs a terminal to confirm", EXIT_RUNTIME)
    answer = input(f"production profile: type {entry_id} to undo it: ").strip()
    if answer != entry_id:
        raise CliError("isptui: not confirmed; nothing was sent", EXIT_RUNTIME)
