"""No page is larger than asked, and no row a server sent is lost (issues 12 and 14), for any adapter."""

from __future__ import annotations

from isptui.backends.base import Backend, BackendSettings
from isptui.model import EntryPoint, Page, PageRequest, Record, ResourceRef, Schema


def rec(n: int) -> Record:
    return Record(ref=ResourceRef(collection="c", id=str(n)), title=f"row {n}", fields={"id": n})


class EveryRow(Backend):
    """A plug-in whose server ignores paging: every list answer is all twelve rows (ids from 0)."""

    name = title = "every-row"

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.asked = 0

    async def connect(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def discover(self) -> list[EntryPoint]:
        return []

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        self.asked += 1
        return Page(items=tuple(rec(n) for n in range(12)), offset=0, total=12)

    async def get(self, ref: ResourceRef) -> Record:
        return rec(int(ref.id or 0))

    async def schema(self, ref: ResourceRef) -> Schema:
        return Schema()


async def test_a_page_larger_than_asked_is_cut_to_size_and_the_rest_comes_without_asking_again() -> None:
    backend, ref = EveryRow(BackendSettings(url="http://127.0.0.1:9")), ResourceRef(collection="c")
    pages = [await backend.list(ref, PageRequest(offset=n, limit=5)) for n in (0, 5, 10)]
    assert [[r.id for r in p.items] for p in pages] == [["0", "1", "2", "3", "4"], ["5", "6", "7", "8", "9"],
                                                         ["10", "11"]]
    assert [p.has_more for p in pages] == [True, True, False] and backend.asked == 1
    again = await backend.list(ref, PageRequest(limit=5))  # opening it again asks the server anew
    assert backend.asked == 2 and len(again.items) == 5


async def test_only_the_latest_walks_are_held_and_an_older_one_is_asked_again() -> None:
    """Each kept walk may be a whole answer of up to 64 MiB: at most UNPAGED_KEPT are held."""
    from isptui.backends.base import UNPAGED_KEPT

    backend = EveryRow(BackendSettings(url="http://127.0.0.1:9"))
    walks = [ResourceRef(collection=f"c{n}") for n in range(UNPAGED_KEPT + 1)]
    for ref in walks:
        await backend.list(ref, PageRequest(limit=5))
    asked = backend.asked
    await backend.list(walks[-1], PageRequest(offset=5, limit=5))  # held: no request
    assert backend.asked == asked
    page = await backend.list(walks[0], PageRequest(offset=5, limit=5))  # the oldest was let go: asked again
    assert backend.asked == asked + 1 and [r.id for r in page.items] == ["5", "6", "7", "8", "9"]
