"""Listed records build their links on first read (model.Lazy), and read exactly like built ones."""

from __future__ import annotations

from isptui.model import Lazy, Link, Record, ResourceRef


def test_lazy_builds_once_on_first_read_and_compares_like_a_tuple() -> None:
    calls: list[str] = []

    def make(rid: str) -> list[Link]:
        calls.append(rid)
        return [Link(rel="invoices", href=f"c/{rid}/invoices")]

    lazy = Record.trusted(ref=ResourceRef(collection="c", id="1"), title="t", links=Lazy(make, "1"))
    eager = Record.trusted(ref=ResourceRef(collection="c", id="1"), title="t",
                           links=(Link(rel="invoices", href="c/1/invoices"),))
    assert calls == []
    assert lazy == eager and lazy.links[0].rel == "invoices" and len(lazy.links) == 1
    assert [link.href for link in lazy.links] == ["c/1/invoices"] and lazy.links + () == eager.links
    assert calls == ["1"]
