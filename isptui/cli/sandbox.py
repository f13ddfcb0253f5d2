"""``isptui sandbox serve``: the emulators on 127.0.0.1."""

from __future__ import annotations

import argparse

from isptui.cli.common import demo_backends


def add_parser(sub: argparse._SubParsersAction) -> None:
    sandbox = sub.add_parser("sandbox", help="run the sandbox emulators")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND", required=True)
    serve = sandbox_sub.add_parser("serve", help="serve the emulators over HTTP")
    serve.add_argument("--backend", default="all", choices=(*demo_backends(), "all"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--customers", type=int, default=200)
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--chaos", default="")
    serve.add_argument("--quirks", default="", help="quirk variants, e.g. ignores-paging,pk-zero "
                       "(list: isptui sandbox quirks)")
    sandbox_sub.add_parser("quirks", help="list the quirk variants the sandbox can serve")


def run(args: argparse.Namespace) -> int:
    if args.sandbox_command == "quirks":
        return _print_quirks()
    from isptui.sandbox.serve import run_serve

    return run_serve(args)


def _print_quirks() -> int:
    from isptui.sandbox.quirks import QUIRKS

    for quirk in QUIRKS:
        print(f"{quirk.name:<26} {', '.join(quirk.backends)}")
        print(f"    unknown: {quirk.unknown}")
        print(f"    serves:  {quirk.behaviour}")
    return 0
