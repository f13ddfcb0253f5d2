"""What ISPCRM declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CatalogueEntry, CredentialField, ScanWay, SearchWay

# Find: the users collection takes search= (username, full name, email), status and profile_id only;
# a user is read by id. Phone, IP and MAC are on the record but no documented parameter filters them.
_USER = {"id": ("id",), "email": ("email",), "phone": ("phone",), "login": ("username",), "ip": ("ip",),
         "mac": ("mac",)}

DESCRIPTOR = BackendDescriptor(
    name="ispcrm",
    title="ISPCRM",
    description="CRM · pure HATEOAS root",
    adapter="isptui.backends.ispcrm.adapter:IspcrmBackend",
    url_env="ISPCRM_URL",
    credentials=(
        CredentialField("token", env="ISPCRM_TOKEN", secret=True, help="API token"),
        CredentialField("token_header", choices=("authorization", "x-auth-token"),
                        help="header that carries the token (default: authorization)"),
    ),
    requires=(("token",),),
    filter_help="field=value sent as query parameters (e.g. status=active); plain text is sent as search=…",
    docs="docs/ispcrm.md",
    search={
        "id": SearchWay("users", by_id=True, keys=_USER),
        "email": SearchWay("users", "{value}", "contains", keys=_USER, note="search= (username, name, email)"),
        "login": SearchWay("users", "{value}", "contains", keys=_USER, note="search= (username, name, email)"),
        "name": SearchWay("users", "{value}", "contains", keys={**_USER, "name": ("fullname",)},
                          note="search= (username, name, email)"),
    },
    # No parameter filters phone, IP or MAC: when asked, a bounded scan reads the users and compares locally.
    scan={kind: ScanWay("users", keys=_USER) for kind in ("phone", "ip", "mac")},
    # What the ISPCRM root document lists (docs/ispcrm.md); discovery reads the live root and corrects it.
    catalogue=(CatalogueEntry("users", "Users", "ISPCRM"), CatalogueEntry("profiles", "Profiles", "ISPCRM"),
               CatalogueEntry("online_sessions", "Online sessions", "ISPCRM")),
)
