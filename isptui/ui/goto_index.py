"""Ranking for ``:`` go-to: exact name first, then prefix, then substring, then in-order letters (fuzzy).

Textual's fuzzy ``Matcher`` scores every candidate with a regex and builds highlight spans; over 10,000
names of 300 characters that took seconds per keystroke on the event loop. This index folds each candidate
once and answers in two steps: ``quick`` (exact and prefix names by bisection, substring by C-level
``find``) is cheap enough for the event loop on every keystroke; ``fuzzy`` (one compiled pattern per query,
still a pass over every candidate) is meant for a worker thread, and its matches follow the quick ones. No Textual here.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Sequence
from itertools import repeat
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
        # The names in order: the ones starting with a query are one run of it, found by bisection.
        self._by_name = sorted(range(len(self.names)), key=self.names.__getitem__)
        self._sorted_names = [self.names[i] for i in self._by_name]

    def quick(self, query: str, limit: int) -> list[int]:
        """Indices of exact, then prefix (shortest first) name matches, then substring matches (earliest
        first), the first ``limit``. Exact and prefix come from two bisections of the sorted names (a pass
        over 10,000 long names took ~10 ms of the keystroke's 50); the substring pass is one C-level ``find``
        per haystack. All on the loop: Enter right after a key must find what the key made visible."""
        q = fold(query)
        if not q:
            return list(range(min(limit, len(self.items))))
        lo = bisect.bisect_left(self._sorted_names, q)
        hi = bisect.bisect_left(self._sorted_names, q + "\U0010ffff", lo)
        names = self.names
        run = self._by_name[lo:hi]  # every name starting with q; the exact ones first in the run
        exact = [i for i in run if names[i] == q]
        prefix = heapq.nsmallest(limit, (i for i in run if names[i] != q), key=lambda i: (len(names[i]), i))
        found = (exact + prefix)[:limit]
        return found + self.substring(query, found, limit - len(found)) if len(found) < limit else found

    def substring(self, query: str, exclude: Sequence[int], limit: int) -> list[int]:
        """Up to ``limit`` indices, not in ``exclude``, whose haystack holds the query (earliest first)."""
        q = fold(query)
        if not q:
            return []
        skip = set(exclude)
        hits = [(at, i) for i, at in enumerate(map(str.find, self.hays, repeat(q))) if at >= 0 and i not in skip]
        return [i for _, i in heapq.nsmallest(limit, hits)]

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
