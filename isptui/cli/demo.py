"""``isptui demo [BACKEND]`` and the plain ``isptui`` profile picker."""

from __future__ import annotations

import argparse

from isptui.cli.common import demo_backends


def add_parser(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="explore the built-in sandbox (no network)")
    demo.add_argument("backend", nargs="?", choices=[*demo_backends(), "all"],
                      help="one backend, or all of them side by side (ctrl+o switches)")
    demo.add_argument("--customers", type=int, default=200)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--chaos", default="", help="e.g. latency=200ms,error_rate=0.1")
    demo.add_argument("--read-only", action="store_true")
    demo.add_argument("--mask", action="store_true", default=None, help="mask personal data (also ISPTUI_MASK=1)")


def run(args: argparse.Namespace) -> int:
    from isptui.ui.launch import run_demo

    return run_demo(args)


def run_picker(args: argparse.Namespace) -> int:
    from isptui.ui.launch import run_picker as picker

    return picker(args)
