"""The one error type of the config layer: a message that names the file, profile and key."""

from __future__ import annotations


class ConfigError(Exception):
    """A config or secret problem the user must fix; the CLI prints it as one line and exits 2."""

    def __init__(self, message: str, *, path: str | None = None, profile: str | None = None,
                 key: str | None = None) -> None:
        where = ", ".join(p for p in (path, f"profile {profile!r}" if profile else None,
                                       f"key {key!r}" if key else None) if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.message = str(self)
        self.path, self.profile, self.key = path, profile, key
