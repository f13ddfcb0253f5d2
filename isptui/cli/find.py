"""``isptui find TEXT [--profile NAME]... [--demo] [--format table|jsonl] [--scan N]``: one subscriber, every
system.

Each connection is opened and searched at once; results are printed when all have answered (or timed
out), grouped into subscribers with the keys that joined them, then one status line per connection.
Everything a server sent goes through ``isptui.text`` before it is printed. Where a server cannot search
the kind, nothing is scanned unless ``--scan N`` asks for it: then at most N records of the collection the
backend declares are read page by page and compared here. Exit 0 when anything was found, 1 when nothing
was, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from isptui.cli.errors import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, CliError
from isptui.text import clean, line

if TYPE_CHECKING:
    from isptui.backends.base import Backend
    from isptui.find.group import Hit, Subscriber
    from isptui.find.run import ConnectionResult

DEMO_PREFIX = "demo-"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("find", help="find one subscriber across every connection (login, email, MAC, IP…)")
    parser.add_argument("text", help="a login, email, phone, MAC (any notation), IP, customer id or name")
    parser.add_argument("--profile", dest="profiles", action="append", default=[], metavar="NAME",
                        help="a profile from config.toml (repeat for several)")
    parser.add_argument("--demo", action="store_true", help="search the five built-in demo sandboxes")
    parser.add_argument("--format", dest="fmt", choices=("table", "jsonl"), default="table")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per connection (default 10)")
    parser.add_argument("--scan", type=int, default=0, metavar="N",
                        help="where a server cannot search this kind, read at most N records of it and compare "
                             "locally (default 0: never scan)")


def demo_connections() -> dict[str, Backend]:
    """The five demo sandboxes in-process, as ``isptui demo`` opens them (not yet connected)."""
    from isptui.backends.base import BackendSettings, load_backend
    from isptui.cli.common import demo_backends
    from isptui.sandbox import create_sandbox
    from isptui.ui.launch import DEMO_URL, demo_credentials

    sandbox = create_sandbox("all")
    out: dict[str, Backend] = {}
    for name in demo_backends():
        settings = BackendSettings(url=DEMO_URL, credentials=demo_credentials(name, sandbox),
                                   transport=sandbox.transport(), profile_name=DEMO_PREFIX + name)
        out[DEMO_PREFIX + name] = load_backend(name)(settings)
    return out


async def _connect(name: str, backend: Backend, timeout: float) -> str | None:
    """None when connected, else the one-line reason."""
    from isptui.errors import BackendError

    try:
        await asyncio.wait_for(backend.connect(), timeout)
    except TimeoutError:
        return f"no answer within {timeout:g} s while connecting"
    except BackendError as exc:
        return exc.message
    return None


async def _open_profile(name: str, timeout: float) -> tuple[Backend | None, str]:
    import os

    from isptui.cli.connect import ConnectFailed, open_profile
    from isptui.config.errors import ConfigError
    from isptui.config.resolve import profile_by_name

    try:
        profile = profile_by_name(name, None, os.environ)
    except ConfigError as exc:
        raise CliError(f"isptui find: {exc.message}", EXIT_USAGE) from exc
    try:
        return await asyncio.wait_for(open_profile(profile), timeout), ""
    except TimeoutError:
        return None, f"no answer within {timeout:g} s while connecting"
    except ConnectFailed as exc:
        return None, exc.message


async def search(text: str, *, profiles: list[str], demo: bool, timeout: float,
                 connections: Mapping[str, Backend] | None = None, scan: int = 0
                 ) -> tuple[list[ConnectionResult], float | None]:
    """Every connection's result (connection failures included) and the time to the first hit."""
    from isptui.find.run import ConnectionResult, find_everywhere

    start = time.perf_counter()
    results: list[ConnectionResult] = []
    opened: dict[str, Backend] = dict(connections or {})
    if demo:
        demo_conns = demo_connections()
        reasons = await asyncio.gather(*(_connect(n, b, timeout) for n, b in demo_conns.items()))
        for (name, backend), reason in zip(demo_conns.items(), reasons, strict=True):
            if reason is None:
                opened[name] = backend
            else:
                results.append(ConnectionResult(name, "failed", (), time.perf_counter() - start, line(reason)))
    got = await asyncio.gather(*(_open_profile(n, timeout) for n in profiles))
    for name, (backend, reason) in zip(profiles, got, strict=True):
        if backend is None:
            results.append(ConnectionResult(name, "failed", (), time.perf_counter() - start, line(reason)))
        else:
            opened[name] = backend
    first: float | None = None
    try:
        async for result in find_everywhere(opened, text, timeout=timeout, scan=scan):
            if result.hits and first is None:
                first = time.perf_counter() - start
            results.append(result)
        results = _per_connection(results)
    finally:
        for backend in opened.values():
            with contextlib.suppress(Exception):
                await backend.close()
    return results, first


