"""Builds the emulated Splynx entities over the shared dataset, with their write rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from isptui.sandbox.options import SandboxOptions
from isptui.sandbox.splynx import records as rec
from isptui.sandbox.splynx import schemas as sc
from isptui.sandbox.splynx.auth import RESTRICTED
from isptui.sandbox.splynx.lookups import LOOKUPS
from isptui.sandbox.splynx.resources import AdditionalFields, Problems, Resource, Row
from isptui.sandbox.splynx.table import Table

_LOGIN = re.compile(r"^isp(\d{5,})$")
UPLOAD_LIMIT = 20 * 1024 * 1024  # "max 20 MB" (docs/splynx.md §1.6)


@dataclass
class StoredFile:
    """A customer document's uploaded bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass
class Splynx:
    """Every emulated entity of one sandbox, keyed by its collection path under /api/2.0/."""

    resources: dict[str, Resource]  # plain collections: `path` and `path/{id}`
    services: Resource  # routed under admin/customers/customer/{cid}/internet-services
    documents: Resource  # routed with the customer-documents quirks
    fields: AdditionalFields
    files: dict[int, StoredFile] = field(default_factory=dict)
    contract: Callable[[int], bytes] = lambda _n: b""


def _by_login(value: str) -> list[int]:
    m = _LOGIN.match(value)
    return [int(m.group(1))] if m else []


