"""Carbon on the quirk variants that change ids and sortable values (issue 14): pk 0, gaps, string pks,
nulls. Run in-process against the sandbox (``create_sandbox("carbon", quirks=…)``), asserting the rows a
user would be shown and what the server received; pks that are not numbers come from a small mock server.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from isptui.backends.base import BackendSettings
from isptui.backends.carbon import CarbonBackend
from isptui.errors import NotFound
from isptui.model import Page, PageRequest, ResourceRef
from isptui.sandbox import Sandbox, create_sandbox
from isptui.sandbox.dataset import subscriber
from isptui.ui.widgets.collection_view import CollectionView
from isptui.ui.widgets.resource_tree import ResourceTree
from tests.backends.conftest import Connect

ROWS = 30
ABONENTS = ResourceRef(collection="Abonents")
NAMES = [f"{subscriber(1, n).last_name} {subscriber(1, n).first_name}" for n in range(1, ROWS + 1)]


def carbon_sandbox(quirks: str) -> Sandbox:
    return create_sandbox("carbon", customers=ROWS, quirks=quirks)


async def walk(carbon: CarbonBackend, limit: int, ref: ResourceRef = ABONENTS) -> list[Page]:
    """Every page, the way the collection view pages: by the cursor, else by offset."""
    pages = [await carbon.list(ref, PageRequest(limit=limit))]
    while pages[-1].has_more and len(pages) <= ROWS:
        last = pages[-1]
        pages.append(await carbon.list(ref, PageRequest(limit=limit, offset=last.offset + len(last.items),
                                                        cursor=last.next_cursor)))
    return pages


def shown(pages: list[Page]) -> list[tuple[str, str]]:
    return [(r.id, r.title) for page in pages for r in page.items]


async def test_a_collection_whose_first_pk_is_0_lists_every_record(connected: Connect) -> None:
    async with connected("carbon", sandbox=carbon_sandbox("pk-zero")) as carbon:
        pages = await walk(carbon, 7)  # type: ignore[arg-type]
        by_offset = await carbon.list(ABONENTS, PageRequest(offset=10, limit=5))
        first = await carbon.get(pages[0].items[0].ref)
    ids = ["0", *map(str, range(2, ROWS + 1))]  # abonent 1 is pk 0; pk 1 is nobody
    assert shown(pages) == list(zip(ids, NAMES, strict=True))
    assert pages[0].total == ROWS and not pages[-1].has_more
    assert [r.title for r in by_offset.items] == NAMES[10:15]
    assert (first.id, first.title) == ("0", NAMES[0])


async def test_gaps_and_pk_0_page_by_cursor_and_by_offset(connected: Connect) -> None:
    async with connected("carbon", sandbox=carbon_sandbox("pk-zero")) as carbon:
        for pk in ("2", "3", "9", "10", "11"):
            await carbon.delete(ResourceRef(collection="Abonents", id=pk))
        pages = await walk(carbon, 4)  # type: ignore[arg-type]
        later = await carbon.list(ABONENTS, PageRequest(offset=6, limit=4))
    kept = [name for n, name in enumerate(NAMES, start=1) if n not in (2, 3, 9, 10, 11)]
    assert [title for _, title in shown(pages)] == kept and pages[0].total == len(kept)
    assert [r.title for r in later.items] == kept[6:10]


async def test_string_ids_page_and_read_back(connected: Connect) -> None:
    sandbox = carbon_sandbox("string-ids")
    async with connected("carbon", sandbox=sandbox) as carbon:
        pages = await walk(carbon, 8)  # type: ignore[arg-type]
        user = await carbon.get(ResourceRef(collection="Users", id="3"))
    assert shown(pages) == [(str(n), NAMES[n - 1]) for n in range(1, ROWS + 1)]
    assert (user.id, user.fields["abonent"]) == ("3", "3")  # the server's own strings, as sent
    abonent = next(link for link in user.links if link.rel == "abonent")
    assert abonent.target == ResourceRef(collection="Abonents", id="3")


def string_pk_server(seen: list[dict[str, str]]) -> httpx.MockTransport:
    """A server whose Abonents pks are text ("A-1" …): it answers count, and every filter with all rows."""
    rows = [{"pk": f"A-{n}", "model": "Abonents", "fields": {"name": f"Name {n}"}} for n in (3, 1, 2)]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"call": "/rest_api/v2/", "result": ["Abonents"]})
        sent = dict(parse_qsl(request.content.decode()))
        seen.append(sent)
        methods = [v for k, v in sent.items() if k.startswith("method")]
        result: object = len(rows) if "count" in methods else rows
        return httpx.Response(200, json={"call": request.url.path, "result": result})

    return httpx.MockTransport(handler)


async def test_pks_that_are_not_numbers_are_listed_whole_in_order() -> None:
    seen: list[dict[str, str]] = []
    carbon = CarbonBackend(BackendSettings(url="http://carbon.test", transport=string_pk_server(seen), retries=0))
    await carbon.connect()
    try:
        pages = await every_page(carbon, PageRequest(limit=2))
    finally:
        await carbon.close()
    assert [[r.id for r in page.items] for page in pages] == [["A-1", "A-2"], ["A-3"]]
    assert all(page.whole for page in pages) and not pages[-1].has_more


async def raw(sandbox: Sandbox, model: str, **form: str) -> object:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox.local") as client:
        answer = (await client.post(f"/rest_api/v2/{model}/", data=form)).json()
    return answer.get("result", answer.get("error"))


async def test_the_sandbox_serves_each_variant() -> None:
    zero = carbon_sandbox("pk-zero")
    first = await raw(zero, "Abonents", method1="objects.filter", arg1='{"pk__lte":2}', fields='["name"]')
    assert [o["pk"] for o in first] == [0, 2]  # type: ignore[union-attr,index]
    assert "does not exist" in str(await raw(zero, "Abonents", method1="objects.get", arg1='{"pk":1}'))
    owner = await raw(zero, "Users", method1="objects.filter", arg1='{"abonent__pk":0}', fields='["abonent_id"]')
    assert owner == [{"pk": 1, "model": "Users", "fields": {"abonent_id": 0}}]
    texts = await raw(carbon_sandbox("string-ids"), "Users", method1="objects.get", arg1='{"pk":"2"}',
                      fields='["abonent_id"]')
    assert texts == {"pk": "2", "model": "Users", "fields": {"abonent_id": "2"}}
    nulls = await raw(carbon_sandbox("null-sort-values"), "Abonents", method1="objects.filter",
                      arg1='{"pk__lte":6}', fields='["comment","contract_number"]')
    assert [o["fields"]["comment"] is None for o in nulls] == [False, False, True] * 2  # type: ignore[union-attr,index]


def sent_methods(sandbox: Sandbox) -> set[str]:
    return {m for r in sandbox.received if r.method == "POST"
            for k, m in parse_qsl(r.body.decode()) if k.startswith("method")}


async def every_page(carbon: CarbonBackend, request: PageRequest) -> list[Page]:
    """Every page of a listing, by offset as the collection view pages a table."""
    pages = [await carbon.list(ABONENTS, request)]
    while pages[-1].has_more:
        offset = pages[-1].offset + len(pages[-1].items)
        pages.append(await carbon.list(ABONENTS, request.model_copy(update={"offset": offset})))
    return pages


async def sorted_rows(carbon: CarbonBackend, column: str, descending: bool) -> tuple[list[Page], list[object]]:
    """Every page of a sorted listing."""
    pages = await every_page(carbon, PageRequest(limit=12, order_by=column, descending=descending))
    return pages, [r.fields.get(column) for page in pages for r in page.items]


def nulls_last(values: list[object], descending: bool) -> bool:
    present = [v for v in values if v is not None]
    return values == present + [None] * (len(values) - len(present)) and \
        present == sorted(present, key=str.casefold, reverse=descending)  # type: ignore[arg-type]


async def test_the_server_sorts_and_nulls_come_last_both_ways(connected: Connect) -> None:
    sandbox = carbon_sandbox("null-sort-values")
    async with connected("carbon", sandbox=sandbox) as carbon:
        for descending in (False, True):
            pages, values = await sorted_rows(carbon, "contract_number", descending)  # type: ignore[arg-type]
            assert len(values) == ROWS and values.count(None) == ROWS // 3
            assert nulls_last(values, descending) and not any(p.sorted_locally for p in pages)
    assert "order_by" in sent_methods(sandbox)


async def test_without_order_by_the_whole_collection_is_sorted_locally_nulls_last(connected: Connect) -> None:
    sandbox = carbon_sandbox("carbon-minimal-chain,null-sort-values")
    async with connected("carbon", sandbox=sandbox) as carbon:
        for descending in (False, True):
            pages, values = await sorted_rows(carbon, "contract_number", descending)  # type: ignore[arg-type]
            assert all(p.whole and p.sorted_locally for p in pages) and len(values) == ROWS
            assert nulls_last(values, descending)
    assert "order_by" not in sent_methods(sandbox)


async def test_string_ids_sort_as_numbers_when_sorted_locally(connected: Connect) -> None:
    async with connected("carbon", sandbox=carbon_sandbox("carbon-minimal-chain,string-ids")) as carbon:
        page = await carbon.list(ABONENTS, PageRequest(order_by="pk", descending=True))
    assert [r.id for r in page.items] == [str(n) for n in range(ROWS, 0, -1)] and page.sorted_locally


class RefusesOrderBy(httpx.AsyncBaseTransport):
    """The sandbox, except that order_by is refused as a server without it would (count still works)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "order_by" in dict(parse_qsl(request.content.decode())).values():
            return httpx.Response(200, json={"call": request.url.path,
                                             "error": "'QuerySet' object has no attribute 'order_by'"})
        return await self.inner.handle_async_request(request)


