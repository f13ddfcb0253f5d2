"""Find on the five-backend demo: time to the first matches and to all results, per query kind.

Budget (PRODUCT.md): first matches within 1 s on the five-backend demo. The sandbox (``--backend all``) is
served by uvicorn on 127.0.0.1 in a thread; the five adapters connect over the socket once, then each query
runs ``find_everywhere`` (all connections at once) ``--rounds`` times. Reported: median and worst of the time
to the first connection with hits, and of the time until every connection has answered.

    python benchmarks/find.py [--customers 200] [--rounds 5] [--number 42]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.find.group import group
from isptui.find.run import find_everywhere
from isptui.sandbox import create_sandbox
from isptui.sandbox.dataset import subscriber
from isptui.sandbox.serve import serving_each
from isptui.ui.launch import demo_credentials


async def _connect(url: str, sandbox: object) -> dict[str, Backend]:
    conns: dict[str, Backend] = {}
    for name in ("splynx", "krill", "ispcrm", "trisul", "carbon"):
        settings = BackendSettings(url=url, credentials=demo_credentials(name, sandbox))  # type: ignore[arg-type]
        conns[name] = load_backend(name)(settings)
    await asyncio.gather(*(b.connect() for b in conns.values()))
    return conns


async def _one(conns: dict[str, Backend], text: str) -> tuple[float, float, int, int]:
    start = time.perf_counter()
    first = None
    hits = []
    async for result in find_everywhere(conns, text):
        if result.hits and first is None:
            first = time.perf_counter() - start
        hits += result.hits
    total = time.perf_counter() - start
    groups = group(hits)
    systems = max((len(g.connections) for g in groups), default=0)
    return first if first is not None else float("nan"), total, len(groups), systems


async def run(url: str, sandbox: object, number: int, rounds: int) -> None:
    sub = subscriber(1, number)
    queries = {"id": str(number), "login": sub.login, "email": sub.email, "mac": sub.mac.upper(),
               "ip": sub.ipv4, "phone": sub.phone}
    conns = await _connect(url, sandbox)
    try:
        print(f"{'query':<8} {'first median':>12} {'first worst':>11} {'all median':>10} {'all worst':>9}  groups/systems")
        for kind, text in queries.items():
            got = [await _one(conns, text) for _ in range(rounds)]
            firsts, totals = [g[0] for g in got], [g[1] for g in got]
            print(f"{kind:<8} {statistics.median(firsts):11.3f}s {max(firsts):10.3f}s "
                  f"{statistics.median(totals):9.3f}s {max(totals):8.3f}s  {got[-1][2]}/{got[-1][3]}")
    finally:
        await asyncio.gather(*(b.close() for b in conns.values()), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--number", type=int, default=42)
    args = parser.parse_args()
    sandbox = create_sandbox("all", customers=args.customers)
    with serving_each([sandbox.app]) as urls:
        asyncio.run(run(urls[0].rstrip("/"), sandbox, args.number, args.rounds))


if __name__ == "__main__":
    main()
