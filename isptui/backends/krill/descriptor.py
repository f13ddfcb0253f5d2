"""What Krill declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CatalogueEntry, CredentialField, SearchWay

# Find: django-filter params and DRF's `search` on CPEs; RADIUS accounting (Oratio) by framed IP.
_CPE = {"id": ("customer",), "mac": ("mac", "wanmac"), "login": ("external_id",), "ip": ("fixed_address",)}
_SESSION = {"ip": ("framedipaddress",), "login": ("username",), "mac": ("callingstationid",)}

DESCRIPTOR = BackendDescriptor(
    name="krill",
    title="Krill (Phicus)",
    description="provisioning · DRF links and CPE actions",
    adapter="isptui.backends.krill.adapter:KrillBackend",
    url_env="KRILL_URL",
    credentials=(
        CredentialField("username", env="KRILL_USERNAME", help="user name"),
        CredentialField("password", env="KRILL_PASSWORD", secret=True, help="password"),
    ),
    # The JWT login and refresh are POSTs that change no data: a read-only profile may still send them.
    requires=(("username", "password"),),
    read_only_auth_calls=(("POST", "/api/v2/auth/login/"), ("POST", "/api/v2/auth/refresh/")),
    filter_help="field=value to filter (e.g. realm=pim, sn=HWTC…); join with ','; plain text searches",
    docs="docs/krill.md",
    search={
        "id": SearchWay("isp/cpes", "customer={value}", keys=_CPE, note="the CPEs of customer N"),
        "mac": SearchWay("isp/cpes", "{value}", "contains", keys=_CPE, note="DRF search (cpename, sn, mac…)"),
        "login": SearchWay("isp/cpes", "external_id={value}", keys=_CPE),
        "ip": SearchWay("oratio/accounting", "framedipaddress={value}", keys=_SESSION),
        # Customers carry no login, MAC or IP: a name finds the customer record (its id is the billing id).
        "name": SearchWay("isp/customers", "{value}", "contains", keys={"id": ("id",), "name": ("name", "surname")},
                          note="DRF search (name, surname, external_id, city, address)"),
    },
    # What the Krill root lists (docs/krill.md); discovery reads the live root and corrects the tree.
    catalogue=(CatalogueEntry("isp/customers", "Customers", "ISP"), CatalogueEntry("isp/cpes", "CPEs", "ISP"),
               CatalogueEntry("isp/potses", "Potses", "ISP"), CatalogueEntry("isp/cpe-profiles", "CPE profiles", "ISP"),
               CatalogueEntry("monitoring/cpes", "CPEs", "Monitoring"),
               CatalogueEntry("oratio/accounting", "Accounting", "Oratio"),
               CatalogueEntry("rubik/services", "Services", "Rubik")),
)
