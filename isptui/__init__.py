"""isptui: a keyboard-first terminal explorer for ISP management REST APIs."""

from __future__ import annotations

__version__ = "0.1.0"
