"""Listing 10,000 records through each adapter vs raw httpx sending the very same requests.

Budget (docs/product.md): the adapter takes at most 1.25x the time of raw httpx against the same served sandbox.
The sandbox runs in a subprocess (``isptui sandbox serve --port 0``, uvicorn on 127.0.0.1), so both sides
pay the same server and socket costs. The adapter's listing requests are captured as they go out (method,
URL, headers with the live token, body) and replayed by a bare ``httpx.AsyncClient``: same page size, same
auth, same order. Runs alternate, and the best of ``--rounds`` is kept for each side.

    python benchmarks/adapter_listing.py [--customers 10000] [--page 500] [--rounds 3] [--backend B ...]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from isptui.backends.base import BackendSettings, load_backend
from isptui.model import PageRequest, ResourceRef

# One collection per backend with one row per subscriber, and the sandbox's credentials (docs/product.md).
TARGETS: dict[str, tuple[str, dict[str, str]]] = {
    "splynx": ("customers", {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"}),
    "krill": ("isp/customers", {"username": "operator", "password": "sandbox"}),
    "ispcrm": ("users", {"token": "sandbox-token"}),
    "trisul": ("ipdrcustomers", {"username": "sandbox", "api_token": "sandbox-token", "context": "default"}),
    "carbon": ("Abonents", {}),
}


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    headers: tuple[tuple[bytes, bytes], ...]
    content: bytes


class Capture(httpx.AsyncBaseTransport):
    """The real network transport, remembering each request while ``on`` (the listing, not the login)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.on = False
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.on:
            self.sent.append(Sent(request.method, str(request.url), tuple(request.headers.raw), await request.aread()))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def through_adapter(name: str, url: str, page: int, customers: int) -> tuple[float, list[Sent]]:
    """Seconds to list every record through the adapter (connected beforehand), and what it sent."""
    collection, credentials = TARGETS[name]
    capture = Capture()
    backend = load_backend(name)(BackendSettings(url=url, credentials=credentials, transport=capture, retries=0,
                                                 timeout=60))
    await backend.connect()
    try:
        capture.on = True
        started = time.perf_counter()
        seen, request = 0, PageRequest(limit=page)
        while True:
            result = await backend.list(ResourceRef(collection=collection), request)
            seen += len(result.items)
            if not result.items or not result.has_more:
                break
            request = PageRequest(limit=page, offset=result.offset + len(result.items), cursor=result.next_cursor)
        elapsed = time.perf_counter() - started
    finally:
        await backend.close()
    if seen != customers:
        raise SystemExit(f"{name}: the adapter listed {seen} records, expected {customers}")
    return elapsed, capture.sent


async def raw(sent: list[Sent]) -> float:
    """Seconds for a bare httpx client to send the same requests and parse each JSON body."""
    async with httpx.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        for item in sent:
            headers = [(k, v) for k, v in item.headers if k.lower() not in (b"host", b"content-length")]
            response = await client.request(item.method, item.url, headers=headers, content=item.content or None)
            if response.content and item.method != "HEAD":
                response.json()  # raw httpx still has to parse what it fetched to be a fair baseline
        return time.perf_counter() - started


def serve(customers: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "isptui", "sandbox", "serve", "--port", "0", "--customers",
                             str(customers)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", first)
    if not match:
        proc.terminate()
        raise SystemExit(f"the sandbox did not start: {first.strip()}")
    return proc, match.group(0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", action="append", choices=list(TARGETS))
    args = parser.parse_args()
    proc, url = serve(args.customers)
    try:
        print(f"sandbox at {url}, {args.customers} customers, pages of {args.page}, best of {args.rounds}\n")
        print(f"{'backend':<8} {'requests':>8} {'raw s':>8} {'adapter s':>10} {'ratio':>6}  budget 1.25x")
        for name in args.backend or list(TARGETS):
            best_adapter = best_raw = float("inf")
            sent: list[Sent] = []
            for _ in range(args.rounds):
                elapsed, sent = await through_adapter(name, url, args.page, args.customers)
                best_adapter = min(best_adapter, elapsed)
                best_raw = min(best_raw, await raw(sent))
            ratio = best_adapter / best_raw
            verdict = "ok" if ratio <= 1.25 else "OVER"
            print(f"{name:<8} {len(sent):>8} {best_raw:>8.3f} {best_adapter:>10.3f} {ratio:>6.2f}  {verdict}",
                  flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
