"""``isptui journal list|show ID|undo ID`` with ``--backend``, ``--profile``, ``--since`` and ``undo --yes``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from isptui.cli.errors import EXIT_RUNTIME, EXIT_USAGE, CliError
from isptui.text import clean

if TYPE_CHECKING:
    from isptui.edit.editor import WritePlan
    from isptui.edit.journal import Journal, JournalEntry


def add_parser(sub: argparse._SubParsersAction) -> None:
    journal = sub.add_parser("journal", help="list, show or undo journalled writes")
    journal.add_argument("action", nargs="?", default="list", choices=("list", "show", "undo"))
    journal.add_argument("id", nargs="?")
    journal.add_argument("--backend", help="only entries of this backend (splynx, krill, ...)")
    journal.add_argument("--profile", help="only entries of this profile")
    journal.add_argument("--since", help="only entries from then on: 2026-11-23, '2026-11-23 14:00', 2h, 3d")
    journal.add_argument("--yes", action="store_true",
                         help="undo without asking, even when the record changed since the write")


def parse_since(text: str, now: float | None = None) -> float:
    """``2h``/``30m``/``3d`` ago, or an ISO date/time (local time); CliError when it is neither."""
    now = time.time() if now is None else now
    units = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
    stripped = text.strip().lower()
    if stripped[:-1].isdigit() and stripped[-1:] in units:
        return now - int(stripped[:-1]) * units[stripped[-1]]
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise CliError(f"isptui: --since {text!r} is not a date (2026-11-23), a time (2026-11-23 14:00) "
                       "or an age (2h, 3d)", EXIT_USAGE) from None


def run(args: argparse.Namespace) -> int:
    from isptui.edit.journal import Journal

    journal = Journal()
    since = parse_since(args.since) if args.since else None
    entries = journal.entries(backend=args.backend, profile=args.profile, since=since)
    for warning in journal.warnings:
        print(f"isptui: warning: {warning}", file=sys.stderr)
    if args.action == "list":
        undone = journal.undone_ids()
        if not entries:
            print(clean(f"no writes journalled{' that match' if args.backend or args.profile or since else ' yet'} "
                  f"({journal.path})"))
        for entry in entries:
            print(clean(entry.summary()) + ("  [undone]" if entry.id in undone else ""))
        return 0
    if not args.id:
        raise CliError(f"isptui: journal {args.action} needs an entry ID (see: isptui journal list)", EXIT_USAGE)
    entry = journal.get(args.id)
    if entry is None:
        raise CliError(f"isptui: no journal entry {args.id!r} in {journal.path}", EXIT_USAGE)
    if args.action == "show":
        print(json.dumps(asdict(entry), indent=2, ensure_ascii=True, default=str))
        return 0
    if entry.id in journal.undone_ids():
        raise CliError(f"isptui: journal entry {entry.id} was already undone", EXIT_RUNTIME)
    if entry.profile.startswith("demo"):
        raise CliError(f"isptui: entry {entry.id} was written to the in-process demo sandbox, which ended with "
                       "its session; there is nothing to undo", EXIT_RUNTIME)
    return asyncio.run(_undo(journal, entry, assume_yes=args.yes))


async def _undo(journal: Journal, entry: JournalEntry, *, assume_yes: bool) -> int:
    from isptui.cli.connect import ConnectFailed, open_profile
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_by_name
    from isptui.edit.editor import Editor, describe_undo
    from isptui.errors import BackendError

    try:
        profile = profile_by_name(entry.profile, None, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui: {exc.message}", EXIT_USAGE) from exc
    if profile.read_only:
        raise CliError(f"isptui: profile {entry.profile!r} is read-only; undo is a write", EXIT_RUNTIME)
    if profile.production:
        _confirm_production(entry.id)
    try:
        backend = await open_profile(profile.model_copy(update={"production": False}))
    except ConnectFailed as exc:
        raise CliError(exc.message, EXIT_RUNTIME) from exc
    journal.secrets = tuple(backend.settings.secrets())
    editor = Editor(backend, journal, entry.profile)
    try:
        plan = await editor.plan_undo(entry)
        if not _confirmed(plan, entry, assume_yes):
            raise CliError("isptui: not confirmed; nothing was sent", EXIT_RUNTIME)
        outcome = await editor.apply(plan)
    except BackendError as exc:
        raise CliError(f"isptui: undo of {entry.id} failed: {exc}", EXIT_RUNTIME) from exc
    finally:
        await backend.close()
    print(f"undone {entry.id}: {describe_undo(entry, outcome)}")
    return 0 if not outcome.journal_error else EXIT_RUNTIME


def _confirmed(plan: WritePlan, entry: JournalEntry, assume_yes: bool) -> bool:
    """Show the request (and, when the record moved since, before / after / now per field), then ask."""
    from isptui.edit.journal import MASK

    def show(value: object) -> str:
        return "(empty)" if value is None else MASK if value == MASK else clean(
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))

    print(f"undo of {entry.id} ({entry.kind} of {entry.collection}/{entry.record_id}) will send:")
    for line in plan.request_lines:
        for part in line.split("\n"):  # a JSON body spans lines; each is escaped on its own
            print("  " + clean(part))
    if plan.conflicts:
        print("the record changed on the server after that write; undo would overwrite it:")
        for name, (before, after, now) in plan.conflicts.items():
            print(f"  {clean(name)}\n    before: {show(before)}\n    after:  {show(after)}\n    now:    {show(now)}")
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise CliError("isptui: undo asks first; run it in a terminal or pass --yes", EXIT_USAGE)
    return input("send it? [y/N] ").strip().lower() in ("y", "yes")


def _confirm_production(entry_id: str) -> None:
    """Production writes need the entry id typed back, as in the UI's elevation."""
    if not sys.stdin.isatty():
        raise CliError("isptui: undo on a production profile needs a terminal to confirm", EXIT_RUNTIME)
    answer = input(f"production profile: type {entry_id} to undo it: ").strip()
    if answer != entry_id:
        raise CliError("isptui: not confirmed; nothing was sent", EXIT_RUNTIME)
