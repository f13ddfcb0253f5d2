"""Carbon's method chain as a builder: ``Chain("Abonents").get(pk=45).set(name="X").save()``.

It renders the form fields Carbon's REST API v2 reads (docs/carbon.md §5.1): ``method1=objects.get&arg1={…}
&method2=set&arg2={…}&method3=save&arg3={}&fields=[…]``. Every argument is sent, even an empty ``{}``, as the
Carbon docs insist; the first method is a manager method, later ones apply to the previous result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

READ_METHODS = frozenset({
    "objects.all", "objects.filter", "objects.exclude", "objects.get", "objects.count",
    "all", "filter", "exclude", "get", "order_by", "count", "exists", "first", "last",
    "get_balance_until_date",
})
"""Methods that change nothing: the only ones a read-only connection may send."""


def dumps(value: Any) -> str:
    """Compact JSON as Carbon's examples send it; non-ASCII kept (form encoding escapes it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Chain:
    """An immutable chain of (method, argument) steps on one model, plus the ``fields`` selection."""

    model: str
    steps: tuple[tuple[str, Any], ...] = ()
    selected: tuple[str, ...] | None = None

    def call(self, method: str, arg: dict[str, Any] | list[Any] | None = None) -> Chain:
        """Append any method; the first gets the ``objects.`` prefix when it is a manager method."""
        return replace(self, steps=(*self.steps, (method, {} if arg is None else arg)))

    def _query(self, name: str, kwargs: dict[str, Any]) -> Chain:
        return self.call(name if self.steps else f"objects.{name}", kwargs)

    def filter(self, **lookups: Any) -> Chain:
        return self._query("filter", lookups)

    def get(self, **lookups: Any) -> Chain:
        return self._query("get", lookups)

    def count(self) -> Chain:
        return self._query("count", {})

    def exists(self) -> Chain:
        return self.call("exists") if self.steps else self.filter().call("exists")

    def create(self, **values: Any) -> Chain:
        return self.call("objects.create", values)

    def set(self, **values: Any) -> Chain:
        return self.call("set", values)

    def save(self) -> Chain:
        return self.call("save")

    def delete(self) -> Chain:
        return self.call("delete")

    def fields(self, names: Iterable[str] | None) -> Chain:
        """Select output fields (``tarif__name`` nests the FK reduced to ``name``); None for all."""
        return replace(self, selected=None if names is None else tuple(names))

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.steps)

    @property
    def writes(self) -> bool:
        """Whether any step may change data (everything not known to be a read counts as a write)."""
        return any(name not in READ_METHODS for name in self.methods)

    def form(self) -> list[tuple[str, str]]:
        """The form fields, in order."""
        out: list[tuple[str, str]] = []
        for n, (name, arg) in enumerate(self.steps, start=1):
            out += [(f"method{n}", name), (f"arg{n}", dumps(arg))]
        if self.selected is not None:
            out.append(("fields", dumps(list(self.selected))))
        return out

    def describe(self) -> str:
        """``objects.get → set → save`` for messages."""
        return " → ".join(self.methods)