async def test_a_refused_order_by_falls_back_to_a_local_sort_of_every_row(connected: Connect) -> None:
    async with connected("carbon", sandbox=carbon_sandbox("null-sort-values"), wrap=RefusesOrderBy) as carbon:
        pages = await every_page(carbon, PageRequest(limit=5, order_by="contract_number"))
        again = await every_page(carbon, PageRequest(limit=5, order_by="name"))
    values = [r.fields.get("contract_number") for page in pages for r in page.items]
    assert all(p.whole and p.sorted_locally for p in pages) and len(values) == ROWS and nulls_last(values, False)
    assert all(p.sorted_locally for p in again)
    assert [r.title for p in again for r in p.items] == sorted(NAMES, key=str.casefold)


class Host(App[None]):
    def __init__(self, backend: CarbonBackend) -> None:
        super().__init__()
        self.backend = backend

    def compose(self) -> ComposeResult:
        yield CollectionView(self.backend, ABONENTS, "Abonents")


@pytest.mark.parametrize("quirks, label", [("null-sort-values", "sorted by the server"),
                                           ("carbon-minimal-chain,null-sort-values", "sorted locally")])
async def test_the_header_says_who_sorted(quirks: str, label: str) -> None:
    sandbox = carbon_sandbox(quirks)
    carbon = CarbonBackend(BackendSettings(url="http://sandbox.local", transport=sandbox.transport(), retries=0))
    await carbon.connect()
    try:
        app = Host(carbon)
        async with app.run_test(size=(140, 20)) as pilot:
            await pilot.pause()
            view = app.query_one(CollectionView)
            view.sort_by("contract_number", False)  # a worker
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = str(app.query_one(".collection-header", Static).render())
            rows = view.table.row_count
    finally:
        await carbon.close()
    assert f"{label}: contract_number" in text and "loaded rows only" not in text and rows == ROWS


