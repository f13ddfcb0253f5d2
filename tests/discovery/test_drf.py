from __future__ import annotations

import pytest

from isptui.discovery import allow_to_capabilities, drf_options_to_schema
from isptui.errors import MalformedResponse
from isptui.model import FieldType, Schema

from .conftest import deep, load

T = FieldType


def test_every_drf_type_from_post() -> None:
    schema = drf_options_to_schema(load("drf_options_cpes"))
    assert schema.source == "OPTIONS" and not schema.inferred
    assert [(f.name, f.type) for f in schema.fields] == [
        ("id", T.INTEGER), ("generic", T.STRING), ("active", T.BOOLEAN), ("cpename", T.STRING),
        ("homepage", T.STRING), ("email", T.STRING), ("mac", T.STRING), ("realm", T.STRING),
        ("me_vlan", T.INTEGER), ("latitude", T.DECIMAL), ("price", T.DECIMAL), ("expiration_date", T.DATE),
        ("created", T.DATETIME), ("window", T.STRING), ("tech", T.CHOICE), ("services", T.MULTI_CHOICE),
        ("contract", T.STRING), ("avatar", T.STRING), ("tags", T.LIST), ("address", T.OBJECT),
        ("pppoe_password", T.STRING), ("notes", T.STRING)]


def test_field_details() -> None:
    schema = drf_options_to_schema(load("drf_options_cpes"))
    f = schema.field
    assert f("id").read_only and f("created").read_only and not f("cpename").read_only
    cpename = f("cpename")
    assert (cpename.required, cpename.label, cpename.help, cpename.min_length, cpename.max_length) == (
        True, "Cpename", "Unique CPE name", 3, 64)
    assert (f("me_vlan").minimum, f("me_vlan").maximum) == (1.0, 4094.0)
    assert (f("price").minimum, f("price").maximum) == (0.0, 99999.99)  # Decimal bounds arrive as strings
    assert f("tech").choices == (("gpon", "GPON"), ("docsis", "DOCSIS"), ("3", "Wimax"))
    assert f("services").choices == (("provision", "Provision"), ("tr069", "TR-069"))
    tags = f("tags")
    assert [(c.name, c.type, c.max_length, c.required) for c in tags.children] == [("item", T.STRING, 20, True)]
    address = f("address")
    assert [(c.name, c.label, c.required) for c in address.children] == [
        ("street", "Street", True), ("postalcode", "Postal code", False)]
    assert f("pppoe_password").secret and not f("cpename").secret
    assert f("notes").multiline and not f("cpename").multiline
    assert f("contract").read_only and "not supported" in (f("contract").help or "")
    assert f("window").help == "HH:MM[:SS]"


def test_put_when_no_post_and_style_password() -> None:
    doc = {"actions": {"PUT": {"pin": {"type": "string", "required": False, "style": {"input_type": "password"}},
                               "label": {"type": "string", "required": "yes"}}}}
    schema = drf_options_to_schema(doc)
    assert [(f.name, f.secret, f.required) for f in schema.fields] == [("pin", True, False), ("label", False, True)]


@pytest.mark.parametrize("doc", [{"name": "Cpe Detail", "renders": ["application/json"]}, {"actions": None},
                                 {"actions": {}}, {"actions": {"DELETE": {}}}])
def test_no_actions_gives_empty_options_schema(doc: object) -> None:
    assert drf_options_to_schema(doc) == Schema(source="OPTIONS")


@pytest.mark.parametrize("doc", [[], "x", None, {"actions": []}, {"actions": {"POST": "x"}},
                                 {"actions": {"POST": [1]}}])
def test_wrong_containers_raise(doc: object) -> None:
    with pytest.raises(MalformedResponse, match="OPTIONS"):
        drf_options_to_schema(doc)


def test_odd_entries_degrade() -> None:
    doc = {"actions": {"POST": {
        "a": "not a dict", "": {"type": "string"}, "b": {"type": 5, "choices": "nope", "max_length": -3,
                                                      "min_value": "abc", "max_value": float("inf")},
        "c": {"type": "hstore", "choices": [{"value": 1}, {"display_name": "no value"}, "x", {"value": [1]}]},
        "d": {"type": "list", "child": "x"}}}}
    schema = drf_options_to_schema(doc)
    assert [(f.name, f.type) for f in schema.fields] == [("b", T.STRING), ("c", T.CHOICE), ("d", T.LIST)]
    b = schema.field("b")
    assert (b.max_length, b.minimum, b.maximum, b.choices) == (None, None, None, ())
    assert schema.field("c").choices == (("1", "1"),)


def test_deep_nesting_is_refused_cleanly() -> None:
    nested = deep(10_000, lambda inner: {"type": "nested object", "children": {"x": inner}})
    with pytest.raises(MalformedResponse, match="deeper"):
        drf_options_to_schema({"actions": {"POST": {"root": nested}}})
    lists = deep(10_000, lambda inner: {"type": "list", "child": inner})
    with pytest.raises(MalformedResponse, match="deeper"):
        drf_options_to_schema({"actions": {"POST": {"root": lists}}})


def test_allow_header() -> None:
    collection = allow_to_capabilities("GET, POST, HEAD, OPTIONS", detail=False)
    assert (collection.can_list, collection.can_create, collection.can_update, collection.can_delete) == (
        True, True, False, False)
    record = allow_to_capabilities("GET, PUT, PATCH, DELETE, HEAD, OPTIONS", detail=True)
    assert (record.can_get, record.can_update, record.partial_update, record.can_delete) == (True, True, True, True)
    put_only = allow_to_capabilities("get,put", detail=True)
    assert (put_only.can_update, put_only.partial_update, put_only.can_delete) == (True, False, False)
    read_only = allow_to_capabilities("GET, HEAD, OPTIONS", detail=False)
    assert not read_only.can_create
    nothing = allow_to_capabilities("", detail=False)
    assert not nothing.can_list and not nothing.can_create
    unknown = allow_to_capabilities(None, detail=True)
    assert unknown.can_get and not unknown.can_update and not unknown.can_delete
    with pytest.raises(MalformedResponse, match="Allow"):
        allow_to_capabilities(["GET"], detail=True)
