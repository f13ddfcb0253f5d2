"""Attribute lists of each emulated Splynx entity (OPTIONS) and write validation driven by them.

Wire convention, as the 2025 server answers (docs/splynx.md §1.8): attributes typed ``integer`` travel as
JSON integers; every other scalar (floats, flags, dates) travels as a string; ``array`` as a list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_INT = re.compile(r"^-?\d+$")
_TRUTHY = {"1", "true", "yes", "on"}
_FLAGS = {"0", "1", "true", "false", "yes", "no", "on", "off"}


@dataclass(frozen=True)
class Attr:
    """One attribute as OPTIONS lists it, plus what the emulator enforces on writes."""

    name: str
    type: str = "string"
    title: str = ""
    required: bool = False
    readonly: bool = False
    choices: tuple[str, ...] = ()
    unique: bool = False

    def options(self) -> dict[str, Any]:
        """The observed OPTIONS entry: exactly name, title, type, required (docs/splynx.md A.4)."""
        title = self.title or self.name.replace("_", " ").capitalize()
        return {"name": self.name, "title": title, "type": self.type, "required": self.required}


def A(name: str, type: str = "string", title: str = "", **kw: Any) -> Attr:  # noqa: N802 - table-like
    return Attr(name, type, title, **kw)


def _ro(name: str, type: str = "string", title: str = "") -> Attr:
    return Attr(name, type, title, readonly=True)


_ID = _ro("id", "integer", "ID")
_BOOL = "boolean"

# Real customer OPTIONS (docs/splynx.md §1.4), in the server's order, as the real-server capture answers it:
# only `name` is required and `gdpr_agreed` is a string. The blueprint also calls partner_id, location_id
# and category required; a real server fills them (partner 1, location 1, person) when left out, and so
# does the sandbox, so a form built from OPTIONS demands no more than a real server does.
CUSTOMER = (
    _ro("mrr_total", "string", "Monthly recurring revenue"), A("gdpr_agreed", "string", "GDPR agreed"),
    A("parent_id", "integer", "Parent"), _ID,
    A("billing_type", choices=("recurring", "prepaid", "prepaid_monthly"), title="Billing type"),
    A("partner_id", title="Partner"), A("location_id", title="Location"),
    _ro("added_by", "string", "Added by"), _ro("added_by_id", "string", "Added by ID"),
    A("login", title="Portal login", unique=True),
    A("category", title="Category", choices=("person", "company")),
    A("name", title="Full name", required=True), A("email", title="E-mail"),
    A("billing_email", title="Billing e-mail"), A("phone", title="Phone number"),
    A("street_1", title="Street"), A("zip_code", title="ZIP code"), A("city", title="City"),
    A("subdivision_id", "integer", "Subdivision"),
    A("status", title="Status", choices=("new", "active", "blocked", "disabled")),
    A("date_add", "date", "Date added"), _ro("last_online", "string", "Last online"),
    _ro("last_update", "string", "Last update"), _ro("daily_prepaid_cost", "float", "Daily prepaid cost"),
    A("gps", title="GPS"), _ro("conversion_date", "datetime", "Conversion date"),
)

_TARIFF_COMMON = (
    _ID, A("title", title="Title", required=True, unique=True), A("service_name", title="Service name"),
    A("price", "float", "Price"), A("with_vat", _BOOL, "With VAT"), A("vat_percent", "float", "VAT %"),
    A("tax_id", "integer", "Tax"), A("transaction_category_id", "integer", "Transaction category"),
    A("partners_ids", "array", "Partners", required=True),
)
INTERNET_TARIFF = (
    A("speed_download", "integer", "Download speed, kbps", required=True),
    A("speed_upload", "integer", "Upload speed, kbps", required=True),
    A("speed_limit_type", choices=("none", "percent", "fixed"), title="Speed limit type"),
    A("speed_limit_at", "integer"), A("speed_limit_fixed_up", "integer"), A("speed_limit_fixed_down", "integer"),
    A("aggregation", "integer"), A("burst_type"), A("burst_limit", "integer"), A("burst_limit_fixed_up", "integer"),
    A("burst_limit_fixed_down", "integer"), A("burst_threshold", "integer"), A("burst_threshold_fixed_up", "integer"),
    A("burst_threshold_fixed_down", "integer"), A("burst_time", "integer"),
    A("priority", choices=("low", "normal", "high")), A("exclude_traffic_classes", "array"),
    _ro("services", "string", "Services"), A("billing_days_count"),
    A("available_for_services", _BOOL), A("billing_types", "array", "Billing types", required=True),
    A("custom_period", "integer"), *_TARIFF_COMMON,
    A("show_on_customer_portal", _BOOL), A("hide_on_admin_portal", _BOOL),
    A("available_for_locations", "array", "Locations", required=True),
    A("customer_categories", "array", "Customer categories", required=True),
)
VOICE_TARIFF = (*_TARIFF_COMMON, A("type", choices=("voip", "fix", "mobile"), title="Type"),
                A("billing_types", "array"), A("customer_categories", "array"), A("available_for_locations", "array"))
ONE_TIME_TARIFF = (*_TARIFF_COMMON, A("enabled", _BOOL, "Enabled"))
RECURRING_TARIFF = (*_TARIFF_COMMON, A("billing_types", "array"), A("customer_categories", "array"),
                    A("available_for_locations", "array"), A("show_on_customer_portal", _BOOL))
BUNDLE_TARIFF = (*_TARIFF_COMMON, A("service_description"), A("activation_fee", "float"),
                 A("contract_duration", "integer"), A("automatic_renewal", _BOOL),
                 A("internet_tariffs", "array"), A("voice_tariffs", "array"), A("custom_tariffs", "array"))

INTERNET_SERVICE = (
    _ID, _ro("customer_id", "integer", "Customer"), A("tariff_id", "integer", "Tariff", required=True),
    A("status", choices=("active", "stopped", "disabled", "hidden", "pending"), title="Status"),
    A("description", title="Description"), A("quantity", "integer"), A("unit"), A("unit_price", "float"),
    A("start_date", "date", "Start date"), A("end_date", "date", "End date"), A("discount", _BOOL),
    A("discount_type", choices=("percent", "fixed")), A("discount_value", "float"),
    A("discount_start_date", "date"), A("discount_end_date", "date"), A("discount_text"),
    A("router_id", "integer", "Router"), A("sector_id", "integer"),
    A("login", title="Login", required=True, unique=True), A("password", title="Password"),
    A("taking_ipv4", "integer", "IPv4 assignment", choices=("0", "1", "2")), A("ipv4", title="IPv4"),
    A("ipv4_route"), A("ipv4_pool_id", "integer"), A("ipv6"), A("ipv6_delegated"), A("ipv6_pool_id", "integer"),
    A("taking_ipv6", "integer"), A("mac", title="MAC"), A("port_id", "integer"), A("access_device", "integer"),
    A("bundle_service_id", "integer"), A("status_new"), A("top_up_tariff_id", "integer"), A("parent_id", "integer"),
)
INVOICE = (
    _ID, A("customer_id", "integer", "Customer", required=True), A("number", title="Number"),
    A("date_created", "date"), A("date_updated", "date"), A("date_till", "date"), A("date_payment", "date"),
    A("status", choices=("not_paid", "paid", "pending", "deleted")), _ro("total", "float", "Total"),
    _ro("due", "float", "Due"), A("note"), A("memo"), A("payment_id", "integer"),
    A("type", choices=("one_time", "recurring")), A("use_transactions", _BOOL), A("is_sent", _BOOL),
    A("payd_from_deposit", _BOOL), _ro("real_create_datetime", "datetime"), _ro("added_by"), _ro("added_by_id"),
    A("items", "array", "Items", required=True),
)
PAYMENT = (
    _ID, A("customer_id", "integer", "Customer", required=True), A("invoice_id", "integer"),
    A("credit_note_id", "integer"), A("request_id", "integer"), A("transaction_id", "integer"),
    A("payment_statement_id", "integer"), A("payment_type", "integer", "Payment method", required=True),
    A("receipt_number"), A("date", "date", "Date", required=True), A("amount", "float", "Amount", required=True),
    A("comment"), A("is_sent", _BOOL), A("field_1"), A("field_2"), A("field_3"), A("field_4"), A("field_5"),
    A("note"), A("memo"), _ro("remind_amount", "float"), _ro("real_create_datetime", "datetime"),
    _ro("added_by"), _ro("added_by_id"),
)
TRANSACTION = (
    _ID, A("type", choices=("debit", "credit"), title="Type", required=True),
    A("customer_id", "integer", "Customer", required=True), A("quantity", "integer"), A("unit"),
    A("price", "float", "Price", required=True), A("tax_percent", "float"), _ro("total", "float", "Total"),
    A("date", "date", "Date", required=True), A("category", "integer"), A("description"),
    A("period_from", "date"), A("period_to", "date"), A("service_id", "integer"), A("payment_id", "integer"),
    A("credit_note_id", "integer"), A("invoice_id", "integer"), A("invoiced_by_id", "integer"), A("comment"),
    A("to_invoice", _BOOL), A("service_type"), A("source", choices=("manual", "auto", "cdr", "config")),
    A("tax_id", "integer"), A("sub_account_id", "integer"),
)
TICKET = (
    _ID, A("customer_id", "integer", "Customer"), A("incoming_customer_id", "integer"), A("reporter_id", "integer"),
    A("reporter_type", choices=("admin", "customer", "api")), A("hidden", _BOOL), A("assign_to", "integer"),
    A("status_id", "integer", "Status"), A("group_id", "integer"), A("type_id", "integer", "Type", required=True),
    A("task_id", "integer"), A("subject", title="Subject", required=True),
    A("priority", title="Priority", required=True, choices=("low", "medium", "high", "urgent")),
    A("star", _BOOL), A("unread_by_customer", _BOOL), A("unread_by_admin", _BOOL), A("closed", _BOOL),
    _ro("created_at", "datetime"), _ro("updated_at", "datetime"), A("source"), A("trash", _BOOL),
    A("shareable", _BOOL), A("note"),
)
ROUTER = (
    _ID, A("title", title="Title", required=True), A("model"), A("partners_ids", "array", required=True),
    A("location_id", "integer", "Location", required=True), A("address"),
    A("ip", title="IP", required=True, unique=True), A("gps"), A("gps_point"),
    A("authorization_method", choices=("none", "firewall_ip_mac_filter", "dhcp_leases", "ppp_dhcp_radius",
                                       "ppp_secrets", "hotspot_users", "hotspot_radius")),
    A("accounting_method", choices=("none", "radius", "netflow")), A("nas_type", "integer"), A("nas_ip"),
    A("radius_secret"), _ro("status", "string", "Status"), A("pool_ids", "array"),
)
ADMINISTRATOR = (
    _ID, A("partner_id", "integer", "Partner"), A("role_name", title="Role", required=True),
    A("login", title="Login", required=True, unique=True), A("name", title="Name", required=True),
    A("email", title="E-mail", required=True), A("timeout", "integer"), A("router_access"), A("phone"),
    _ro("avatar_api_url"), _ro("download_avatar_link"), A("send_from_my_name", _BOOL), A("calendar_color"),
    _ro("last_ip"), _ro("last_dt", "datetime"), A("filter_partner_id", "integer"), _ro("updated_at", "datetime"),
)
DOCUMENT = (
    _ID, _ro("added_by"), _ro("added_by_id"), A("customer_id", "integer", "Customer", required=True),
    A("type", choices=("uploaded", "generated"), title="Type", required=True),
    A("title", title="Title", required=True), _ro("created_at", "datetime"), _ro("updated_at", "datetime"),
    A("description"), A("visible_by_customer", _BOOL), _ro("filename_original"), _ro("filename_uploaded"),
    A("code"), A("sign_date", "date"), A("terms_month", "integer"), A("end_of_term", "date"),
    A("sign_contract", _BOOL), A("terms", _BOOL), _ro("download_link"), _ro("has_thumbnail"), _ro("thumbnail_link"),
)


def check_value(attr_type: str, value: Any, choices: tuple[str, ...] = ()) -> str | None:
    """Why ``value`` is not acceptable for a field of this type, or None when it is."""
    if value is None:
        return None
    if attr_type == "array":
        return None if isinstance(value, list) else "must be an array"
    if isinstance(value, (dict, list)):
        return "must be a single value"
    text = ("1" if value else "0") if isinstance(value, bool) else str(value).strip().lower()
    if attr_type == "integer" and not _INT.match(text):
        return "must be an integer"
    if attr_type in {"float", "decimal", "numeric"}:
        try:
            float(text)
        except ValueError:
            return "must be a number"
    if attr_type == "boolean" and text not in _FLAGS:
        return "must be either 0 or 1"
    if attr_type == "date" and not _DATE.match(text):
        return "must be a date (YYYY-MM-DD)"
    if attr_type == "datetime" and not _DATETIME.match(text):
        return "must be a date and time (YYYY-MM-DD HH:MM:SS)"
    if choices and str(value) not in choices and text not in choices:
        return "is invalid"
    return None


def coerce(attr_type: str, value: Any) -> Any:
    """The stored (and later served) form of an accepted value, per the wire convention above."""
    if value is None or attr_type == "array":
        return value
    if attr_type == "integer":
        return int(str(value).strip())
    if attr_type == "boolean":
        return "1" if (value is True or str(value).strip().lower() in _TRUTHY) else "0"
    return str(value)


def validate(attrs: tuple[Attr, ...], body: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Accepted fields coerced to their wire form, and Yii2-style problems.

    Unknown or read-only keys are dropped silently, as Yii2's ``load()`` ignores unsafe attributes.
    """
    clean: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for attr in attrs:
        if attr.readonly:
            continue
        title = attr.options()["title"]
        present = attr.name in body
        value = body.get(attr.name)
        blank = value is None or (isinstance(value, str) and not value.strip()) or value == []
        if attr.required and (creating or present) and blank:
            problems.append((attr.name, f"{title} cannot be blank."))
            continue
        if not present:
            continue
        if blank and attr.type != "array":
            # Clearing an optional field: PHP stores the column's empty value.
            clean[attr.name] = 0 if attr.type == "integer" else ""
            continue
        why = check_value(attr.type, value, attr.choices)
        if why:
            problems.append((attr.name, f"{title} {why}."))
            continue
        clean[attr.name] = coerce(attr.type, value)
    return clean, problems
