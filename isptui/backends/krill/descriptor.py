"""What Krill declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CredentialField, SearchWay

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
    },
)
