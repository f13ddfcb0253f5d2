"""What the adapter contract battery (isptui's tests/backends) needs to put Echo through its checks.

Named by ``DESCRIPTOR.extra["contract"]``. The keys are the battery's ``Case`` fields; ``sandbox`` builds the
server it runs against (``customers=``, ``chaos=``, ``quirks=``).
"""

from __future__ import annotations

from isptui.model import ResourceRef
from isptui_echo.server import KEY, create_sandbox

PARROTS = ResourceRef(collection="parrots")

CONTRACT = {
    "credentials": {"echo_key": KEY},
    "bad_credentials": {"echo_key": "wrong-key"},
    "collection": PARROTS,
    "known": ResourceRef(collection="parrots", id="1"),
    "title": lambda sub: sub.name,
    "link_rel": "next-parrot",
    "filter": lambda sub: f"login={sub.login}",
    "crud": PARROTS,
    "create": {"name": "Contract Test", "login": "contract-test", "colour": "blue"},
    "update": ("colour", "red"),
    "invalid": {"name": "", "login": "nameless"},
    "invalid_field": "name",
    "auth_status": (401,),
    "sandbox": create_sandbox,
}
