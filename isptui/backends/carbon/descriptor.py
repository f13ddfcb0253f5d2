"""What Carbon declares to isptui (the plug-in contract, ``isptui.backends.registry``)."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CatalogueEntry, SearchWay

# Find: objects.filter with Django lookups (field=value, field__icontains) on Abonents (the person) and
# Users (the accounts: login, IP).
_ABONENT = {"id": ("pk",), "email": ("email",), "phone": ("sms",)}
_USER = {"id": ("abonent_id", "abonent"), "login": ("login",), "ip": ("ip",), "phone": ("sms",)}

DESCRIPTOR = BackendDescriptor(
    name="carbon",
    title="Carbon Billing",
    description="billing · RPC over form posts",
    adapter="isptui.backends.carbon.adapter:CarbonBackend",
    url_env="CARBON_URL",
    filter_help=("field=value, field~text (contains), field>n, field<n; Django lookups work too "
                   "(tarif__name__icontains=home); join with ','; plain text searches {field}"),
    docs="docs/carbon.md",
    search={
        "id": SearchWay("Abonents", "id={value}", keys=_ABONENT),
        "email": SearchWay("Abonents", "email={value}", keys=_ABONENT),
        "phone": SearchWay("Abonents", "sms~{value}", "contains", keys=_ABONENT, note="sms__icontains"),
        "name": SearchWay("Abonents", "name~{value}", "contains", keys={**_ABONENT, "name": ("name",)},
                          note="name__icontains"),
        "login": SearchWay("Users", "login={value}", keys=_USER),
        "ip": SearchWay("Users", "ip={value}", keys=_USER),
    },
    # The models a Carbon server usually exposes (docs/carbon.md); discovery lists the server's own.
    catalogue=(CatalogueEntry("Abonents", "Abonents (subscribers)", "Subscribers"),
               CatalogueEntry("Users", "Users (logins)", "Subscribers"), CatalogueEntry("Tarif", "Tariffs", "Catalogue"),
               CatalogueEntry("Usluga", "Services", "Catalogue"),
               CatalogueEntry("UsersUsluga", "Subscriber services", "Subscribers"),
               CatalogueEntry("FinanceOperations", "Finance operations", "Finance"),
               CatalogueEntry("AdminAccounts", "Accounts", "Finance")),
)
