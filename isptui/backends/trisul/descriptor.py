"""What Trisul declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CatalogueEntry, CredentialField

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
    catalogue=(CatalogueEntry("ipdrcustomers", "IPDR customers", "IPDR"),),
)
