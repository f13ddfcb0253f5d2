"""What Trisul declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CatalogueEntry, CredentialField, SearchWay

# Find: by UserID and the customer's fields. The IPDR customers API has no filter: the list call sends every
# customer in one response, which the adapter filters (one request, never paged through).
_CUSTOMER = {"id": ("id",), "email": ("Email",), "phone": ("PhoneNumber", "AltPhoneNumber"), "login": ("UserID",)}

DESCRIPTOR = BackendDescriptor(
    name="trisul",
    title="Trisul IPDR",
    description="IPDR customers · body-token API",
    adapter="isptui.backends.trisul.adapter:TrisulBackend",
    url_env="TRISUL_URL",
    credentials=(
        CredentialField("username", env="TRISUL_USERNAME", help="user name"),
        CredentialField("api_token", env="TRISUL_API_TOKEN", secret=True, help="API token"),
        CredentialField("context", env="TRISUL_CONTEXT", default="default", help="Trisul context"),
    ),
    requires=(("username", "api_token"),),
    filter_help=("field=value (exact) or field~text (contains), joined with ','; plain text searches every "
                   "field. Trisul cannot filter, so isptui filters its complete list"),
    docs="docs/trisul.md",
    search={
        kind: SearchWay("ipdrcustomers", filt, match, keys={**_CUSTOMER, "name": ("Name",)} if kind == "name"
                        else _CUSTOMER, server_side=False,
                        note="Trisul cannot filter: isptui filters the complete list it sends")
        for kind, filt, match in (("id", "id={value}", "exact"), ("email", "Email={value}", "exact"),
                                  ("phone", "PhoneNumber~{value}", "contains"), ("login", "UserID={value}", "exact"),
                                  ("name", "Name~{value}", "contains"))
    },
    catalogue=(CatalogueEntry("ipdrcustomers", "IPDR customers", "IPDR"),),
)