def _per_connection(results: list[ConnectionResult]) -> list[ConnectionResult]:
    """One result per connection: a later answer (found by another system's key) gives the state and
    message, the hits add up."""
    from dataclasses import replace

    merged: dict[str, ConnectionResult] = {}
    for result in results:
        before = merged.get(result.connection)
        merged[result.connection] = result if before is None else replace(result, hits=before.hits + result.hits)
    return list(merged.values())


def _hit_json(hit: Hit) -> dict[str, Any]:
    return {"connection": clean(hit.connection), "collection": clean(hit.collection),
            "record_id": clean(hit.record_id), "label": line(hit.label, 120),
            "keys": {clean(k): clean(v) for k, v in hit.keys.items()}}


def _status_json(result: ConnectionResult) -> dict[str, Any]:
    return {"connection": clean(result.connection), "state": result.state, "hits": len(result.hits),
            "elapsed": round(result.elapsed, 3), "message": line(result.message, 200), "scannable": result.scannable}


def write_jsonl(out: IO[str], groups: list[Subscriber], results: list[ConnectionResult]) -> None:
    for n, sub in enumerate(groups, 1):
        out.write(json.dumps({"subscriber": n, "shared": {clean(k): clean(v) for k, v in sub.shared.items()},
                              "connections": [clean(c) for c in sub.connections],
                              "hits": [_hit_json(h) for h in sub.hits]}, ensure_ascii=False) + "\n")
    for result in results:
        out.write(json.dumps(_status_json(result), ensure_ascii=False) + "\n")


def write_table(out: IO[str], groups: list[Subscriber], results: list[ConnectionResult]) -> None:
    for n, sub in enumerate(groups, 1):
        systems = len(sub.connections)
        why = ", ".join(f"{k}={v}" for k, v in sub.shared.items()) or "(one record)"
        out.write(line(f"Subscriber {n} · {systems} system{'s' if systems != 1 else ''} · shared: {why}") + "\n")
        width = max(len(line(h.connection)) for h in sub.hits)
        for hit in sub.hits:
            keys = " ".join(f"{k}={v}" for k, v in hit.keys.items())
            where = f"{hit.collection}/{hit.record_id}"
            out.write("  " + line(f"{hit.connection:<{width}}  {where:<24} {line(hit.label, 40):<40} {keys}") + "\n")
        out.write("\n")
    if not groups:
        out.write("No subscriber found.\n\n")
    width = max((len(line(r.connection)) for r in results), default=0)
    for r in sorted(results, key=lambda r: r.connection):
        count = f"{len(r.hits)} hit{'s' if len(r.hits) != 1 else ''}" if r.hits else ""
        out.write(line(f"{r.connection:<{width}}  {r.state:<14} {count:<8} {r.elapsed:6.2f} s  {r.message}").rstrip()
                  + "\n")
    offered = [r.connection for r in results if r.state == "not-searchable" and r.scannable]
    if offered:
        out.write(line(f"Not scanned: {', '.join(offered)}. --scan N reads at most N records of each and "
                       "compares them here.") + "\n")


def run(args: argparse.Namespace) -> int:
    from isptui.find.group import group
    from isptui.find.query import recognize

    text = args.text.strip()
    if not text:
        raise CliError("isptui find: give something to find (a login, email, phone, MAC, IP, id or name)",
                       EXIT_USAGE)
    if not args.profiles and not args.demo:
        raise CliError("isptui find: give --profile NAME (one or more) or --demo", EXIT_USAGE)
    if args.timeout <= 0:
        raise CliError("isptui find: --timeout must be positive", EXIT_USAGE)
    if args.scan < 0:
        raise CliError("isptui find: --scan must be 0 (never) or a number of records", EXIT_USAGE)
    if not recognize(text).kinds:
        raise CliError(f"isptui find: {line(text, 60)!r} is none of login, email, phone, MAC, IP, id or name",
                       EXIT_USAGE)
    results, _first = asyncio.run(search(text, profiles=args.profiles, demo=args.demo, timeout=args.timeout,
                                         scan=args.scan))
    groups = group([hit for r in results for hit in r.hits])
    (write_jsonl if args.fmt == "jsonl" else write_table)(sys.stdout, groups, results)
    sys.stdout.flush()
    return EXIT_OK if groups else EXIT_RUNTIME
