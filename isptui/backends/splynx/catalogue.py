"""The Splynx entry points, grouped like Splynx's own admin menu.

Splynx has no root document to discover from, so this catalogue stands in for it. Keys are stable: the UI
and config refer to them (``:customers``, ``:tariffs-internet``). Paths come from the API blueprint.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from isptui.backends.registry import CatalogueEntry

if TYPE_CHECKING:
    from isptui.model import Capabilities, EntryPoint


@dataclass(frozen=True)
class Entry:
    """One collection: where it lives, how its records are titled and searched, what it allows."""

    key: str
    title: str
    group: str
    path: str
    title_fields: tuple[str, ...] = ("name", "title")
    search_field: str = "name"
    """Free text in the filter box becomes ``LIKE`` on this field."""
    writable: bool = True
    deletable: bool = True
    item_suffix: str = "/{id}"
    """How a record's URL is built from the collection path (Splynx joins composite ids with ``--``)."""
    listed: bool = True
    """False for sub-collections that only make sense under a customer."""

    def item_path(self, record_id: str, path: str | None = None) -> str:
        return (path or self.path) + self.item_suffix.format(id=record_id)

    @functools.cache  # noqa: B019 - a handful of module-level entries, alive for the whole process anyway
    def capabilities(self) -> Capabilities:
        """What the collection allows; one shared (frozen) object per entry, as every record carries it."""
        # Imported here, not at the top: the explorer paints its tree from this module before pydantic
        # (isptui.model) is imported (issue 15, first paint).
        from isptui.model import Capabilities

        return Capabilities(can_create=self.writable, can_update=self.writable, can_delete=self.deletable,
                            partial_update=True)

    def entry_point(self) -> EntryPoint:
        from isptui.model import EntryPoint, ResourceRef  # not at the top: see capabilities()

        return EntryPoint(key=self.key, title=self.title, group=self.group,
                          ref=ResourceRef(collection=self.key), capabilities=self.capabilities(),
                          description=f"/api/2.0/{self.path}")


def _e(key: str, title: str, group: str, path: str, **kw: object) -> Entry:
    return Entry(key, title, group, path, **kw)  # type: ignore[arg-type]


CATALOGUE: tuple[Entry, ...] = (
    _e("customers", "Customers", "Customers", "admin/customers/customer", title_fields=("name", "login")),
    # Customer id 0 searches the services of every customer (blueprint; used by LibreQoS too).
    _e("internet-services", "Internet services", "Customers", "admin/customers/customer/0/internet-services",
       title_fields=("description", "login"), search_field="login", item_suffix="--{id}"),
    _e("customers-online", "Customers online", "Customers", "admin/customers/customers-online",
       title_fields=("login", "username"), search_field="login", writable=False),
    _e("customer-notes", "Customer notes", "Customers", "admin/customers/customer-notes",
       title_fields=("title", "comment"), search_field="comment"),
    _e("leads", "Leads", "Customers", "admin/crm/leads"),
    _e("tariffs-internet", "Internet tariffs", "Tariffs", "admin/tariffs/internet", search_field="title"),
    _e("tariffs-voice", "Voice tariffs", "Tariffs", "admin/tariffs/voice", search_field="title"),
    _e("tariffs-recurring", "Recurring tariffs", "Tariffs", "admin/tariffs/recurring", search_field="title"),
    _e("tariffs-one-time", "One-time tariffs", "Tariffs", "admin/tariffs/one-time", search_field="title"),
    _e("tariffs-bundle", "Bundles", "Tariffs", "admin/tariffs/bundle", search_field="title"),
    _e("invoices", "Invoices", "Finance", "admin/finance/invoices", title_fields=("number",),
       search_field="number"),
    _e("payments", "Payments", "Finance", "admin/finance/payments", title_fields=("receipt_number", "comment"),
       search_field="comment"),
    _e("transactions", "Transactions", "Finance", "admin/finance/transactions",
       title_fields=("description",), search_field="description"),
    _e("credit-notes", "Credit notes", "Finance", "admin/finance/credit-notes", title_fields=("number",),
       search_field="number"),
    _e("payment-methods", "Payment methods", "Finance", "admin/finance/payment-methods"),
    _e("tickets", "Tickets", "Support", "admin/support/tickets", title_fields=("subject",),
       search_field="subject"),
    _e("ticket-statuses", "Ticket statuses", "Support", "admin/support/tickets-statuses",
       title_fields=("title_for_agent", "title", "name"), search_field="title_for_agent"),
    _e("routers", "Routers", "Networking", "admin/networking/routers", search_field="title"),
    _e("ipv4-networks", "IPv4 networks", "Networking", "admin/networking/ipv4",
       title_fields=("network", "title"), search_field="network"),
    _e("network-sites", "Network sites", "Networking", "admin/networking/network-sites"),
    _e("monitoring", "Monitoring", "Networking", "admin/networking/monitoring", search_field="title"),
    _e("administrators", "Administrators", "Administration", "admin/administration/administrators",
       title_fields=("name", "login")),
    _e("partners", "Partners", "Administration", "admin/administration/partners"),
    _e("locations", "Locations", "Administration", "admin/administration/locations"),
    _e("taxes", "Taxes", "Config", "admin/config/taxes"),
    _e("transaction-categories", "Transaction categories", "Config", "admin/config/transaction-categories"),
    _e("templates", "Templates", "Config", "admin/config/templates", search_field="title"),
    # Listed per customer only: GET customer-documents/{customer_id} lists one customer's documents.
    _e("customer-documents", "Documents", "Customers", "admin/customers/customer-documents",
       title_fields=("title", "filename_original"), search_field="title", listed=False),
)



def first_paint() -> tuple[CatalogueEntry, ...]:
    """What ``discover()`` returns, without pydantic: the explorer's tree before the connection is made."""
    return tuple(CatalogueEntry(e.key, e.title, e.group) for e in CATALOGUE if e.listed)


BY_KEY: dict[str, Entry] = {entry.key: entry for entry in CATALOGUE}
_SERVICES = re.compile(r"admin/customers/customer/[^/]+/internet-services(--[^/]+)?")


def entry_for_path(path: str) -> Entry | None:
    """The catalogue entry an API-relative path belongs to (the longest collection path that prefixes it)."""
    path = path.split("?", 1)[0].strip("/")
    if _SERVICES.fullmatch(path):
        return BY_KEY["internet-services"]
    best: Entry | None = None
    for entry in CATALOGUE:
        inside = path == entry.path or path.startswith((entry.path + "/", entry.path + "--"))
        if inside and (best is None or len(entry.path) > len(best.path)):
            best = entry
    return best


def customer_links(customer_id: str) -> list[tuple[str, str, str]]:
    """(rel, title, API-relative href) of the sub-collections shown on a customer record."""
    return [
        ("internet-services", "Internet services", f"admin/customers/customer/{customer_id}/internet-services"),
        ("documents", "Documents", f"admin/customers/customer-documents/{customer_id}"),
        ("invoices", "Invoices", f"admin/finance/invoices?main_attributes[customer_id]={customer_id}"),
        ("payments", "Payments", f"admin/finance/payments?main_attributes[customer_id]={customer_id}"),
    ]
