"""The one place that defines exit codes and the expected-failure exception every command raises."""

from __future__ import annotations

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """An expected failure: printed as one line on stderr with its exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_RUNTIME) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
