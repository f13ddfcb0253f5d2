"""CollectionView honesty (issue 14 item 2): a server filter is believed only when it took effect, a refused
filter leaves the table as it was, and a local sort says what it covered, with nulls last."""

from __future__ import annotations

import gc
import warnings

from textual.app import App, ComposeResult
from textual.widgets import Static

from isptui.errors import BackendError
from isptui.model import Page, PageRequest, Record, ResourceRef
from isptui.ui.widgets.collection_view import CollectionView, sort_records
from tests.ui.memory_backend import MemoryBackend, memory_settings


class Ignoring(MemoryBackend):
    """Says it filters on the server, then answers every filter with the unfiltered rows (or refuses it)."""

    refuse = False

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        if request.filter and self.refuse:
            raise BackendError("unknown field 'zzz'", status=400)
        return await super().list(ref, request.model_copy(update={"filter": None}))


class Host(App[None]):
    def __init__(self, backend: MemoryBackend) -> None:
        super().__init__()
        self.backend = backend

    def compose(self) -> ComposeResult:
        yield CollectionView(self.backend, ResourceRef(collection="customers"), "Customers")


def header(app: Host) -> str:
    return str(app.query_one(".collection-header", Static).render())


async def _filtered(backend: MemoryBackend, text: str) -> tuple[str, int]:
    app = Host(backend)
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        view = app.query_one(CollectionView)
        view.apply_filter(text)
        await app.workers.wait_for_complete()
        await pilot.pause()
        return header(app), view.table.row_count


async def test_an_ignored_server_filter_is_said_to_be_local_with_counts() -> None:
    text, rows = await _filtered(Ignoring(memory_settings(), customers=30), "Customer 7")
    assert "filtered by the server" not in text and "filtered locally" in text and rows < 30


async def test_a_server_filter_that_took_effect_is_labelled_so() -> None:
    text, rows = await _filtered(MemoryBackend(memory_settings(), customers=30), "Customer 7")
    assert "filtered by the server" in text and rows < 30


async def test_a_refused_filter_keeps_the_table_and_says_why() -> None:
    backend = Ignoring(memory_settings(), customers=30)
    backend.refuse = True
    text, rows = await _filtered(backend, "zzz=1")
    assert "filter refused: unknown field 'zzz'" in text and rows == 30


def test_local_sort_puts_nulls_last_both_ways_and_numbers_as_numbers() -> None:
    def rec(i: int, v: object) -> Record:
        return Record(ref=ResourceRef(collection="c", id=str(i)), title=str(i), fields={"v": v})

    rows = [rec(1, "10"), rec(2, None), rec(3, "9"), rec(4, "")]
    assert [r.id for r in sort_records(rows, "v", False)] == ["3", "1", "2", "4"]
    assert [r.id for r in sort_records(rows, "v", True)] == ["1", "3", "2", "4"]


async def test_a_server_that_ignores_offset_shows_its_first_rows_once_and_says_so() -> None:
    """Splynx sandbox on quirk ignores-offset (60 customers, pages of 50): the second page comes back as
    the first again. The table stops at 50 distinct rows and the header says why, with the server's count."""
    from isptui.backends.base import BackendSettings, load_backend
    from isptui.sandbox import create_sandbox
    from tests.ui.conftest import settle
    from tests.ui.edit.conftest import CREDENTIALS, URL

    sandbox = create_sandbox("splynx", customers=60, quirks="ignores-offset")
    backend = load_backend("splynx")(BackendSettings(url=URL, credentials=CREDENTIALS["splynx"],
                                                     transport=sandbox.transport(), retries=0))
    await backend.connect()
    try:
        app = Host(backend)  # type: ignore[arg-type]
        async with app.run_test(size=(160, 20)) as pilot:
            await settle(pilot)
            table = app.query_one(CollectionView).table
            table.focus()
            await pilot.press("end")  # the rows past the first page: page 2 is asked at offset 50
            await settle(pilot)
            await pilot.press("end")
            await settle(pilot)
            text = header(app)
            ids = [r.id for r in table.loaded_records()]
            count = table.row_count
    finally:
        await backend.close()
    assert count == 50 and len(ids) == len(set(ids)) == 50, (count, ids[45:])
    assert "50 of 60 rows" in text and "the server ignores offset: only the first 50 rows can be shown" in text


async def test_the_tree_says_the_server_ignores_offset_instead_of_more() -> None:
    """The tree's "… more" node on the ignores-offset variant: the next page is the first again, so the
    tree keeps its 25 rows once and says why there is no more, with the server's count."""
    from textual.app import App

    from isptui.backends.base import BackendSettings, load_backend
    from isptui.sandbox import create_sandbox
    from isptui.ui.widgets.resource_tree import MoreRecords, ResourceTree
    from tests.ui.conftest import settle
    from tests.ui.edit.conftest import CREDENTIALS, URL
    from tests.ui.screen_text import screen_text

    class TreeHost(App[None]):
        def compose(self) -> ComposeResult:
            yield ResourceTree(backend)

    sandbox = create_sandbox("splynx", customers=60, quirks="ignores-offset")
    backend = load_backend("splynx")(BackendSettings(url=URL, credentials=CREDENTIALS["splynx"],
                                                     transport=sandbox.transport(), retries=0))
    await backend.connect()
    try:
        app = TreeHost()
        async with app.run_test(size=(100, 40)) as pilot:
            tree = app.query_one(ResourceTree)
            tree.show_entry_points([e for e in await backend.discover() if e.key == "customers"])
            await settle(pilot)
            customers = tree.root.children[0].children[0]
            customers.expand()
            tree.load_children(customers)
            await settle(pilot)
            tree.move_cursor(customers.children[-1], animate=False)
            await pilot.press("enter")
            await settle(pilot)
            ids = [n.data.ref.id for n in customers.children if n.data is not None]
            last = str(customers.children[-1].label)
            text = screen_text(app)
    finally:
        await backend.close()
    assert len(ids) == len(set(ids)) == 25 and not any(isinstance(n.data, MoreRecords) for n in customers.children)
    assert last == "(the server ignores offset: only the first 25 of 60 can be shown)", text


async def test_a_page_wanted_as_the_app_closes_leaves_no_coroutine_unawaited() -> None:
    """Filtering and closing at once: the table wanted a page after its last refresh, and the worker for it
    was cancelled with the app before it started. The page's coroutine, made up front, was never awaited
    ("coroutine 'RecordTable._load_page' was never awaited", printed at the end of the suite); the worker
    now makes it only when it runs."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        await _filtered(MemoryBackend(memory_settings(), customers=30), "Customer 7")
        gc.collect()
    assert [str(w.message) for w in seen if "never awaited" in str(w.message)] == []
