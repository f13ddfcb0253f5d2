"""Vendor-neutral parsers from wire JSON to the resource model: pure functions, no I/O.

Each parser returns a clean result or raises ``isptui.errors.MalformedResponse`` (or, for vendor error
envelopes, the matching ``BackendError``) with a bounded message, whatever the input: wrong types, deep
nesting, huge strings or garbage. Adapters catch these and re-raise with the URL they fetched.
"""

from __future__ import annotations

from isptui.discovery.drf import allow_to_capabilities, drf_options_to_schema
from isptui.discovery.infer import infer_schema
from isptui.discovery.link_header import parse_link_header
from isptui.discovery.links import is_dangerous, parse_links
from isptui.discovery.pages import (
    ParsedPage,
    error_for_message,
    parse_page,
    trisul_error,
    unwrap_carbon,
    unwrap_ispcrm,
)
from isptui.discovery.roots import parse_root_links, title_for
from isptui.discovery.splynx import ADDITIONAL_ATTRIBUTES, splynx_options_to_schema
from isptui.discovery.urls import rebase, resolve, same_origin

__all__ = [
    "ADDITIONAL_ATTRIBUTES",
    "ParsedPage",
    "allow_to_capabilities",
    "drf_options_to_schema",
    "error_for_message",
    "infer_schema",
    "is_dangerous",
    "parse_link_header",
    "parse_links",
    "parse_page",
    "parse_root_links",
    "rebase",
    "resolve",
    "same_origin",
    "splynx_options_to_schema",
    "title_for",
    "trisul_error",
    "unwrap_carbon",
    "unwrap_ispcrm",
]
