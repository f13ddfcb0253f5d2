from __future__ import annotations

import pytest

from isptui.discovery import ADDITIONAL_ATTRIBUTES, splynx_options_to_schema
from isptui.errors import MalformedResponse
from isptui.model import FieldType

from .conftest import load

T = FieldType


def test_observed_object_form() -> None:
    schema = splynx_options_to_schema(load("splynx_options_observed"))
    assert schema.source == "OPTIONS"
    assert [(f.name, f.label, f.type, f.required) for f in schema.fields] == [
        ("type", "Type", T.STRING, False), ("price", "Price", T.DECIMAL, False),
        ("prefix", "Prefix", T.STRING, True), ("valid_till", "Valid until", T.DATE, False),
        ("quantity", "Quantity", T.INTEGER, True)]
    assert schema.field(ADDITIONAL_ATTRIBUTES) is None  # no AFs, no group


def test_documented_bare_array_with_af_keys() -> None:
    schema = splynx_options_to_schema(load("splynx_options_documented"))
    assert schema.names == ("module", ADDITIONAL_ATTRIBUTES)
    assert schema.field("module").required and schema.field("module").label == "Module name"
    group = schema.field(ADDITIONAL_ATTRIBUTES)
    assert group.type is T.OBJECT
    assert [(c.name, c.label, c.type, c.read_only) for c in group.children] == [
        ("paypal_email", "PayPal e-mail", T.STRING, False), ("paypal_fee", "Fee", T.DECIMAL, True)]


def test_real_customer_options() -> None:
    schema = splynx_options_to_schema(load("splynx_customer_options"))
    assert schema.names[:4] == ("mrr_total", "gdpr_agreed", "parent_id", "id")
    assert len(schema.fields) == 27 and schema.names[-1] == ADDITIONAL_ATTRIBUTES
    assert [f.name for f in schema.fields if f.required] == ["name"]
    assert schema.field("name").label == "Full name"
    assert schema.field("login").label == "Portal login"
    assert schema.field("mrr_total").label == "Monthly recurring revenue"
    types = {f.name: f.type for f in schema.fields}
    assert (types["parent_id"], types["date_add"], types["daily_prepaid_cost"], types["conversion_date"]) == (
        T.INTEGER, T.DATE, T.DECIMAL, T.DATETIME)

    afs = {c.name: c for c in schema.field(ADDITIONAL_ATTRIBUTES).children}
    branch = afs["aesi_branch"]
    assert (branch.type, branch.required, branch.choices) == (T.CHOICE, True, (("north", "North"),
                                                                               ("south", "South")))
    assert afs["booooll"].type is T.BOOLEAN and afs["booooll"].read_only  # disabled
    pin = afs["portal_pin"]
    assert pin.secret and pin.help == "Hidden in the Splynx interface."
    assert afs["referrer"].type is T.STRING and afs["referrer"].help == "Id of a customers record."
    assert afs["interests"].type is T.MULTI_CHOICE and afs["interests"].choices == (("tv", "tv"), ("voip", "voip"))


@pytest.mark.parametrize(("values", "choices"), [
    ({"a": "A", "b": None}, (("a", "A"), ("b", "b"))),
    ([{"id": 1, "title": "One"}, {"value": "x"}, {"nothing": 1}], (("1", "One"), ("x", "x"))),
    ("red\ngreen\n\n", (("red", "red"), ("green", "green"))),
    ("red, green", (("red", "red"), ("green", "green"))),
    ([None, 2, [3]], (("2", "2"),)),
    (17, ()),
])
def test_select_values_shapes(values: object, choices: tuple[tuple[str, str], ...]) -> None:
    schema = splynx_options_to_schema([{"name": "x", "type": "select", "module": "customers",
                                        "select_values": values}])
    assert schema.field(ADDITIONAL_ATTRIBUTES).children[0].choices == choices


def test_types_flags_and_bad_entries() -> None:
    doc = {"attributes": [
        {"name": "password", "title": "Password", "type": "string", "required": False},
        {"name": "ids", "type": "array", "required": "1"},
        {"name": "mystery", "type": "hyperdate"},
        {"name": "ro", "type": "integer", "readonly": 1},
        {"name": "ro", "type": "string"},
        {"title": "no name"}, "junk", 5, {"name": 7}, {"name": "x" * 1000},
    ], "additional_attributes": None}
    schema = splynx_options_to_schema(doc)
    assert [(f.name, f.type, f.required, f.read_only, f.secret) for f in schema.fields] == [
        ("password", T.STRING, False, False, True), ("ids", T.LIST, True, False, False),
        ("mystery", T.STRING, False, False, False), ("ro", T.INTEGER, False, True, False)]


@pytest.mark.parametrize("doc", [None, "x", 3, {"error": {"message": "Method is disabled!", "code": 405}},
                                 {"attributes": "x"}, {"attributes": [], "additional_attributes": {"a": 1}}])
def test_wrong_shapes_raise(doc: object) -> None:
    with pytest.raises(MalformedResponse, match="Splynx OPTIONS"):
        splynx_options_to_schema(doc)
