"""Splynx-shaped records generated from the shared dataset (docs/splynx.md §1.7, §1.8).

Subscriber N is customer N with internet service N, its three dataset invoices, a payment per invoice and
a debit and a credit transaction per invoice. Reference data (tariffs, routers, administrators) is small
and fixed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from isptui.sandbox.dataset import TARIFFS, Subscriber

Row = dict[str, Any]
ZERO_DATE = "0000-00-00"
ZERO_DATETIME = "0000-00-00 00:00:00"
ROUTERS = 3
INVOICES_PER_CUSTOMER = 3
TRANSACTIONS_PER_CUSTOMER = 6  # a debit and a credit per invoice
CUSTOMERS_PER_TICKET = 4

_SERVICE_STATUS = {"active": "active", "new": "pending", "blocked": "stopped", "disabled": "disabled"}


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _datetime(day: date | str, hour: int = 10) -> str:
    return f"{day if isinstance(day, str) else day.isoformat()} {hour:02d}:00:00"


def customer(sub: Subscriber) -> Row:
    """Customer N, as `admin/customers/customer/N` answers it (without additional_attributes)."""
    price = next(str(t["price"]) for t in TARIFFS if t["id"] == sub.tariff_id)
    return {
        "id": sub.number, "mrr_total": f"{float(price):.4f}", "gdpr_agreed": _flag(sub.number % 3 != 0),
        "parent_id": 0, "billing_type": "recurring", "partner_id": "1", "location_id": str(1 + sub.number % 2),
        "added_by": "api" if sub.number % 5 == 0 else "admin", "added_by_id": "1", "login": sub.login,
        "category": sub.category, "name": sub.name, "email": sub.email, "billing_email": sub.email,
        "phone": sub.phone, "street_1": sub.street, "zip_code": sub.zip_code, "city": sub.city,
        "subdivision_id": 0, "status": sub.status, "date_add": sub.date_add.isoformat(),
        "last_online": ZERO_DATETIME if sub.status == "new" else _datetime("2026-10-31", sub.number % 24),
        "last_update": _datetime(sub.date_add + timedelta(days=90)), "daily_prepaid_cost": "0.0000",
        "gps": f"{sub.latitude},{sub.longitude}", "conversion_date": ZERO_DATETIME,
        "customer_labels": [],
    }


def customer_extras(sub: Subscriber) -> dict[str, Any]:
    """Values of the seeded customer additional fields (see ADDITIONAL_FIELDS)."""
    return {"contract_type": "business" if sub.category == "company" else "residential",
            "notes": sub.note, "vip": _flag(sub.number % 10 == 0)}


def internet_service(sub: Subscriber) -> Row:
    tariff = next(t for t in TARIFFS if t["id"] == sub.tariff_id)
    return {
        "id": sub.number, "customer_id": sub.number, "tariff_id": sub.tariff_id,
        "status": _SERVICE_STATUS.get(sub.status, "active"), "description": str(tariff["title"]),
        "quantity": 1, "unit": "", "unit_price": str(tariff["price"]), "start_date": sub.date_add.isoformat(),
        "end_date": ZERO_DATE, "discount": "0", "discount_type": "percent", "discount_value": "0.0000",
        "discount_start_date": ZERO_DATE, "discount_end_date": ZERO_DATE, "discount_text": "",
        "router_id": 1 + sub.number % ROUTERS, "sector_id": 0, "login": sub.login, "password": sub.password,
        "taking_ipv4": 1, "ipv4": sub.ipv4, "ipv4_route": "", "ipv4_pool_id": 0, "ipv6": "", "ipv6_delegated": "",
        "ipv6_pool_id": 0, "taking_ipv6": 0, "mac": sub.mac, "port_id": 0, "access_device": 0,
        "bundle_service_id": 0, "status_new": "", "top_up_tariff_id": 0, "parent_id": 0,
        "geo": {"address": f"{sub.street}, {sub.city}", "marker": f"{sub.latitude},{sub.longitude}", "src": "customer"},
        "type": "internet",
    }


def invoice(sub: Subscriber, k: int) -> Row:
    data = sub.invoices[k]
    created = str(data["date_created"])
    paid = data["status"] == "paid"
    till = (date.fromisoformat(created) + timedelta(days=14)).isoformat()
    return {
        "id": data["id"], "customer_id": sub.number, "number": data["number"], "date_created": created,
        "date_updated": created, "date_till": till, "date_payment": till if paid else ZERO_DATE,
        "status": data["status"], "total": data["total"], "due": "0.00" if paid else data["total"],
        "note": "", "memo": "", "payment_id": payment_id(sub.number, k) if paid else 0, "type": "recurring",
        "use_transactions": "1", "is_sent": "1", "payd_from_deposit": "0",
        "real_create_datetime": _datetime(created, 3), "added_by": "system", "added_by_id": "0",
        "items": [{"description": f"Internet {data['number']}", "quantity": 1, "unit": "", "price": data["total"],
                   "tax": "0.00", "period_from": created, "period_to": till}],
    }


def payment_id(number: int, k: int) -> int:
    return (number - 1) * INVOICES_PER_CUSTOMER + k + 1


def payment(sub: Subscriber, k: int) -> Row:
    """The payment for invoice k; an unpaid invoice's slot holds a deposit top-up not tied to an invoice."""
    data = sub.invoices[k]
    paid = data["status"] == "paid"
    day = (date.fromisoformat(str(data["date_created"])) + timedelta(days=3)).isoformat()
    return {
        "id": payment_id(sub.number, k), "customer_id": sub.number, "invoice_id": data["id"] if paid else 0,
        "credit_note_id": 0, "request_id": 0, "transaction_id": (sub.number - 1) * TRANSACTIONS_PER_CUSTOMER + 2 * k + 2,
        "payment_statement_id": 0, "payment_type": 1 + sub.number % 2, "receipt_number": f"R-{sub.number:06d}-{k}",
        "date": day, "amount": data["total"] if paid else "10.00", "comment": "", "is_sent": "0",
        "field_1": "", "field_2": "", "field_3": "", "field_4": "", "field_5": "", "note": "", "memo": "",
        "remind_amount": "0.00", "real_create_datetime": _datetime(day, 9), "added_by": "admin", "added_by_id": "1",
    }


