"""Serializer field specs per Krill resource: what OPTIONS describes and what writes are checked against.

Krill's OpenAPI spec is not public (docs/krill.md §2.1), so types, lengths and which fields are required are
inferred from the sample records and the customer form of the UI guide; each choice is noted where made.
"""

from __future__ import annotations

from isptui.sandbox.krill.drf import FieldSpec
from isptui.sandbox.krill.records import REALMS, RUBIK_STATES, TECHS


def _s(name: str, max_length: int = 255, **kw: object) -> FieldSpec:
    return FieldSpec(name, "string", max_length=max_length, **kw)  # type: ignore[arg-type]


def _ro(name: str, kind: str = "datetime", **kw: object) -> FieldSpec:
    return FieldSpec(name, kind, read_only=True, **kw)  # type: ignore[arg-type]


def _bool(name: str, default: bool = False) -> FieldSpec:
    return FieldSpec(name, "boolean", default=default)


def _fk(name: str, related: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, "field", required=required, allow_null=not required, related=related)


def _coord(name: str) -> FieldSpec:
    # The samples show coordinates as strings like "38.0124867": a DecimalField rendered as string.
    return FieldSpec(name, "decimal", max_digits=10, decimal_places=7, allow_null=True)


CUSTOMER = (
    _s("address", allow_blank=True, default=""),
    _s("city", 128, default=""),
    FieldSpec("comment", "string", allow_null=True, default=None),
    _s("country", 64, default=""),
    _ro("created"),
    _s("external_id", 64, allow_null=True, unique=True, default=None, label="External ID"),
    _ro("id", "integer", label="ID"),
    _coord("latitude"),
    _coord("longitude"),
    # Required: the UI guide's customer form starts with Name; the rest may be blank.
    _s("name", 128, required=True, allow_blank=False),
    _s("postalcode", 16, default="", label="Postal code"),
    FieldSpec("realm", "choice", choices=REALMS, default="isp", help_text="Tenant the customer belongs to."),
    _s("surname", 128, default=""),
    _ro("updated"),
)

CPE = (
    _ro("_links", "field", label="Links"),
    _ro("_services", "list", label="Services"),
    _s("access", 32, allow_null=True, default=None),
    _bool("active", True),
    _s("address", default=""),
    _fk("address_profile", "address-profiles"),
    _ro("avatar", "string"),
    _bool("bridge"),
    _s("city", 128, default=""),
    _s("country", 64, default=""),
    # Required on create: a name, its owner and the access technology; everything else has a default.
    _s("cpename", 64, required=True, allow_blank=False, label="CPE name"),
    _ro("created"),
    _fk("customer", "customers", required=True),
    _bool("disable_provision"),
    _bool("disable_reconfig"),
    _s("dsn", 64, allow_null=True, default=None, label="DSN"),
    _bool("enable_notifications", True),
    FieldSpec("expiration_date", "date", allow_null=True, default=None),
    _s("external_id", 64, allow_null=True, unique=True, default=None, label="External ID"),
    _bool("external_voip"),
    _s("fixed_address", 45, allow_null=True, default=None, help_text="Static IPv4/IPv6 address."),
    _ro("has_tr069", "boolean", label="Has TR-069"),
    _ro("id", "integer", label="ID"),
    _ro("internal_id", "string", label="Internal ID"),
    _bool("is_router", True),
    _s("lan_cidr", 43, allow_null=True, default=None, label="LAN CIDR"),
    _coord("latitude"),
    _fk("line_profile", "line-profiles"),
    _s("locality", 128, default=""),
    _coord("longitude"),
    _s("mac", 17, allow_null=True, default=None, label="MAC"),
    FieldSpec("me_vlan", "integer", min_value=1, max_value=4094, allow_null=True, label="ME VLAN"),
    _fk("model", "models"),
    _s("mtamac", 17, allow_null=True, default=None, label="MTA MAC"),
    FieldSpec("notes", "string", default=""),
    _s("postalcode", 16, default="", label="Postal code"),
    _s("pppoe_password", 128, default="", label="PPPoE password"),
    _s("pppoe_username", 128, default="", label="PPPoE username"),
    _fk("probe", "probes"),
    _fk("profile", "cpe-profiles"),
    FieldSpec("realm", "choice", choices=REALMS, default="isp"),
    _s("remote_id", 64, allow_null=True, default=None, label="Remote ID"),
    _s("sn", 64, allow_null=True, unique=True, default=None, label="SN", help_text="Serial number of the device."),
    FieldSpec("tech", "choice", required=True, choices=TECHS, label="Technology"),
    _ro("tech_updated"),
    _s("topology", 128, allow_null=True, default=None),
    FieldSpec("tr069", "boolean", default=True, label="TR-069"),
    _fk("tv_profile", "tv-profiles"),
    _ro("updated"),
    _fk("voip_profile", "voip-profiles"),
    _s("wanmac", 17, allow_null=True, default=None, label="WAN MAC"),
    _s("wifi_password", 63, default="", label="Wi-Fi password"),
    _fk("wifi_profile", "wifi-profiles"),
    _s("wifi_ssid", 32, default="", label="Wi-Fi SSID"),
)

POTS = (  # read-only resource: described for completeness, never offered as an action in OPTIONS
    _s("cli", 32, label="CLI"),
    _s("lineid", 64, label="Line ID"),
)

PROFILE = (
    _ro("created"),
    FieldSpec("description", "string", default=""),
    FieldSpec("download", "integer", min_value=0, required=True, help_text="kbit/s"),
    _ro("id", "integer", label="ID"),
    _s("name", 64, required=True, allow_blank=False, unique=True),
    _ro("updated"),
    FieldSpec("upload", "integer", min_value=0, required=True, help_text="kbit/s"),
)

SERVICE = (
    _s("address_uid", 64, required=True, allow_blank=False, label="Address UID"),
    _s("administrative_id", 64, allow_null=True, default=None, label="Administrative ID"),
    _ro("created"),
    _s("crm_contact_label", 255, allow_null=True, default=None, label="CRM contact label"),
    _s("crm_customer_label", 255, allow_null=True, default=None, label="CRM customer label"),
    _s("crm_external_id", 64, allow_null=True, default=None, label="CRM external ID"),
    _s("crm_phone_label", 64, allow_null=True, default=None, label="CRM phone label"),
    _ro("id", "integer", label="ID"),
    FieldSpec("installation_info", "string", allow_null=True, default=None),
    _ro("last_state", "string"),
    _s("order_id", 64, allow_null=True, default=None, label="Order ID"),
    _s("owner", 64, required=True, allow_blank=False),
    FieldSpec("planned", "date", allow_null=True, default=None),
    _s("ppai", 64, allow_null=True, default=None, label="PPAI"),
    FieldSpec("reason", "string", allow_null=True, default=None),
    _s("remote_id", 64, allow_null=True, unique=True, default=None, label="Remote ID"),
    _s("service_profile", 64, required=True, allow_blank=False),
    FieldSpec("state", "choice", choices=RUBIK_STATES, default="pending"),
    _s("tv_remote_id", 64, allow_null=True, default=None, label="TV remote ID"),
    _ro("updated"),
)


def defaults(specs: tuple[FieldSpec, ...]) -> dict[str, object]:
    """Model defaults for a create: every writable field not required gets its default."""
    return {f.name: f.default for f in specs if not f.read_only}
