"""A small in-memory Backend for UI tests that do not need a vendor's wire format.

It generates customers from the sandbox dataset (so MARKUP_NAME is subscriber 3), links each customer to
its services and invoices, gives it a dangerous ``reboot`` action, filters customers server-side and the
other collections locally, and can be told to fail the next requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isptui.backends.base import Backend, BackendSettings
from isptui.errors import BackendError, NotFound, ServerError
from isptui.model import Action, Capabilities, EntryPoint, FilterSpec, Link, Page, PageRequest, Record, ResourceRef, Schema
from isptui.sandbox.dataset import subscriber


class MemoryLog:
    """The RequestLog surface the UI reads: entries, subscribe, count, last latency."""

    def __init__(self) -> None:
        self._entries: list[Any] = []
        self._subs: list[Any] = []

    def add(self, method: str, url: str, status: int) -> None:
        entry = type("Exchange", (), {"method": method, "url": url, "status": status, "elapsed_ms": 1.0,
                                      "headers": {"Authorization": "Bearer memory-secret"}})()
        self._entries.append(entry)
        for cb in self._subs:
            cb(entry)

    def entries(self) -> list[Any]:
        return list(self._entries)

    def subscribe(self, cb: Any) -> None:
        self._subs.append(cb)

    @property
    def count(self) -> int:
        return len(self._entries)

    @property
    def last_latency_ms(self) -> float | None:
        return 1.0 if self._entries else None


class MemoryBackend(Backend):
    """Customers 1..N plus per-customer services and invoices, all generated on demand."""

    name = "memory"
    title = "Memory"

    def __init__(self, settings: BackendSettings, customers: int = 200) -> None:
        super().__init__(settings)
        self.customers = customers
        self.fail_next = 0
        self.fail_status = 500
        self.invoked: list[tuple[str, str | None]] = []
        self.list_calls: list[tuple[str, PageRequest]] = []
        self.log: Any = settings.request_log

    def _record(self, url: str) -> None:
        if self.log is not None and hasattr(self.log, "add"):
            self.log.add("GET", f"{self.settings.url}/{url}", 200)

    def _maybe_fail(self, url: str) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            if self.fail_status < 500:
                raise BackendError("The request was refused", method="GET", url=f"{self.settings.url}/{url}",
                                   status=self.fail_status)
            raise ServerError("The server had an internal error", method="GET",
                              url=f"{self.settings.url}/{url}", status=500)

    async def connect(self) -> None:
        self._maybe_fail("login")

    async def close(self) -> None:
        return None

    async def discover(self) -> list[EntryPoint]:
        return [
            EntryPoint(key="customers", title="Customers", group="CRM", ref=ResourceRef(collection="customers"),
                       capabilities=Capabilities()),
            EntryPoint(key="tariffs", title="Tariffs", group="Catalogue", ref=ResourceRef(collection="tariffs")),
        ]

    def _customer(self, number: int) -> Record:
        sub = subscriber(1, number)
        fields = {"id": number, "name": f"{sub.first_name} {sub.last_name}", "status": sub.status,
                  "email": sub.email, "city": sub.city, "street": sub.street, "note": sub.note}
        ref = ResourceRef(collection="customers", id=str(number))
        links = (
            Link(rel="services", href=f"customers/{number}/services",
                 target=ResourceRef(collection=f"customers/{number}/services")),
            Link(rel="invoices", href=f"customers/{number}/invoices",
                 target=ResourceRef(collection=f"customers/{number}/invoices")),
        )
        actions = (Action(name="reboot", href=f"customers/{number}/reboot", dangerous=True),
                   Action(name="diagnostic", href=f"customers/{number}/diagnostic"))
        return Record(ref=ref, title=fields["name"], fields=fields, links=links, actions=actions, raw=fields)

    def _rows(self, collection: str) -> list[Record]:
        if collection == "tariffs":
            return [Record(ref=ResourceRef(collection="tariffs", id=str(i)), title=f"Tariff {i}",
                           fields={"id": i, "title": f"Tariff {i}", "price": f"{10 * i}.00"}) for i in range(1, 7)]
        parts = collection.split("/")
        if len(parts) == 3 and parts[0] == "customers":
            number, kind = parts[1], parts[2]
            return [Record(ref=ResourceRef(collection=collection, id=str(k)), title=f"{kind} {k}",
                           fields={"id": k, "customer_id": number, "kind": kind[:-1]}) for k in (1, 2)]
        raise NotFound(f"No collection {collection}", url=f"{self.settings.url}/{collection}", status=404)

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        key = ref.collection or ref.href or ""
        self.list_calls.append((key, request))
        self._maybe_fail(key)
        self._record(key)
        if key == "customers":
            numbers = range(1, self.customers + 1)
            if request.filter:
                needle = request.filter.lower()
                numbers = [n for n in numbers if needle in self._customer(n).fields["name"].lower()]
            selected = numbers[request.offset: request.offset + request.limit]
            return Page(items=tuple(self._customer(n) for n in selected), offset=request.offset,
                        total=len(numbers))
        rows = self._rows(key)
        return Page(items=tuple(rows[request.offset: request.offset + request.limit]), offset=request.offset,
                    total=len(rows))

    async def get(self, ref: ResourceRef) -> Record:
        url = ref.label()
        self._maybe_fail(url)
        self._record(url)
        if ref.collection == "customers" and ref.id and ref.id.isdigit() and 1 <= int(ref.id) <= self.customers:
            return self._customer(int(ref.id))
        for row in self._rows(ref.collection or "") if ref.collection != "customers" else []:
            if row.ref.id == ref.id:
                return row
        raise NotFound(f"No record {url}", method="GET", url=f"{self.settings.url}/{url}", status=404)

    async def follow(self, link: Link) -> Record | Page:
        if link.target is not None:
            return await self.list(link.target) if not link.target.is_record else await self.get(link.target)
        return await self.list(ResourceRef(href=link.href))

    async def schema(self, ref: ResourceRef) -> Schema:
        return Schema()

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        if ref.collection == "customers":
            return FilterSpec(server_side=True, fields=("name",), hint="part of a name")
        return FilterSpec()

    async def invoke(self, record: Record, action: Action, params: Mapping[str, Any] | None = None) -> Any:
        self.invoked.append((action.name, record.id))
        return {"result": "ok"}


def memory_settings(log: Any = None) -> BackendSettings:
    return BackendSettings(url="http://memory.test", request_log=log, profile_name="memory")