def build(options: SandboxOptions, clock: Callable[[], float]) -> Splynx:
    """All tables and resources; nothing is generated until a request asks for it."""
    data = options.dataset
    n = data.customers
    sub = data.subscriber
    fields = AdditionalFields(rec.seed_additional_fields())

    def now() -> str:
        return datetime.fromtimestamp(clock()).strftime("%Y-%m-%d %H:%M:%S")

    def today() -> str:
        return now()[:10]

    def customer(i: int) -> Row:
        row = {**rec.customer(sub(i)), "additional_attributes": rec.customer_extras(sub(i))}
        if options.has_quirk("null-sort-values") and i % 3 == 0:
            row.update(email=None, phone=None, city=None, date_add=None)  # sortable, yet NULL in the database
        return row

    # Quirk pk-zero: the first customer's id is 0 (an auto-increment that started at 0); id 1 is nobody.
    pk_zero = options.has_quirk("pk-zero")
    customers = Table(n, customer, id_of_key=(lambda k: 0 if k == 1 else k) if pk_zero else None,
                      key_of_id=(lambda rid: 1 if rid == 0 else None if rid == 1 else rid) if pk_zero else None)
    services = Table(n, lambda i: rec.internet_service(sub(i)), keys_of_customer=lambda c: [c])
    per_inv = rec.INVOICES_PER_CUSTOMER
    invoices = Table(
        n * per_inv, lambda k: rec.invoice(sub((k - 1) // per_inv + 1), (k - 1) % per_inv),
        # Invoices keep the dataset's ids (N*10 + k), so the same invoice has one number everywhere.
        id_of_key=lambda k: ((k - 1) // per_inv + 1) * 10 + (k - 1) % per_inv,
        key_of_id=lambda rid: (rid // 10 - 1) * per_inv + rid % 10 + 1 if rid % 10 < per_inv else None,
        created_from=(n + 1) * 10,
        keys_of_customer=lambda c: range((c - 1) * per_inv + 1, c * per_inv + 1),
    )
    payments = Table(n * per_inv, lambda k: rec.payment(sub((k - 1) // per_inv + 1), (k - 1) % per_inv),
                     keys_of_customer=lambda c: range((c - 1) * per_inv + 1, c * per_inv + 1))
    per_tx = rec.TRANSACTIONS_PER_CUSTOMER
    transactions = Table(n * per_tx, lambda k: rec.transaction(sub((k - 1) // per_tx + 1), (k - 1) % per_tx),
                         keys_of_customer=lambda c: range((c - 1) * per_tx + 1, c * per_tx + 1))
    per_ticket = rec.CUSTOMERS_PER_TICKET
    tickets = Table(n // per_ticket, lambda t: rec.ticket(t, sub(per_ticket * t - per_ticket + 1)),
                    keys_of_customer=lambda c: [(c - 1) // per_ticket + 1] if c % per_ticket == 1 else [])
    documents = Table(n, lambda i: rec.document(sub(i)), keys_of_customer=lambda c: [c])
    tariffs = {
        "internet": Table(len(rec.TARIFFS), lambda i: rec.internet_tariff(i, n)),
        "voice": Table(len(rec.VOICE_TARIFFS), lambda i: dict(rec.VOICE_TARIFFS[i - 1])),
        "one-time": Table(len(rec.ONE_TIME_TARIFFS), lambda i: dict(rec.ONE_TIME_TARIFFS[i - 1])),
        "recurring": Table(len(rec.RECURRING_TARIFFS), lambda i: dict(rec.RECURRING_TARIFFS[i - 1])),
        "bundle": Table(len(rec.BUNDLE_TARIFFS), lambda i: dict(rec.BUNDLE_TARIFFS[i - 1])),
    }
    routers = Table(rec.ROUTERS, rec.router)
    admins = Table(len(rec.ADMINISTRATORS), lambda i: dict(rec.ADMINISTRATORS[i - 1]))

    def exists(table: Table, name: str, title: str, optional: bool = False) -> Callable[[Row], Problems]:
        def check(row: Row) -> Problems:
            value = row.get(name)
            if optional and value in (0, "0", "", None):
                return []
            return [] if table.get(value) is not None else [(name, f"{title} is invalid.")]

        return check

    def checks(*parts: Callable[[Row], Problems]) -> Callable[[Row, Row | None], Problems]:
        return lambda row, _before: [p for part in parts for p in part(row)]

    def digits(*names: str) -> Callable[[Row], Problems]:
        return lambda row: [(f, f"{f.replace('_id', '').capitalize()} is invalid.") for f in names
                            if not str(row.get(f, "")).isdigit()]

    def invoice_totals(rid: int, row: Row) -> Row:
        total = sum(float(i.get("price") or 0) * float(i.get("quantity") or 1) for i in row["items"])
        number = row["number"] or f"INV-{today()[:4]}-{rid:06d}"
        return {**row, "number": number, "total": f"{total:.2f}", "due": f"{total:.2f}",
                "real_create_datetime": now()}

    def item_shape(row: Row) -> Problems:
        bad = [i for i in row.get("items") or [] if not isinstance(i, dict) or "price" not in i]
        return [("items", "Each item needs at least a description and a price.")] if bad else []

    def tx_total(_rid: int, row: Row) -> Row:
        return {**row, "total": f"{float(row['price']) * float(row['quantity'] or 1):.2f}"}

    def res(label: str, table: Table, attrs: tuple[sc.Attr, ...], module: str | None, **kw: Any) -> Resource:
        return Resource(label, table, attrs, fields, module, **kw)

    cust_exists = exists(customers, "customer_id", "Customer")
    resources = {
        "admin/customers/customer": res(
            "Customer", customers, sc.CUSTOMER, "customers", extra=("customer_labels",),
            defaults=lambda: {"status": "new", "date_add": today(), "added_by": "api", "added_by_id": "1",
                              "billing_type": "recurring", "mrr_total": "0.0000", "daily_prepaid_cost": "0.0000",
                              "last_online": rec.ZERO_DATETIME, "last_update": now(), "customer_labels": [],
                              # What a real server fills when OPTIONS' optional fields are left out.
                              "partner_id": "1", "location_id": "1", "category": "person"},
            # Left out on create, they get the defaults above; given, they must be ids.
            check=lambda row, _before: [p for p in digits("partner_id", "location_id")(row) if p[0] in row],
            unique_hints={"login": _by_login}),
    }
    service_res = res(
        "Internet service", services, sc.INTERNET_SERVICE, "services_internet", extra=("geo", "type"),
        defaults=lambda: {"status": "active", "start_date": today(), "end_date": rec.ZERO_DATE, "quantity": 1,
                          "discount": "0", "discount_type": "percent", "type": "internet",
                          "geo": {"address": "", "marker": "", "src": "customer"}},
        check=checks(cust_exists, exists(tariffs["internet"], "tariff_id", "Tariff"),
                     exists(routers, "router_id", "Router", optional=True)),
        unique_hints={"login": _by_login})
    document_res = res(
        "Document", documents, sc.DOCUMENT, "customer_documents",
        defaults=lambda: {"added_by": "api", "added_by_id": "1", "created_at": now(), "updated_at": now(),
                          "visible_by_customer": "0"},
        check=checks(cust_exists))
    resources |= {
        "admin/finance/invoices": res(
            "Invoice", invoices, sc.INVOICE, "invoices",
            defaults=lambda: {"date_created": today(), "date_updated": today(), "status": "not_paid",
                              "type": "one_time", "added_by": "api", "added_by_id": "1"},
            check=checks(cust_exists, item_shape), finish=invoice_totals),
        "admin/finance/payments": res(
            "Payment", payments, sc.PAYMENT, "payments",
            defaults=lambda: {"added_by": "api", "added_by_id": "1", "remind_amount": "0.00"},
            check=checks(cust_exists), finish=lambda _rid, row: {**row, "real_create_datetime": now()}),
        "admin/finance/transactions": res(
            "Transaction", transactions, sc.TRANSACTION, "billing_transactions",
            defaults=lambda: {"quantity": 1, "source": "manual"}, check=checks(cust_exists), finish=tx_total),
        "admin/support/tickets": res(
            "Ticket", tickets, sc.TICKET, "ticket", forbidden_for=frozenset({RESTRICTED}),
            defaults=lambda: {"reporter_type": "api", "status_id": 1, "group_id": 1, "created_at": now(),
                              "updated_at": now(), "source": "api"},
            check=checks(exists(customers, "customer_id", "Customer", optional=True))),
        "admin/networking/routers": res(
            "Router", routers, sc.ROUTER, "routers", defaults=lambda: {"status": "unknown"}),
        "admin/administration/administrators": res(
            "Administrator", admins, sc.ADMINISTRATOR, "admins",
            defaults=lambda: {"updated_at": now(), "last_dt": rec.ZERO_DATETIME}),
    }
    attrs = {"internet": sc.INTERNET_TARIFF, "voice": sc.VOICE_TARIFF, "one-time": sc.ONE_TIME_TARIFF,
             "recurring": sc.RECURRING_TARIFF, "bundle": sc.BUNDLE_TARIFF}
    modules = {"internet": "tariffs_internet", "voice": "tariffs_voice", "one-time": "tariffs_one_time",
               "recurring": "tariffs_custom", "bundle": "bundle"}
    for kind, table in tariffs.items():
        resources[f"admin/tariffs/{kind}"] = res(f"{kind.capitalize()} tariff", table, attrs[kind], modules[kind])
    for path, (label, lookup_attrs, rows, module) in LOOKUPS.items():
        table = Table(len(rows), lambda i, rows=rows: dict(rows[i - 1]))
        resources[path] = res(label, table, lookup_attrs, module)
    return Splynx(resources, service_res, document_res, fields, contract=lambda i: rec.contract_pdf(sub(i)))
