"""The Krill emulator's data for one app instance: on-demand collections, their write overlay and indexes.

Writes go through ``save``/``remove`` so the unique indexes, the CPE<->customer links and the POTS lines
generated for new CPEs stay consistent without ever scanning a collection per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from isptui.sandbox.dataset import TARIFFS, Dataset
from isptui.sandbox.krill import records as rec
from isptui.sandbox.krill import schemas
from isptui.sandbox.krill.drf import FieldSpec
from isptui.sandbox.store import Collection

Row = dict[str, Any]
T = TypeVar("T")
YIELD_EVERY = 256  # rows between event-loop yields while scanning: ~10 ms of work at 100,000 rows


async def cooperative(rows: Iterable[T]) -> list[T]:
    """Drain a scan without blocking the event loop, which in-process is also the UI's loop."""
    out: list[T] = []
    for i, row in enumerate(rows, 1):
        out.append(row)
        if i % YIELD_EVERY == 0:
            await asyncio.sleep(0)
    return out

# Related objects Krill has but the emulator does not serve as collections; their ids are fixed so a PUT
# that echoes a CPE back validates. Unknown (docs/krill.md §2.5): which ids exist on a real server.
FIXED_RELATED = {
    "models": {m["id"] for m in rec.MODELS},
    "line-profiles": {1, 2, 3},
    "voip-profiles": {1, 2},
    "wifi-profiles": {1, 2},
    "tv-profiles": {1},
    "address-profiles": {1},
    "probes": {1},
}


class UniqueIndex:
    """value -> record id for one unique field; built on first use (one scan), then kept up to date."""

    def __init__(self, collection: Collection, name: str) -> None:
        self._collection = collection
        self._name = name
        self._map: dict[Any, int] | None = None

    async def prepare(self) -> None:
        """Build the index without blocking the loop; call before the synchronous lookups."""
        if self._map is None:
            rows = await cooperative(self._pairs(self._collection.scan()))
            if self._map is None:
                self._map = {}
                for value, rid in reversed(rows):  # first holder wins, like a scan in id order
                    self._map[value] = rid

    def _pairs(self, rows: Iterable[Row]) -> Iterator[tuple[Any, int]]:
        for row in rows:
            if row.get(self._name) not in (None, ""):
                yield row[self._name], row["id"]

    def _ensure(self) -> dict[Any, int]:
        if self._map is None:
            self._map = {}
            for value, rid in self._pairs(self._collection.scan()):
                self._map.setdefault(value, rid)
        return self._map

    def owner(self, value: Any) -> int | None:
        return self._ensure().get(value)

    def update(self, old: Row | None, new: Row | None) -> None:
        if self._map is None:
            return  # not built yet: a later build scans the collection, writes included
        mapping = self._map
        if old is not None and mapping.get(old.get(self._name)) == old["id"]:
            del mapping[old[self._name]]
        if new is not None and new.get(self._name) not in (None, ""):
            mapping[new[self._name]] = new["id"]


@dataclass
class Resource:
    """One DRF viewset: its collection, serializer fields and the query behaviour of its list."""

    name: str  # URL segment, e.g. "cpes"
    app: str
    collection: Collection
    specs: tuple[FieldSpec, ...]
    model_name: str  # Django verbose name, used in unique-error messages
    view_name: str  # DRF get_view_name() base, e.g. "Cpe"
    description: str
    writable: bool = True
    id_key: str = "id"
    natural: tuple[str, ...] = ()  # fields whose order is id order, so sorting by them needs no scan
    default_limit: int = 20
    absolute_links: bool = True
    filters: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    render: Callable[[Row], Row] = field(default=lambda row: row)
    joins: dict[str, Callable[[Row], Any]] = field(default_factory=dict)
    indexes: dict[str, UniqueIndex] = field(default_factory=dict)


def now_iso() -> str:
    return rec.iso(datetime.now(rec.TZ))


