"""``_links`` blocks: HAL (``{rel: {href}}``, ``{rel: [{href}]}``, ``{rel: "href"}``) and Krill
(``{"actions": {name: href}, "links": {name: href}}``) into Links and Actions.

Rules, chosen so that nothing dangerous happens by accident:

- Links that leave the API's origin are returned with ``external=True``; the UI asks before following.
- HAL ``self`` is returned as an ordinary Link with rel ``"self"`` (adapters use it as the record's
  canonical href; the UI may hide it). HAL ``curies`` and templated links (``"templated": true``) are
  skipped: they are not URLs one can fetch.
- A HAL entry whose ``method`` is not GET/HEAD becomes an Action, never a Link, so pressing enter on a
  link can never write.
- Krill actions are Actions with method POST. The Krill guide shows ``GET .../reboot/`` but a GET would
  slip past the read-only guard and reboot a subscriber's CPE from a read-only profile; the sandbox (and,
  per docs/krill.md §2.4, an emulator) accepts both, so POST is the safe choice.
- One unusable entry (bad href, wrong type) is skipped so the record still shows its other links; a
  block that is not an object at all raises ``MalformedResponse``.
"""

from __future__ import annotations

import re
from typing import Any

from isptui.discovery._common import (
    clean_text,
    expect_dict,
    guarded,
    title_for,
    usable_name,
)
from isptui.discovery.urls import resolve, same_origin
from isptui.errors import MalformedResponse
from isptui.model import Action, Link

SAFE_METHODS = frozenset({"GET", "HEAD"})
KNOWN_METHODS = SAFE_METHODS | {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

# Words in an action name that mean it destroys data or interrupts a subscriber's service.
# ``reconfig`` is included: pushing a configuration to a CPE restarts its services.
DANGEROUS_WORDS = frozenset({
    "factory", "unprovision", "deprovision", "reprovision", "reboot", "restart", "reset", "reconfig",
    "delete", "remove", "destroy", "purge", "wipe", "erase", "disconnect", "kill", "disable", "block",
    "suspend", "terminate", "cancel", "stop", "shutdown", "unassign", "revoke",
})


def is_dangerous(name: str, method: str = "POST") -> bool:
    """True for actions that destroy or interrupt (``factory``, ``reboot``, ``customers-online--kill``…)."""
    if method == "DELETE":
        return True
    words = re.split(r"[^a-z0-9]+", name.lower())
    return any(word in DANGEROUS_WORDS or word.rstrip("s") in DANGEROUS_WORDS for word in words if word)


def _method(value: object) -> str | None:
    if value is None:
        return "GET"
    if isinstance(value, str) and value.strip().upper() in KNOWN_METHODS:
        return value.strip().upper()
    return None


class _Collector:
    """Accumulates links and actions from the entries of one block, skipping unusable ones."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.links: list[Link] = []
        self.actions: list[Action] = []

    def _url(self, href: object) -> str | None:
        try:
            return resolve(href, self.base_url)
        except MalformedResponse:
            return None

    def link(self, rel: str, href: object, title: object = None, method: str = "GET") -> None:
        url = self._url(href)
        if url is None:
            return
        label = clean_text(title) or title_for(rel)
        if method not in SAFE_METHODS:
            self.action(rel, url, title=label, method=method)
            return
        self.links.append(Link(rel=rel, href=url, title=label, method=method,
                               external=not same_origin(url, self.base_url)))

    def action(self, name: str, href: object, *, title: str | None = None, method: str = "POST") -> None:
        url = self._url(href)
        if url is None or not same_origin(url, self.base_url):
            # An action is a write; one that points at another origin is never offered.
            return
        self.actions.append(Action(name=name, method=method, href=url, title=title or title_for(name),
                                   dangerous=is_dangerous(name, method)))

    def hal(self, rel: str, value: Any) -> None:
        """One HAL relation: a string, an object with href, or an array of those."""
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str):
                self.link(rel, item)
            elif isinstance(item, dict) and "href" in item:
                if item.get("templated") is True:
                    continue
                method = _method(item.get("method"))
                if method is not None:
                    self.link(rel, item.get("href"), item.get("title"), method)


@guarded("_links block")
def parse_links(block: object, *, base_url: str) -> tuple[list[Link], list[Action]]:
    """Links and actions of a ``_links`` block, hrefs made absolute against ``base_url``.

    ``None`` (no block) gives two empty lists. Order is the server's.
    """
    if block is None:
        return [], []
    block = expect_dict(block, "_links block")
    out = _Collector(base_url)
    for key, value in block.items():
        rel = usable_name(key)
        if rel is None or rel == "curies":
            continue
        # Krill nests name->href maps under "actions" and "links"; a HAL rel of that name has an href.
        if rel == "actions" and isinstance(value, dict) and "href" not in value:
            for name, href in value.items():
                if (action_name := usable_name(name)) is not None:
                    out.action(action_name, href)
        elif rel == "links" and isinstance(value, dict) and "href" not in value:
            for name, href in value.items():
                if (link_rel := usable_name(name)) is not None:
                    out.hal(link_rel, href)
        else:
            out.hal(rel, value)
    return out.links, out.actions
