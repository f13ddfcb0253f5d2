"""What Krill declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CredentialField

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
    read_only_auth_calls=(("POST", "/api/v2/auth/login/"), ("POST", "/api/v2/auth/refresh/")),
    filter_help="field=value to filter (e.g. realm=pim, sn=HWTC…); join with ','; plain text searches",
    docs="docs/krill.md",
)
