"""``isptui sandbox serve``: the emulators on 127.0.0.1."""

from __future__ import annotations

import argparse

BACKENDS = ("splynx", "krill", "ispcrm", "trisul", "carbon")


def add_parser(sub: argparse._SubParsersAction) -> None:
    sandbox = sub.add_parser("sandbox", help="run the sandbox emulators")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND", required=True)
    serve = sandbox_sub.add_parser("serve", help="serve the emulators over HTTP")
    serve.add_argument("--backend", default="all", choices=(*BACKENDS, "all"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--customers", type=int, default=200)
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--chaos", default="")


def run(args: argparse.Namespace) -> int:
    from isptui.sandbox.serve import run_serve

    return run_serve(args)
