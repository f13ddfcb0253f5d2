"""Ranking for ``:`` go-to: exact name first, then prefix, then substring, then in-order letters (fuzzy).

Textual's fuzzy ``Matcher`` scores every candidate with a regex and builds highlight spans; over 10,000
names of 300 characters that took seconds per keystroke on the event loop. This index folds each candidate
once and answers in two steps: ``quick`` uses only C-level string operations (``==``, ``startswith``,
``in``) and is cheap enough for the event loop on every keystroke; ``fuzzy`` (one compiled pattern per
query, still a pass over every candidate) is meant for a worker thread, and its matches follow the quick
ones. No Textual here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


def fold(query: str) -> str:
    """The query as matched: without the leading ``:`` of the command line, case-folded."""
    return query.strip().lstrip(":").strip().casefold()


class GoToIndex(Generic[T]):
    """Candidates with a name (for exact and prefix) and a haystack (for substring and in-order letters)."""

    def __init__(self, items: Sequence[T], names: Sequence[str], haystacks: Sequence[str]) -> None:
        self.items = list(items)
        self.names = [n.casefold() for n in names]
        self.hays = [h.casefold() for h in haystacks]

    def quick(self, query: str) -> list[int]:
        """Indices of exact, then prefix (shortest first), then substring (earliest first) matches."""
        q = fold(query)
        if not q:
            return list(range(len(self.items)))
        names, hays = self.names, self.hays
        exact = [i for i, name in enumerate(names) if name == q]
        prefix = [i for i, name in enumerate(names) if name.startswith(q) and name != q]
        prefix.sort(key=lambda i: len(names[i]))
        seen = set(exact).union(prefix)
        substring = [i for i, hay in enumerate(hays) if q in hay and i not in seen]
        substring.sort(key=lambda i: hays[i].find(q))
        return exact + prefix + substring

    def fuzzy(self, query: str, exclude: Sequence[int], limit: int) -> list[int]:
        """Up to ``limit`` indices, not in ``exclude``, whose haystack holds the query's letters in order."""
        q = fold(query)
        if len(q) < 2:
            return []  # one letter in order is a substring: quick() has them all
        # "[^a]*a[^b]*b…" anchored at the start takes the first occurrence of each letter after the previous
        # one, so a candidate is accepted or refused in one left-to-right pass, without backtracking.
        in_order = re.compile("".join(f"[^{re.escape(c)}]*{re.escape(c)}" for c in q), re.DOTALL).match
        skip = set(exclude)
        found: list[int] = []
        for i, hay in enumerate(self.hays):
            if i not in skip and in_order(hay):
                found.append(i)
                if len(found) >= limit:
                    break
        return found

    def pick(self, indices: Sequence[int], limit: int) -> list[T]:
        return [self.items[i] for i in indices[:limit]]