def transaction(sub: Subscriber, j: int) -> Row:
    k, credit = divmod(j, 2)
    data = sub.invoices[k]
    pay = payment(sub, k)
    amount = pay["amount"] if credit else data["total"]
    return {
        "id": (sub.number - 1) * TRANSACTIONS_PER_CUSTOMER + j + 1, "type": "credit" if credit else "debit",
        "customer_id": sub.number, "quantity": 1, "unit": "", "price": amount, "tax_percent": "0.00",
        "total": amount, "date": pay["date"] if credit else data["date_created"], "category": 2 if credit else 1,
        "description": f"Payment {pay['receipt_number']}" if credit else f"Internet {data['number']}",
        "period_from": ZERO_DATE if credit else data["date_created"], "period_to": ZERO_DATE,
        "service_id": 0 if credit else sub.number, "payment_id": pay["id"] if credit else 0,
        "credit_note_id": 0, "invoice_id": 0 if credit else data["id"], "invoiced_by_id": 0, "comment": "",
        "to_invoice": "0", "service_type": "" if credit else "internet", "source": "manual" if credit else "auto",
        "tax_id": 0, "sub_account_id": 0,
    }


_SUBJECTS = ("No internet since morning", "Slow speed in the evening", "Change of address",
             "Invoice question [urgent]", "Router reboots every night", "Wi-Fi password reset")


def ticket(number: int, sub: Subscriber) -> Row:
    created = _datetime(sub.date_add + timedelta(days=number % 300), 8 + number % 10)
    return {
        "id": number, "customer_id": sub.number, "incoming_customer_id": 0, "reporter_id": sub.number,
        "reporter_type": "customer", "hidden": "0", "assign_to": 1 + number % 2, "status_id": 1 + number % 4,
        "group_id": 1, "type_id": 1 + number % 3, "task_id": 0, "subject": _SUBJECTS[number % len(_SUBJECTS)],
        "priority": ("low", "medium", "high", "urgent")[number % 4], "star": "0", "unread_by_customer": "0",
        "unread_by_admin": _flag(number % 3 == 0), "closed": _flag(number % 4 == 3), "created_at": created,
        "updated_at": created, "source": "portal", "trash": "0", "shareable": "0", "note": sub.note or "",
    }