class BrowserRoot(httpx.AsyncBaseTransport):
    """The sandbox with the root as a page for a browser (its format is unknown, docs/carbon.md §5.4), so
    the adapter falls back to its catalogue, which names models this server does not have."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.rstrip("/").endswith("/v2"):
            return httpx.Response(200, text="<html><title>API</title></html>", headers={"content-type": "text/html"})
        return await self.inner.handle_async_request(request)


UNANSWERED = {"AbonentsBlock", "AttributeValues", "ArchAccountStack", "Homes", "Counters", "UsersCache"}


async def test_catalogue_models_the_server_does_not_answer_are_marked(connected: Connect) -> None:
    async with connected("carbon", sandbox=carbon_sandbox(""), wrap=BrowserRoot) as carbon:
        entries = {e.key: e for e in await carbon.discover()}
        with pytest.raises(NotFound) as info:
            await carbon.list(ResourceRef(collection="Homes"), PageRequest(limit=5))
        abonents = await carbon.list(ABONENTS, PageRequest(limit=5))
    assert {k for k, e in entries.items() if e.unavailable} == UNANSWERED and len(entries) == 13
    assert "Unknown model" in entries["Homes"].unavailable and len(abonents.items) == 5
    assert "Homes is not answered by this server" in info.value.message


async def test_the_tree_shows_an_unanswered_model_as_such(connected: Connect) -> None:
    async with connected("carbon", sandbox=carbon_sandbox(""), wrap=BrowserRoot) as carbon:
        entries = await carbon.discover()
        app = TreeHost(carbon)  # type: ignore[arg-type]
        async with app.run_test(size=(100, 40)) as pilot:
            tree = app.query_one(ResourceTree)
            tree.show_entry_points(entries)
            await pilot.pause()
            nodes = {str(n.label): n for group in tree.root.children for n in group.children}
    marked = {label for label in nodes if label.endswith("· not answered by this server")}
    assert len(marked) == len(UNANSWERED) and any(label.startswith("Homes") for label in marked)
    assert not any(nodes[label].allow_expand for label in marked)
    assert nodes["Abonents (subscribers)"].allow_expand


class TreeHost(App[None]):
    def __init__(self, backend: CarbonBackend) -> None:
        super().__init__()
        self.backend = backend

    def compose(self) -> ComposeResult:
        yield ResourceTree(self.backend)
