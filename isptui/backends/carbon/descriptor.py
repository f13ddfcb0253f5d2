"""What Carbon declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CatalogueEntry

DESCRIPTOR = BackendDescriptor(
    name="carbon",
    title="Carbon Billing",
    description="billing · RPC over form posts",
    adapter="isptui.backends.carbon.adapter:CarbonBackend",
    url_env="CARBON_URL",
    filter_help=("field=value, field~text (contains), field>n, field<n; Django lookups work too "
                   "(tarif__name__icontains=home); join with ','; plain text searches {field}"),
    docs="docs/carbon.md",
    # The models a Carbon server usually exposes (docs/carbon.md); discovery lists the server's own.
    catalogue=(CatalogueEntry("Abonents", "Abonents (subscribers)", "Subscribers"),
               CatalogueEntry("Users", "Users (logins)", "Subscribers"), CatalogueEntry("Tarif", "Tariffs", "Catalogue"),
               CatalogueEntry("Usluga", "Services", "Catalogue"),
               CatalogueEntry("UsersUsluga", "Subscriber services", "Subscribers"),
               CatalogueEntry("FinanceOperations", "Finance operations", "Finance"),
               CatalogueEntry("AdminAccounts", "Accounts", "Finance")),
)