def document(sub: Subscriber) -> Row:
    """Each customer starts with one generated contract, document id N."""
    day = sub.date_add.isoformat()
    return {
        "id": sub.number, "added_by": "system", "added_by_id": "0", "customer_id": sub.number, "type": "generated",
        "title": "Contract", "created_at": _datetime(day), "updated_at": _datetime(day), "description": "",
        "visible_by_customer": "1", "filename_original": f"contract-{sub.login}.pdf",
        "filename_uploaded": f"contract-{sub.number}.pdf", "code": "", "sign_date": day, "terms_month": 12,
        "end_of_term": (sub.date_add + timedelta(days=365)).isoformat(), "sign_contract": "1", "terms": "1",
        "download_link": "", "has_thumbnail": "0", "thumbnail_link": "",
    }


def contract_pdf(sub: Subscriber) -> bytes:
    """A tiny stand-in PDF so downloads of generated contracts round-trip as real bytes."""
    return f"%PDF-1.4\n% Contract {sub.login} since {sub.date_add.isoformat()}\n%%EOF\n".encode()


def internet_tariff(index: int, customers: int) -> Row:
    t = TARIFFS[index - 1]
    in_use = len(range(index, customers + 1, len(TARIFFS)))
    return {
        "id": t["id"], "title": t["title"], "service_name": t["title"], "price": t["price"], "with_vat": "1",
        "vat_percent": "21.00", "tax_id": 1, "transaction_category_id": 1, "partners_ids": [1],
        "speed_download": t["down"], "speed_upload": t["up"], "speed_limit_type": "none", "speed_limit_at": 10,
        "speed_limit_fixed_up": 0, "speed_limit_fixed_down": 0, "aggregation": 1, "burst_type": "none",
        "burst_limit": 0, "burst_limit_fixed_up": 0, "burst_limit_fixed_down": 0, "burst_threshold": 0,
        "burst_threshold_fixed_up": 0, "burst_threshold_fixed_down": 0, "burst_time": 0, "priority": "normal",
        "exclude_traffic_classes": [], "services": str(in_use), "billing_days_count": "1",
        "available_for_services": "1", "billing_types": ["recurring", "prepaid"], "custom_period": 0,
        "show_on_customer_portal": "1", "hide_on_admin_portal": "0", "available_for_locations": [1, 2],
        "customer_categories": ["person", "company"],
    }


def _tariff(i: int, title: str, price: str, **extra: Any) -> Row:
    return {"id": i, "title": title, "service_name": title, "price": price, "with_vat": "1", "vat_percent": "21.00",
            "tax_id": 1, "transaction_category_id": 1, "partners_ids": [1], **extra}


_CATS = {"billing_types": ["recurring"], "customer_categories": ["person", "company"], "available_for_locations": [1, 2]}
VOICE_TARIFFS = (
    _tariff(1, "VoIP Basic", "5.00", type="voip", **_CATS), _tariff(2, "VoIP Unlimited", "12.50", type="voip", **_CATS),
    _tariff(3, "Fixed line", "9.90", type="fix", **_CATS),
)
ONE_TIME_TARIFFS = (
    _tariff(1, "Installation", "49.00", enabled="1"), _tariff(2, "Router (sale)", "89.00", enabled="1"),
    _tariff(3, "Technician visit", "35.00", enabled="1"), _tariff(4, "Reconnection fee", "15.00", enabled="0"),
)
RECURRING_TARIFFS = (
    _tariff(1, "Static IPv4", "5.00", show_on_customer_portal="1", **_CATS),
    _tariff(2, "Router rental", "3.50", show_on_customer_portal="1", **_CATS),
    _tariff(3, "IPTV Basic", "8.00", show_on_customer_portal="0", **_CATS),
)
BUNDLE_TARIFFS = (
    _tariff(1, "Fibra 300 + VoIP", "39.00", service_description="Internet and phone", activation_fee="0.00",
            contract_duration=12, automatic_renewal="1", internet_tariffs=[2], voice_tariffs=[1], custom_tariffs=[]),
    _tariff(2, "Fibra 1G + TV", "69.00", service_description="Internet, TV, static IP", activation_fee="25.00",
            contract_duration=24, automatic_renewal="1", internet_tariffs=[4], voice_tariffs=[], custom_tariffs=[1, 3]),
)


