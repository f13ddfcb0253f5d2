"""Quirk variants: each plausible answer to an unknown of the vendor documents, served on demand.

The sandbox's default is what the vendors' own pages show. A real server may pick another answer, so each
variant below can be switched on (``isptui sandbox serve --quirks NAME[,NAME]``, ``create_sandbox(quirks=…)``)
and the adapters' contract battery runs on every variant of its backend. ``docs/`` names the unknown each one
covers. An emulator asks ``options.has_quirk("name")``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quirk:
    """One variant: its name, the backends it applies to, the unknown it answers and how."""

    name: str
    backends: tuple[str, ...]
    unknown: str
    behaviour: str


QUIRKS: tuple[Quirk, ...] = (
    Quirk("ignores-paging", ("splynx", "krill", "ispcrm"),
          "whether the server honours limit/offset (or page/page_size)",
          "every list answer is the whole collection, whatever paging was asked"),
    Quirk("ignores-offset", ("splynx", "krill", "ispcrm"),
          "whether the server honours offset (some honour limit only)",
          "every list answer is the first limit rows whatever offset was asked; counts and next links are "
          "built from the request as if it were honoured"),
    Quirk("pk-zero", ("splynx", "krill", "ispcrm", "carbon"),
          "whether a primary key can be 0",
          "the first record of the main collection (customers, users, Abonents, …) has id/pk 0"),
    Quirk("string-ids", ("splynx", "krill", "ispcrm", "carbon"),
          "whether ids come as strings or ints (Splynx sends both across versions)",
          "every record id is sent as a JSON string"),
    Quirk("null-sort-values", ("splynx", "krill", "ispcrm", "trisul", "carbon"),
          "whether sortable fields may be null",
          "every third record of the main collection has null in sortable fields (e-mail, phone, …)"),
    Quirk("patch-405", ("krill", "ispcrm", "trisul"),
          "whether partial updates (PATCH) are allowed",
          "PATCH answers 405 with Allow listing PUT; PUT works"),
    Quirk("no-create-link", ("ispcrm",),
          "whether a create_* link is published for each collection",
          "the root has no create_* links, yet POST to the collection works"),
    Quirk("drf-append-slash", ("krill",),
          "whether links carry DRF's trailing slash",
          "_links hrefs lack the trailing slash; Django's APPEND_SLASH answers 301 to the slash form"),
    Quirk("drf-detail-options-only", ("krill",),
          "where DRF publishes the write schema",
          "OPTIONS on a list has no actions.POST; actions.PUT only on the detail URL"),
    Quirk("action-post-only", ("krill",),
          "which method a CPE action (reboot, …) takes",
          "actions accept only POST; GET answers 405"),
    Quirk("ignores-unknown-filter", ("krill", "splynx", "ispcrm"),
          "whether an unknown filter parameter is rejected or ignored",
          "an unknown filter or search parameter is silently ignored (all rows returned)"),
    Quirk("ispcrm-enveloped-root", ("ispcrm",),
          "the shape of the ISPCRM root document",
          'the root is {"success","data"}-enveloped and links opaque paths (/api/v1/x/u …); default: the flat '
          "map the vendor page shows, with /api/v1/users"),
    Quirk("carbon-minimal-chain", ("carbon",),
          "which chain methods beyond the documented objects.filter/get/set/save exist",
          "undocumented chain methods (exists, count, order_by, values, …) answer an error"),
    Quirk("splynx-strict-nonce", ("splynx",),
          "whether Splynx rejects a repeated or smaller nonce",
          "a nonce not greater than the last one seen for the key is refused"),
)

BY_NAME: dict[str, Quirk] = {q.name: q for q in QUIRKS}


def parse_quirks(spec: str | None) -> frozenset[str]:
    """``"a,b"`` → {"a", "b"}; ValueError naming an unknown variant and the known ones."""
    names = frozenset(part.strip() for part in (spec or "").split(",") if part.strip())
    unknown = sorted(names - BY_NAME.keys())
    if unknown:
        raise ValueError(f"unknown quirk variant {', '.join(unknown)} (see: isptui sandbox quirks)")
    return names


def quirks_for(backend: str) -> tuple[Quirk, ...]:
    """The variants that apply to one backend."""
    return tuple(q for q in QUIRKS if backend in q.backends)
