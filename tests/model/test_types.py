from __future__ import annotations

import pydantic
import pytest

from isptui.model import FieldSpec, FieldType, Link, Page, Record, ResourceRef, Schema


def test_ref_needs_href_or_collection() -> None:
    with pytest.raises(pydantic.ValidationError):
        ResourceRef()
    assert ResourceRef(collection="customers", id="7").label() == "customers/7"
    assert ResourceRef(href="/api/v2/isp/cpes/1").label() == "/api/v2/isp/cpes/1"


def test_model_types_are_frozen() -> None:
    link = Link(rel="customer", href="/c/1")
    with pytest.raises(pydantic.ValidationError):
        link.rel = "other"  # type: ignore[misc]


def test_schema_lookup_and_titles() -> None:
    schema = Schema(fields=(FieldSpec(name="billing_email", type=FieldType.STRING),
                            FieldSpec(name="name", label="Full name", required=True)))
    assert schema.names == ("billing_email", "name")
    assert schema.field("name").title == "Full name"  # type: ignore[union-attr]
    assert schema.field("billing_email").title == "Billing email"  # type: ignore[union-attr]
    assert schema.field("missing") is None


def test_page_has_more_from_total_or_cursor() -> None:
    rec = Record(ref=ResourceRef(collection="c", id="1"), title="one")
    assert Page(items=(rec,), offset=0, total=2).has_more
    assert not Page(items=(rec,), offset=1, total=2).has_more
    assert Page(items=(rec,), next_cursor="/next").has_more
    assert not Page(items=(rec,)).has_more