class KrillState:
    """All Krill resources of one emulator instance, over the shared dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        sub = dataset.subscriber
        count = dataset.customers
        self.cpe_touched: set[int] = set()  # CPEs created or edited, whose customer may no longer be N
        self.deleted_customers: set[int] = set()
        self.new_pots: dict[int, list[int]] = {}  # POTS generated for CPEs created through the API
        self.events: dict[int, list[Row]] = {}  # actions recorded per CPE, newest first
        self._event_id = 10 * (count + 10)

        def pots(pots_id: int) -> Row:
            number, line = rec.pots_locate(pots_id)
            return rec.pots_row(sub(number), line, pots_id)

        customers = Collection(count, lambda n: rec.customer_row(sub(n)))
        cpes = Collection(count, lambda n: rec.cpe_row(sub(n)))
        self.resources: dict[tuple[str, str], Resource] = {}
        for resource in (
            Resource("customers", "isp", customers, schemas.CUSTOMER, "customer", "Customer",
                     "Customers of the ISP; each owns CPEs.", filters=("name", "surname", "external_id", "realm"),
                     search=("name", "surname", "external_id", "city", "address"),
                     joins={"cpes": self.cpes_of}),
            Resource("cpes", "isp", cpes, schemas.CPE, "cpe", "Cpe",
                     "Customer premises equipment: provisioning, monitoring and actions.",
                     filters=("sn", "external_id", "realm", "topology", "customer", "tech", "cpename"),
                     search=("cpename", "sn", "external_id", "mac"), render=self.render_cpe,
                     joins={"customer": self.customer_of, "potses": self.potses_of,
                            "profile": self.profile_of, "model": self.model_of}),
            # "The option to create and delete POTS via API has been removed" (Krill changelog).
            Resource("potses", "isp", Collection(rec.pots_count(count), pots), schemas.POTS, "pots", "Pots",
                     "Telephone lines, generated from CPEs with telephony ports.", writable=False,
                     filters=("cpe", "lineid", "username", "cli"), joins={"cpe": self.cpe_of}),
            Resource("cpe-profiles", "isp", Collection(len(TARIFFS), rec.profile_row), schemas.PROFILE,
                     "cpe profile", "Cpe Profile", "Service profiles applied to CPEs.", filters=("name",)),
            Resource("accounting", "oratio", Collection(count, lambda n: rec.session_row(sub(n))), (),
                     "accounting", "Accounting", "RADIUS accounting sessions.", writable=False,
                     id_key="radacctid", natural=self._natural_session_keys(count), filters=("username", "realm", "nasipaddress", "framedipaddress"),
                     search=("username", "framedipaddress", "callingstationid")),
            # Rubik pages by 10 with relative next/previous links (Rubik guide).
            Resource("services", "rubik", Collection(count, lambda n: rec.service_row(sub(n))), schemas.SERVICE,
                     "service", "Service", "Rubik neutral-network services.", default_limit=10,
                     absolute_links=False, filters=("owner", "state"),
                     search=("crm_customer_label", "crm_contact_label", "crm_external_id", "remote_id",
                             "address_uid", "order_id")),
        ):
            for spec in resource.specs:
                if spec.unique:
                    resource.indexes[spec.name] = UniqueIndex(resource.collection, spec.name)
            self.resources[(resource.app, resource.name)] = resource

    @staticmethod
    def _natural_session_keys(count: int) -> tuple[str, ...]:
        # Usernames are zero-padded to five digits, so they sort like ids until a sixth digit appears.
        return ("username",) if count < 100_000 else ()

    # -- lookups ----------------------------------------------------------------------------------
    def resource(self, app: str, name: str) -> Resource:
        return self.resources[(app, name)]

    @property
    def cpes(self) -> Collection:
        return self.resource("isp", "cpes").collection

    def exists(self, related: str, pk: int) -> bool:
        if related in FIXED_RELATED:
            return pk in FIXED_RELATED[related]
        return self.resource("isp", related).collection.get(pk) is not None

    def render_cpe(self, row: Row) -> Row:
        """A CPE as served: `_links`, `_services`, and a customer that was deleted shown as null."""
        if row.get("customer") in self.deleted_customers:
            row["customer"] = None  # Unknown: Krill's on_delete for CPE.customer; SET_NULL chosen.
        row["_links"] = rec.cpe_links(row["id"])
        row["_services"] = list(rec.SERVICES)
        return row

    def customer_of(self, cpe: Row) -> Row | None:
        cid = cpe.get("customer")
        return None if cid is None else self.resource("isp", "customers").collection.get(cid)

    def cpes_of(self, customer: Row) -> list[Row]:
        cid = customer["id"]
        ids = sorted(({cid} if cid <= self.cpes.base_count else set()) | self.cpe_touched)
        return [self.render_cpe(r) for i in ids if (r := self.cpes.get(i)) is not None and r["customer"] == cid]

    def pots_ids(self, cpe_id: int) -> list[int]:
        base = rec.pots_ids_of(cpe_id) if cpe_id <= self.cpes.base_count else []
        return base + self.new_pots.get(cpe_id, [])

    def potses_of(self, cpe: Row) -> list[Row]:
        collection = self.resource("isp", "potses").collection
        return [r for i in self.pots_ids(cpe["id"]) if (r := collection.get(i)) is not None]

    def profile_of(self, cpe: Row) -> Row | None:
        pid = cpe.get("profile")
        return None if pid is None else self.resource("isp", "cpe-profiles").collection.get(pid)

    def model_of(self, cpe: Row) -> Row | None:
        return next((dict(m) for m in rec.MODELS if m["id"] == cpe.get("model")), None)

    def cpe_of(self, pots: Row) -> Row | None:
        row = self.cpes.get(pots["cpe"])
        return None if row is None else self.render_cpe(row)

    # -- writes -----------------------------------------------------------------------------------
    def save(self, resource: Resource, old: Row | None, values: Row) -> Row:
        """Create (old is None) or update a record, keeping indexes and side tables in step."""
        stamp = now_iso()
        if old is None:
            row = {**schemas.defaults(resource.specs), **values}
            row["id"] = resource.collection.allocate_id()
            row["created"] = stamp
        else:
            row = {**old, **values}
        row["updated"] = stamp
        for spec in resource.specs:
            if spec.read_only and not spec.name.startswith("_"):
                row.setdefault(spec.name, None)
        if resource.name == "cpes":
            row.update(internal_id=row["cpename"], has_tr069=bool(row["tr069"]))
            row.setdefault("avatar", None)
            if old is None or old.get("tech") != row["tech"]:
                row["tech_updated"] = stamp
            self.cpe_touched.add(row["id"])
        for index in resource.indexes.values():
            index.update(old, row)
        if old is None:
            resource.collection.create(row, row["id"])
            if resource.name == "cpes" and row.get("voip_profile") is not None:
                self._generate_pots(row)
        else:
            resource.collection.put(row["id"], row)
        return row

    def _generate_pots(self, cpe: Row) -> None:
        # Krill generates POTS for CPEs with telephony ports; Unknown how many: one line per new CPE.
        potses = self.resource("isp", "potses").collection
        pots_id = potses.allocate_id()
        line = {**rec.pots_row(self.dataset.subscriber(1), 1, pots_id), "cpe": cpe["id"]}
        line.update(lineid=f"{cpe['cpename']}-1", username=f"{cpe['cpename']}-1", cli="", contextname=cpe["realm"])
        potses.create(line, pots_id)
        self.new_pots.setdefault(cpe["id"], []).append(pots_id)

    def remove(self, resource: Resource, row: Row) -> None:
        for index in resource.indexes.values():
            index.update(row, None)
        resource.collection.delete(row["id"])
        if resource.name == "customers":
            self.deleted_customers.add(row["id"])
        if resource.name == "cpes":  # POTS lines belong to their CPE (CASCADE)
            potses = self.resource("isp", "potses").collection
            for pots_id in self.pots_ids(row["id"]):
                potses.delete(pots_id)

    def record_event(self, cpe_id: int, action: str) -> Row:
        """Remember an action invoked on a CPE; it shows first in the CPE's events."""
        self._event_id += 1
        event = {"cpe": cpe_id, "created": now_iso(), "id": self._event_id, "message": f"{action} requested via API",
                 "name": action, "type": "action"}
        self.events.setdefault(cpe_id, []).insert(0, event)
        return event
