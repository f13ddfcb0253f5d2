"""``isptui export``: one collection, as filtered, streamed to CSV, JSONL or JSON with progress on stderr.

Progress is a redrawn bar on a terminal and plain lines (at most one a second, and the last) otherwise,
so a log file or a CI job gets readable output. The connection goes through the normal connect path, so
the trust boundary, read-only guard and secret handling are the same as ``isptui open``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from isptui.cli.common import add_connection_args, profile_or_flags
from isptui.cli.errors import EXIT_RUNTIME, EXIT_USAGE, CliError

if TYPE_CHECKING:
    from isptui.backends.base import Backend
    from isptui.export import Progress
    from isptui.model import ResourceRef

EXIT_CANCELLED = 130


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="stream a collection to CSV, JSONL or JSON")
    add_connection_args(parser, or_profile=True)
    parser.add_argument("resource", help="the collection, as the explorer's tree names it (e.g. customers)")
    parser.add_argument("--filter", dest="filter_text", metavar="EXPR", help="the explorer's / filter syntax")
    parser.add_argument("--format", dest="fmt", choices=("csv", "jsonl", "json"), default=None,
                        help="default: from the -o suffix, else csv")
    parser.add_argument("-o", "--output", metavar="FILE", help="default: RESOURCE.FORMAT here")
    mask = parser.add_mutually_exclusive_group()
    mask.add_argument("--mask", dest="mask", action="store_true", default=None,
                      help="mask personal data (also ISPTUI_MASK=1)")
    mask.add_argument("--no-mask", dest="mask", action="store_false", help="export as sent, even with ISPTUI_MASK=1")
    parser.add_argument("--page-size", type=int, default=500, help=argparse.SUPPRESS)


class StderrProgress:
    """A redrawn progress line on a terminal; otherwise plain lines, at most one a second."""

    def __init__(self, stream: IO[str], *, tty: bool | None = None, width: int = 24) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.width = width
        self.last = 0.0

    def bar(self, progress: Progress) -> str:
        if progress.total:
            filled = min(self.width, int(self.width * progress.scanned / progress.total))
            return "[" + "#" * filled + "-" * (self.width - filled) + "] "
        return ""

    def __call__(self, progress: Progress) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K" + self.bar(progress) + progress.line() + ("\n" if progress.done else ""))
            self.stream.flush()
            return
        now = time.monotonic()
        if progress.done or now - self.last >= 1.0:
            self.last = now
            print(f"isptui export: {progress.line()}", file=self.stream, flush=True)


def _pick_format(args: argparse.Namespace) -> str:
    if args.fmt:
        return args.fmt
    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    return suffix if suffix in ("csv", "jsonl", "json") else "csv"


async def resolve_collection(backend: Backend, name: str) -> ResourceRef:
    """The collection the user named: an entry point's key or title (case-insensitive)."""
    entries = await backend.discover()
    wanted = name.strip().strip("/").casefold()
    for entry in entries:
        if wanted in (entry.key.casefold(), entry.title.casefold()):
            return entry.ref
    keys = ", ".join(e.key for e in entries[:30])
    raise CliError(f"isptui export: no collection {name!r} on this {backend.name} server (known: {keys})",
                   EXIT_USAGE) from None


async def _export(args: argparse.Namespace, profile: object, fmt: str, output: Path | None,
                  masker: object) -> tuple[Path, int, float, str]:
    from isptui.cli.connect import ConnectFailed, open_profile
    from isptui.errors import BackendError
    from isptui.export import default_name, export_collection

    try:
        backend = await open_profile(profile)  # type: ignore[arg-type]
    except ConnectFailed as exc:
        raise CliError(exc.message, EXIT_RUNTIME) from exc
    try:
        ref = await resolve_collection(backend, args.resource)
        target = output or Path(default_name(ref, fmt))
        result = await export_collection(backend, ref, target, fmt=fmt, filter_text=args.filter_text,
                                         masker=masker, page_size=args.page_size,  # type: ignore[arg-type]
                                         on_progress=StderrProgress(sys.stderr))
        return result.path, result.written, result.seconds, result.incomplete
    except BackendError as exc:
        raise CliError(f"isptui export: {args.resource}: {' '.join(exc.message.split())}; nothing was written",
                       EXIT_RUNTIME) from exc
    finally:
        with contextlib.suppress(BackendError):
            await backend.close()


def run(args: argparse.Namespace) -> int:
    from isptui.mask import Masker, env_wants_mask

    profile = profile_or_flags(args)
    fmt = _pick_format(args)
    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        raise CliError(f"isptui export: the folder of {output} does not exist", EXIT_USAGE)
    if args.page_size < 1:
        raise CliError("isptui export: --page-size must be at least 1", EXIT_USAGE)
    mask = args.mask if args.mask is not None else env_wants_mask(os.environ)
    try:
        path, written, seconds, incomplete = asyncio.run(_export(args, profile, fmt, output, Masker() if mask else None))
    except KeyboardInterrupt:
        raise CliError("isptui export: cancelled; no file was written", EXIT_CANCELLED) from None
    except OSError as exc:
        raise CliError(f"isptui export: cannot write {exc.filename or output}: {exc.strerror}", EXIT_RUNTIME) from exc
    masked = " (personal data masked)" if mask else ""
    print(f"isptui export: {written:,} records to {path} in {seconds:.1f} s{masked}", file=sys.stderr)
    if incomplete:
        print(f"isptui export: incomplete: {incomplete}", file=sys.stderr)
    return 0