def router(index: int) -> Row:
    names = ("Core BRAS Valencia", "PPPoE Leeds", "Edge Kraków")
    return {
        "id": index, "title": names[index - 1], "model": "CCR2004-1G-12S+2XS", "partners_ids": [1],
        "location_id": 1 + index % 2, "address": "", "ip": f"192.0.2.{index}", "gps": "", "gps_point": "",
        "authorization_method": "ppp_dhcp_radius", "accounting_method": "radius", "nas_type": 1,
        "nas_ip": f"192.0.2.{index}", "radius_secret": f"radius-{index}", "status": "ok", "pool_ids": [index],
    }


ADMINISTRATORS = (
    {"partner_id": 0, "role_name": "super-administrator", "login": "admin", "name": "Sandbox Administrator",
     "email": "admin@example.net", "timeout": 1800, "router_access": "full", "phone": "",
     "avatar_api_url": "", "download_avatar_link": "", "send_from_my_name": "0", "calendar_color": "#3a87ad",
     "last_ip": "127.0.0.1", "last_dt": "2026-10-31 09:12:00", "filter_partner_id": 0, "updated_at": "2026-10-01 08:00:00"},
    {"partner_id": 1, "role_name": "engineer", "login": "noc", "name": "NOC Engineer",
     "email": "noc@example.net", "timeout": 3600, "router_access": "none", "phone": "+34 600000000",
     "avatar_api_url": "", "download_avatar_link": "", "send_from_my_name": "0", "calendar_color": "#9b59b6",
     "last_ip": "127.0.0.1", "last_dt": "2026-10-30 22:40:00", "filter_partner_id": 1, "updated_at": "2026-09-12 10:00:00"},
    {"partner_id": 1, "role_name": "accountant", "login": "billing", "name": "Marta [Billing]",
     "email": "", "timeout": 1800, "router_access": "none", "phone": "",
     "avatar_api_url": "", "download_avatar_link": "", "send_from_my_name": "1", "calendar_color": "#e67e22",
     "last_ip": "", "last_dt": ZERO_DATETIME, "filter_partner_id": 1, "updated_at": "2026-08-02 14:30:00"},
)


def additional_field(module: str, name: str, title: str, type: str, position: int, **extra: Any) -> Row:
    """An Additional Field object (docs/splynx.md §1.6), with the documented 0/1 number flags."""
    row: Row = {"name": name, "title": title, "type": type, "position": position, "default_value": "",
                "min_length": 0, "max_length": 255, "is_required": 0, "is_unique": 0, "is_add": 1,
                "show_in_list": 0, "searchable": 0, "readonly": 0, "disabled": 0, "hidden": 0,
                "select_values": {}, "relation_module": "", "set_default_value": 0, "addon": "", "addon_uri": "",
                "addon_input_type": "", "decimals": 0, "module": module}
    row.update(extra)
    return row


def seed_additional_fields() -> dict[str, dict[str, Row]]:
    """The customer module's fields every sandbox starts with: a select, a string and a flag."""
    fields = (
        additional_field("customers", "contract_type", "Contract type", "select", 1, default_value="residential",
                         select_values={"residential": "Residential", "business": "Business"},
                         show_in_list=1, searchable=1, set_default_value=1),
        additional_field("customers", "notes", "Notes", "string", 2, max_length=1000),
        additional_field("customers", "vip", "VIP", "boolean", 3, default_value="0", set_default_value=1),
    )
    return {"customers": {f["name"]: f for f in fields}}
