"""What Splynx declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CredentialField, SearchWay

# Find: main_attributes[field]=value (equal) or [LIKE, text] on customers and on every customer's internet
# services (customer id 0). Key fields as the API names them.
_CUSTOMER = {"id": ("id",), "email": ("email", "billing_email"), "phone": ("phone",), "login": ("login",)}
_SERVICE = {"id": ("customer_id",), "ip": ("ipv4",), "mac": ("mac",), "login": ("login",)}

DESCRIPTOR = BackendDescriptor(
    name="splynx",
    title="Splynx",
    description="billing & CRM · catalogue, OPTIONS, HEAD counts",
    adapter="isptui.backends.splynx.adapter:SplynxBackend",
    url_env="SPLYNX_URL",
    credentials=(
        CredentialField("api_key", env="SPLYNX_API_KEY", secret=True, help="API key id"),
        # SPLYNX_PASSWORD holds the API secret: the name existing Splynx tooling uses (docs/splynx.md).
        CredentialField("api_secret", env="SPLYNX_PASSWORD", secret=True, help="API key secret"),
        CredentialField("splynx_auth", setting="auth", choices=("basic", "signature", "token"),
                        help="how the API key signs in (default: token)"),
        # An administrator's login instead of an API key: auth_type "admin" on the token endpoint.
        CredentialField("admin_login", env="SPLYNX_ADMIN_LOGIN", help="administrator login (instead of a key)"),
        CredentialField("admin_password", env="SPLYNX_ADMIN_PASSWORD", secret=True,
                        help="administrator password"),
    ),
    # Logging in creates a token, not data: a read-only profile may still do it (refresh is a GET). Logout
    # is a DELETE and is skipped under read-only; the token expires on its own.
    requires=(("api_key", "api_secret"), ("admin_login", "admin_password")),
    read_only_auth_calls=(("POST", "/api/2.0/admin/auth/tokens"),),
    filter_help=(
        "field=value (equal), field!=value, field~text (LIKE), field>n, field<n, field>=n, field<=n; "
        "join terms with ','; plain text searches {field}; prefix af. for additional fields"
    ),
    docs="docs/splynx.md",
    search={
        "id": SearchWay("customers", "id={value}", keys=_CUSTOMER),
        "email": SearchWay("customers", "email={value}", keys=_CUSTOMER),
        "phone": SearchWay("customers", "phone~{value}", "contains", keys=_CUSTOMER),
        "login": SearchWay("customers", "login={value}", keys=_CUSTOMER),
        "ip": SearchWay("internet-services", "ipv4={value}", keys=_SERVICE),
        "mac": SearchWay("internet-services", "mac={value}", keys=_SERVICE),
        "name": SearchWay("customers", "name~{value}", "contains", keys={**_CUSTOMER, "name": ("name",)}),
    },
    catalogue="isptui.backends.splynx.catalogue:first_paint",
)
