"""Small reference tables of a Splynx install (partners, locations, taxes, …) and the collections the
sandbox keeps empty, so every endpoint of the adapter's catalogue answers as a real server would.

The rows are the kind of thing a fresh install holds; their shapes follow the blueprint's field names
(docs/splynx.md §1.6) where it gives them, and are a plausible minimum where it does not.
"""

from __future__ import annotations

from typing import Any

from isptui.sandbox.splynx.schemas import A, Attr, _ro

Row = dict[str, Any]

_ID = _ro("id", "integer", "ID")

# path -> (label, attributes, seed rows, module of its additional fields)
LOOKUPS: dict[str, tuple[str, tuple[Attr, ...], tuple[Row, ...], str | None]] = {
    "admin/administration/partners": (
        "Partner", (_ID, A("name", title="Name", required=True, unique=True)),
        ({"name": "Default"}, {"name": "Reseller [North]"}), "partners"),
    "admin/administration/locations": (
        "Location", (_ID, A("name", title="Name", required=True, unique=True)),
        ({"name": "Central"}, {"name": "Valencia POP"}, {"name": "Leeds POP"}), "locations"),
    "admin/finance/payment-methods": (
        "Payment method", (_ID, A("name", title="Name", required=True), A("is_active", "boolean")),
        ({"name": "Cash", "is_active": "1"}, {"name": "Bank transfer", "is_active": "1"},
         {"name": "Direct debit", "is_active": "1"}, {"name": "PayPal", "is_active": "0"}), None),
    "admin/support/tickets-statuses": (
        "Ticket status", (_ID, A("title", title="Title", required=True), A("color")),
        ({"title": "New", "color": "#3b82f6"}, {"title": "Work in progress", "color": "#f59e0b"},
         {"title": "Resolved", "color": "#10b981"}, {"title": "Waiting on customer", "color": "#a855f7"}), None),
    "admin/config/taxes": (
        "Tax", (_ID, A("name", title="Name", required=True), A("rate", "float", "Rate", required=True),
                A("archived", "boolean")),
        ({"name": "IVA 21%", "rate": "21.0000", "archived": "0"}, {"name": "VAT 20%", "rate": "20.0000",
                                                                   "archived": "0"}), None),
    "admin/config/transaction-categories": (
        "Transaction category", (_ID, A("name", title="Name", required=True), A("is_base", "boolean")),
        ({"name": "Service", "is_base": "1"}, {"name": "Discount", "is_base": "1"},
         {"name": "Payment correction", "is_base": "0"}), None),
    "admin/config/templates": (
        "Template", (_ID, A("title", title="Title", required=True), A("type", choices=("mail", "sms", "invoice")),
                     A("subject")),
        ({"title": "Welcome", "type": "mail", "subject": "Welcome to {{ company }}"},
         {"title": "Invoice", "type": "invoice", "subject": ""},
         {"title": "Low balance", "type": "sms", "subject": ""}), "templates"),
    "admin/networking/network-sites": (
        "Network site", (_ID, A("title", title="Title", required=True), A("address"), A("gps")),
        ({"title": "Valencia POP", "address": "Calle Colón 1", "gps": "39.4699,-0.3763"},), "network_sites"),
    "admin/networking/ipv4": (
        "IPv4 network", (_ID, A("network", title="Network", required=True), A("mask", "integer", required=True),
                         A("title"), A("type", choices=("endnet", "pool", "reserved"))),
        ({"network": "10.0.0.0", "mask": 16, "title": "Customers", "type": "pool"},
         {"network": "192.0.2.0", "mask": 24, "title": "Management", "type": "reserved"}), "ipv4_networks"),
    "admin/networking/monitoring": (
        "Monitoring device", (_ID, A("title", title="Title", required=True), A("ip", required=True),
                              A("ping_state")),
        ({"title": "OLT Valencia", "ip": "192.0.2.10", "ping_state": "up"},
         {"title": "Core switch", "ip": "192.0.2.1", "ping_state": "up"}), "monitoring"),
    # Kept empty in the sandbox: nobody is online, no notes, leads or credit notes yet.
    "admin/customers/customers-online": (
        "Online session", (_ID, A("customer_id", "integer", required=True), A("login"), A("ipv4"),
                           A("start_session", "datetime")), (), None),
    "admin/customers/customer-notes": (
        "Customer note", (_ID, A("customer_id", "integer", required=True), A("comment", required=True)), (), None),
    "admin/crm/leads": (
        "Lead", (_ID, A("name", title="Full name", required=True), A("email"), A("phone")), (), None),
    "admin/finance/credit-notes": (
        "Credit note", (_ID, A("customer_id", "integer", required=True), A("number"), A("total", "float")),
        (), "credit_notes"),
}
