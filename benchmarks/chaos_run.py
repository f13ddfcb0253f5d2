"""The full chaos run of issue 8: ``python3 benchmarks/chaos_run.py [--actions N] [--seed S]``.

Drives the real app through a seeded session against the sandbox with chaos on and prints the figures the
README quotes: actions, failures injected, failures shown, writes, double writes, mismatches, crashes.
The small form of the same run is ``tests/test_chaos_run.py``. Exit status 1 if a safety figure is bad.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chaos_driver import DEFAULT_CHAOS, ChaosConfig, run_chaos  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--chaos", default=DEFAULT_CHAOS)
    parser.add_argument("--timeout", type=float, default=2.0, help="per-request timeout of the adapters (s)")
    parser.add_argument("--details", action="store_true", help="list unshown failures, mismatches, crashes")
    args = parser.parse_args(argv)
    config = ChaosConfig(actions=args.actions, customers=args.customers, seed=args.seed, chaos=args.chaos,
                         timeout=args.timeout)
    print(f"chaos run: {config.actions} actions, {config.customers} customers, seed {config.seed}, "
          f"timeout {config.timeout:g} s\nchaos: {config.chaos}")
    report = asyncio.run(run_chaos(config))
    for line in report.lines():
        print(line)
    if args.details:
        for title, items in (("not shown", report.unshown), ("mismatches", report.mismatches),
                             ("applied, not journalled", report.unjournalled),
                             ("double writes", report.double_writes), ("crashes", report.crashes),
                             ("stuck", report.stuck)):
            for item in items:
                print(f"  {title}: {item}")
    bad = report.crashes or report.double_writes or report.mismatches
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
