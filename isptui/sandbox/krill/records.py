"""Krill's view of the shared dataset: customer N, CPE N (of customer N), its POTS lines, profiles, sessions.

Every row is generated from the subscriber alone, so any page of a 100,000-subscriber sandbox costs only
its rows. Keys are emitted sorted, as the samples in the Krill guide show them (`_links` first, then a..z).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from isptui.sandbox.dataset import BASE_TIME, CISCO_MAC_ON_KRILL, CPE_MODELS, TARIFFS, Subscriber, cisco_mac

Row = dict[str, Any]
TZ = timezone(timedelta(hours=1))

ACTION_PATHS = {  # `_links.actions` key -> path segment (docs/krill.md §2.4)
    "diagnostic": "cwmp_diagnostic",
    "factory": "factory",
    "reboot": "reboot",
    "reconfig": "reconfig",
    "reprovision": "reprovision",
    "unprovision": "unprovision",
}
LINK_PATHS = {
    "customer": "customer",
    "profile": "profile",
    "model": "model",
    "potses": "potses",
    "events": "events",
    "cdrs": "events?type=cdr",
    "logs": "logs",
    "livestatus": "livestatus",
    "links": "links",
    "info": "info",
    "cwmp_info": "cwmp_info",
}
SERVICES = ["provision", "tr069", "dhcp", "txrx"]
TECHS = (("gpon", "GPON"), ("adsl", "ADSL"), ("vdsl", "VDSL"), ("wimax", "WiMAX"), ("docsis", "DOCSIS"))
REALMS = (("isp", "ISP"), ("business", "Business"), ("lab", "Lab"))
# Unknown (docs/krill.md §2.5): Rubik's owners and state names; neutral-network operators and lifecycle chosen.
RUBIK_OWNERS = ("acme-fibra", "digired", "masvoz", "telenorte")
RUBIK_STATES = (
    ("pending", "Pending"),
    ("installing", "Installing"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("cancelled", "Cancelled"),
)
MODELS = tuple(
    {"id": i + 1, "name": name, "vendor": "ZTE" if name.startswith("F") else "Huawei", "tech": "gpon"}
    for i, name in enumerate(CPE_MODELS)
)


def iso(moment: datetime, micro: bool = False) -> str:
    """Krill dates: ISO 8601 with offset; Rubik adds microseconds (docs/krill.md §2.5)."""
    return moment.astimezone(TZ).isoformat(timespec="microseconds" if micro else "seconds")


def _created(sub: Subscriber) -> datetime:
    return datetime(sub.date_add.year, sub.date_add.month, sub.date_add.day, 9, 30, tzinfo=TZ) + timedelta(
        seconds=sub.number % 3600
    )


def realm_of(sub: Subscriber) -> str:
    return "business" if sub.category == "company" else "isp"


def tech_of(number: int) -> str:
    return "docsis" if number % 25 == 0 else "vdsl" if number % 10 == 0 else "gpon"


def customer_row(sub: Subscriber) -> Row:
    """Krill customer N (fields as in the guide's joined sample)."""
    return {
        "address": sub.street,
        "city": sub.city,
        "comment": sub.note,
        "country": sub.country,
        "created": iso(_created(sub)),
        "external_id": str(sub.number),  # the billing system's id: Splynx customer N
        "id": sub.number,
        "latitude": sub.latitude,
        "longitude": sub.longitude,
        "name": sub.first_name,
        "postalcode": sub.zip_code,
        "realm": realm_of(sub),
        "surname": sub.last_name,
        "updated": iso(BASE_TIME - timedelta(hours=sub.number % 500)),
    }


def cpe_links(cpe_id: int) -> Row:
    """`_links` of a CPE: relative paths without a trailing slash, as in the guide's postman sample."""
    base = f"/api/v2/isp/cpes/{cpe_id}"
    return {
        "actions": {key: f"{base}/{path}" for key, path in ACTION_PATHS.items()},
        "links": {key: f"{base}/{path}" for key, path in LINK_PATHS.items()},
    }


def cpe_row(sub: Subscriber) -> Row:
    """Krill CPE N, belonging to customer N; `_links`/`_services` are added when it is shown."""
    n = sub.number
    created = _created(sub) + timedelta(days=1)
    return {
        "access": "pppoe",
        "active": sub.status != "disabled",
        "address": sub.street,
        "address_profile": None,
        "avatar": None,
        "bridge": n % 17 == 0,
        "city": sub.city,
        "country": sub.country,
        "cpename": sub.cpe_name,
        "created": iso(created),
        "customer": n,
        "disable_provision": False,
        "disable_reconfig": n % 29 == 0,
        "dsn": None,
        "enable_notifications": n % 3 != 0,
        "expiration_date": None,
        "external_id": sub.login,
        "external_voip": False,
        "fixed_address": sub.ipv4 if sub.category == "company" else None,
        "has_tr069": True,
        "id": n,
        "internal_id": sub.cpe_name,
        "is_router": n % 17 != 0,
        "lan_cidr": "192.168.1.1/24",
        "latitude": sub.latitude,
        "line_profile": 1,
        "locality": sub.city,
        "longitude": sub.longitude,
        "mac": cisco_mac(sub.mac) if sub.number == CISCO_MAC_ON_KRILL else sub.mac,  # a near-miss (dataset)
        "me_vlan": 100 + n % 8,
        "model": CPE_MODELS.index(sub.cpe_model) + 1,
        "mtamac": None,
        "notes": sub.note or "",
        "postalcode": sub.zip_code,
        "pppoe_password": sub.password,
        "pppoe_username": f"{sub.login}@{realm_of(sub)}",
        "probe": None,
        "profile": sub.tariff_id,
        "realm": realm_of(sub),
        "remote_id": None,
        "sn": sub.serial,
        "tech": tech_of(n),
        "tech_updated": iso(created + timedelta(minutes=5)),
        "topology": f"OLT{1 + n % 4:02d}",
        "tr069": True,
        "tv_profile": None,
        "updated": iso(BASE_TIME - timedelta(minutes=n % 900)),
        "voip_profile": 1,
        "wanmac": sub.mac.upper(),
        "wifi_password": f"wifi-{sub.password[3:]}{n % 97:02d}",
        "wifi_profile": 1,
        "wifi_ssid": f"KRILL-{n:05d}",
    }


# POTS ids are dense: odd CPEs have two lines and even ones one (the dataset's 1 + n % 2), so every pair
# of CPEs holds three lines and id <-> (cpe, line) is closed-form, letting any page be computed directly.
def pots_count(customers: int) -> int:
    return 3 * (customers // 2) + (2 if customers % 2 else 0)


def pots_locate(pots_id: int) -> tuple[int, int]:
    """(cpe number, line number) of base POTS ``pots_id``."""
    pair, rest = divmod(pots_id - 1, 3)
    return (2 * pair + 1, rest + 1) if rest < 2 else (2 * pair + 2, 1)


def pots_ids_of(cpe: int) -> list[int]:
    first = 3 * ((cpe - 1) // 2) + (1 if cpe % 2 else 3)
    return [first, first + 1] if cpe % 2 else [first]


def pots_row(sub: Subscriber, line: int, pots_id: int) -> Row:
    """POTS line ``line`` of CPE N (fields as in the guide; `cpe` is the FK filters use)."""
    lineid = f"{sub.cpe_name}-{line}"
    return {
        "cli": f"+3496{sub.number:07d}{line}",
        "context": "from-krill",
        "contextname": realm_of(sub),
        "cpe": sub.number,
        "custom_digitmap": "",
        "dtmf": "auto",
        "id": pots_id,
        "label": f"Line {line}",
        "language": sub.locale,
        "lineid": lineid,
        "order": line,
        "password": f"sip-{sub.password[3:]}-{line}",
        "pbx_extension": str(1000 + (sub.number * 2 + line) % 9000),
        "username": lineid,
        "voicemail": sub.number % 4 == 0,
        "voicemail_password": f"{sub.number % 10000:04d}",
    }


def profile_row(index: int) -> Row:
    tariff = TARIFFS[index - 1]
    return {
        "created": iso(BASE_TIME - timedelta(days=900 - index)),
        "description": f"{tariff['title']} service profile",
        "download": tariff["down"],
        "id": index,
        "name": tariff["title"],
        "upload": tariff["up"],
        "updated": iso(BASE_TIME - timedelta(days=30 + index)),
    }


def is_online(number: int) -> bool:
    """Sessions of active subscribers are open (the dataset's STATUSES: n % 7 < 4 is "active")."""
    return number % 7 < 4


def online_count(customers: int) -> int:
    return 4 * ((customers + 1) // 7) + min(4, (customers + 1) % 7) - 1  # minus n == 0


def online_number(index: int) -> int:
    """The subscriber of the index-th (0-based) open session, in id order."""
    j = index + 1
    return 7 * (j // 4) + j % 4


def session_row(sub: Subscriber) -> Row:
    """A FreeRADIUS radacct row as Oratio serves it (primary key `radacctid`)."""
    n = sub.number
    rnd = random.Random(n * 104729)
    start = BASE_TIME - timedelta(seconds=3600 + rnd.randrange(0, 20 * 86400))
    online = is_online(n)
    length = int((BASE_TIME - start).total_seconds()) if online else rnd.randrange(60, 86400)
    return {
        "acctinputoctets": rnd.randrange(10**6, 10**11),
        "acctoutputoctets": rnd.randrange(10**6, 10**10),
        "acctsessionid": f"{n:08X}",
        "acctsessiontime": length,
        "acctstarttime": iso(start),
        "acctstoptime": None if online else iso(start + timedelta(seconds=length)),
        "acctterminatecause": "" if online else "User-Request",
        "acctuniqueid": f"{n:08x}{rnd.getrandbits(96):024x}",
        "callingstationid": sub.mac.upper().replace(":", "-"),
        "framedipaddress": sub.ipv4,
        "nasipaddress": f"10.255.0.{1 + n % 4}",
        "nasportid": f"{sub.cpe_name}:{100 + n % 8}",
        "radacctid": n,
        "realm": realm_of(sub),
        "username": sub.login,
    }


def service_row(sub: Subscriber) -> Row:
    """A Rubik (neutral network) service for subscriber N."""
    n = sub.number
    created = _created(sub) + timedelta(days=2, microseconds=n * 37 % 999999)
    state = RUBIK_STATES[n % len(RUBIK_STATES)][0] if n % 3 == 0 else "active"
    return {
        "address_uid": f"{sub.country}{sub.zip_code}-{n:07d}",
        "administrative_id": f"ADM-{n:06d}",
        "created": iso(created, micro=True),
        "crm_contact_label": sub.name,
        "crm_customer_label": sub.name,
        "crm_external_id": str(n),
        "crm_phone_label": sub.phone,
        "id": n,
        "installation_info": None,
        "last_state": "installing" if state == "active" else "active",
        "order_id": f"ORD{n:08d}",
        "owner": RUBIK_OWNERS[n % len(RUBIK_OWNERS)],
        "planned": None,
        "ppai": f"PPAI{n:08d}",
        "reason": None if state != "cancelled" else "Customer request",
        "remote_id": f"RB{n:07d}",
        "service_profile": f"FTTH_{TARIFFS[sub.tariff_id - 1]['down'] // 1000}M",
        "state": state,
        "tv_remote_id": None,
        "updated": iso(created + timedelta(days=n % 40), micro=True),
    }
