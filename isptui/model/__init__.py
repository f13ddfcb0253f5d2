"""Backend-neutral hypermedia model: what every adapter produces and the UI consumes.

All types are frozen pydantic models so they can be cached, shared between workers and compared.
"""

from __future__ import annotations

from isptui.model.types import (
    JSON,
    Action,
    Capabilities,
    EntryPoint,
    FieldSpec,
    FieldType,
    FilterSpec,
    Lazy,
    Link,
    Page,
    PageRequest,
    Record,
    ResourceRef,
    Schema,
)

__all__ = [
    "JSON",
    "Action",
    "Capabilities",
    "EntryPoint",
    "FieldSpec",
    "FieldType",
    "FilterSpec",
    "Lazy",
    "Link",
    "Page",
    "PageRequest",
    "Record",
    "ResourceRef",
    "Schema",
]
