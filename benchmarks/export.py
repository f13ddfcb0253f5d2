"""Exporting 100,000 records: peak memory and speed against plain listing through the same adapter.

Budget (PRODUCT.md): peak RSS under 150 MB, and at least 0.8x the listing speed. The sandbox is served in
a subprocess (``isptui sandbox serve --port 0``); each measured run is a fresh child process that connects,
then either lists every page and drops it, or exports every page to a file, so ``ru_maxrss`` of the child
is the peak of that run alone. Each round runs the listing and one export per format, in an order that
rotates from round to round, so a busy machine slows both sides alike; the medians of ``--rounds`` are
compared (the per-round figures are printed too).

    python benchmarks/export.py [--customers 100000] [--page 500] [--rounds 3] [--backend splynx]
                                [--format csv --format jsonl …]   (default: csv, jsonl and json)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS: dict[str, tuple[str, dict[str, str]]] = {
    "splynx": ("customers", {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"}),
    "krill": ("isp/customers", {"username": "operator", "password": "sandbox"}),
    "ispcrm": ("users", {"token": "sandbox-token"}),
    "trisul": ("ipdrcustomers", {"username": "sandbox", "api_token": "sandbox-token", "context": "default"}),
    "carbon": ("Abonents", {}),
}


async def child(mode: str, backend_name: str, url: str, page: int, fmt: str, out: str) -> None:
    """One measured run, in its own process; prints ``{"seconds": …, "records": …}``."""
    from isptui.backends.base import BackendSettings, load_backend
    from isptui.export import export_collection
    from isptui.model import PageRequest, ResourceRef

    collection, credentials = TARGETS[backend_name]
    backend = load_backend(backend_name)(BackendSettings(url=url, credentials=credentials, retries=0, timeout=60))
    await backend.connect()
    ref = ResourceRef(collection=collection)
    try:
        started = time.perf_counter()
        if mode == "list":
            seen, request = 0, PageRequest(limit=page)
            while True:
                result = await backend.list(ref, request)
                seen += len(result.items)
                if not result.items or not result.has_more:
                    break
                request = PageRequest(limit=page, offset=result.offset + len(result.items), cursor=result.next_cursor)
        else:
            seen = (await export_collection(backend, ref, out, fmt=fmt, page_size=page)).written
        elapsed = time.perf_counter() - started
    finally:
        await backend.close()
    print(json.dumps({"seconds": elapsed, "records": seen}))


def measure(mode: str, args: argparse.Namespace, url: str, out: str, fmt: str = "csv") -> tuple[float, int, float]:
    """(seconds, records, peak RSS in MB) of one child run; wait4 gives that child's own peak."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", mode, "--url", url, "--backend", args.backend,
                             "--page", str(args.page), "--format", fmt, "--out", out],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"the {mode} run failed ({proc.returncode})")
    data = json.loads(output.strip().splitlines()[-1])
    return data["seconds"], data["records"], usage.ru_maxrss / 1024


def serve(customers: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "isptui", "sandbox", "serve", "--port", "0", "--customers",
                             str(customers)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    assert proc.stdout is not None
    match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
    if not match:
        proc.terminate()
        raise SystemExit("the sandbox did not start")
    return proc, match.group(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=list(TARGETS), default="splynx")
    parser.add_argument("--format", choices=("csv", "jsonl", "json"), action="append")
    parser.add_argument("--child", choices=("list", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child, args.backend, args.url, args.page, args.format[0], args.out))
        return
    formats = list(dict.fromkeys(args.format or ["csv", "jsonl", "json"]))
    sides = ["list", *formats]
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    rss: dict[str, float] = dict.fromkeys(sides, 0.0)
    size_mb: dict[str, float] = {}
    proc, url = serve(args.customers)
    try:
        with tempfile.TemporaryDirectory() as folder:
            # One unmeasured listing first: the sandbox builds its records lazily and caches them, and
            # whichever side ran first would pay for that. Then each round runs every side once, the order
            # rotated by one each round (list, csv, jsonl, json; csv, jsonl, json, list; …).
            measure("list", args, url, str(Path(folder) / "unused"))
            for round_ in range(args.rounds):
                for side in sides[round_ % len(sides):] + sides[:round_ % len(sides)]:
                    out = str(Path(folder) / f"export.{side}")
                    took, records, peak = (measure("list", args, url, out) if side == "list" else
                                           measure("export", args, url, out, side))
                    if records != args.customers:
                        raise SystemExit(f"{side}: {records} records, expected {args.customers}")
                    seconds[side].append(took)
                    rss[side] = max(rss[side], peak)
                    if side != "list":
                        size_mb[side] = Path(out).stat().st_size / 1e6
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    listing = statistics.median(seconds["list"])
    print(f"{args.backend}: {args.customers:,} records, pages of {args.page}, {args.rounds} rounds; medians "
          f"(each round: {', '.join(sides)} in a rotating order)")
    print(f"  listing {listing:.2f} s  [{' '.join(f'{s:.2f}' for s in seconds['list'])}]  peak RSS "
          f"{rss['list']:.0f} MB")
    for fmt in formats:
        median = statistics.median(seconds[fmt])
        ratio = listing / median
        # The same round's listing against this export: load that changes between rounds cancels out.
        paired = statistics.median(a / b for a, b in zip(seconds["list"], seconds[fmt], strict=True))
        print(f"  {fmt:5s} export {median:.2f} s  [{' '.join(f'{s:.2f}' for s in seconds[fmt])}]  = "
              f"{ratio:.2f}x listing speed (budget >= 0.8x: {'ok' if ratio >= 0.8 else 'UNDER'}); "
              f"round by round {paired:.2f}x; {size_mb[fmt]:.1f} MB file; peak RSS {rss[fmt]:.0f} MB "
              f"(budget < 150 MB: {'ok' if rss[fmt] < 150 else 'OVER'})")


if __name__ == "__main__":
    main()
