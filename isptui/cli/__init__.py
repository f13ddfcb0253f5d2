"""The composition root: one module per command, one place that prints errors and picks exit codes.

Each command module exposes ``add_parser(subparsers)`` and ``run(args) -> int`` and keeps its heavy imports
inside ``run`` so ``isptui --version`` and the picker's first paint stay fast.
"""

from __future__ import annotations

from isptui.cli.errors import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, CliError
from isptui.cli.main import build_parser, main

__all__ = ["EXIT_OK", "EXIT_RUNTIME", "EXIT_USAGE", "CliError", "build_parser", "main"]
