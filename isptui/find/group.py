"""Group hits from several connections into subscribers by the keys they share.

Strong keys (email, MAC, IP, login) join two records into one person. A phone number does not:
households and businesses share phones, so two people with one phone stay two subscribers, and the
shared phone is still shown as a near-miss key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from isptui.find.query import NORMALIZERS

STRONG = ("email", "mac", "ip", "login")


@dataclass(frozen=True)
class Hit:
    connection: str
    collection: str
    record_id: str
    label: str
    keys: dict[str, str]
    """Raw key values by kind (email, mac, ip, phone, login); normalised on grouping."""


@dataclass
class Subscriber:
    hits: list[Hit] = field(default_factory=list)
    shared: dict[str, str] = field(default_factory=dict)
    """Keys (kind -> normalised value) seen in more than one hit of this group."""

    @property
    def connections(self) -> list[str]:
        return sorted({h.connection for h in self.hits})


def _norm(hit: Hit) -> dict[str, str]:
    out = {}
    for kind, raw in hit.keys.items():
        fn = NORMALIZERS.get(kind)
        value = fn(str(raw)) if fn and raw not in (None, "") else None
        if value is not None:
            out[kind] = value
    return out


def group(hits: list[Hit]) -> list[Subscriber]:
    """Union hits that share any strong key; order groups by first appearance."""
    parent = list(range(len(hits)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    normed = [_norm(h) for h in hits]
    owner: dict[tuple[str, str], int] = {}
    for i, keys in enumerate(normed):
        for kind in STRONG:
            if kind in keys:
                j = owner.setdefault((kind, keys[kind]), i)
                parent[find(i)] = find(j)
    groups: dict[int, Subscriber] = {}
    members: dict[int, list[int]] = {}
    for i in range(len(hits)):
        root = find(i)
        groups.setdefault(root, Subscriber()).hits.append(hits[i])
        members.setdefault(root, []).append(i)
    for root, sub in groups.items():
        counts: dict[tuple[str, str], int] = {}
        for i in members[root]:
            for kv in normed[i].items():
                counts[kv] = counts.get(kv, 0) + 1
        sub.shared = {k: v for (k, v), n in counts.items() if n > 1}
    return list(groups.values())
