from __future__ import annotations

from isptui.edit.formdata import validate_form
from isptui.model import FieldSpec, FieldType, Schema

SCHEMA = Schema(fields=(
    FieldSpec(name="id", type=FieldType.INTEGER, read_only=True),
    FieldSpec(name="name", required=True, max_length=10),
    FieldSpec(name="speed", type=FieldType.INTEGER, minimum=1, maximum=1000),
    FieldSpec(name="price", type=FieldType.DECIMAL),
    FieldSpec(name="active", type=FieldType.BOOLEAN),
    FieldSpec(name="born", type=FieldType.DATE),
    FieldSpec(name="seen", type=FieldType.DATETIME),
    FieldSpec(name="tech", type=FieldType.CHOICE, choices=(("gpon", "GPON"), ("adsl", "ADSL"))),
    FieldSpec(name="labels", type=FieldType.MULTI_CHOICE, choices=(("a", "A"), ("b", "B"))),
    FieldSpec(name="extra", type=FieldType.OBJECT),
))


def test_valid_input_becomes_typed_values_in_the_originals_style() -> None:
    raw = {"id": "999", "name": "Ana", "speed": "100", "price": "12.50", "active": "yes", "born": "2020-02-29",
           "seen": "2026-11-23 10:00:00", "tech": "gpon", "labels": "a, b", "extra": '{"k": 1}'}
    original = {"speed": "50", "price": 1.0, "active": "0"}
    values, errors = validate_form(SCHEMA, raw, original)
    assert errors == {}
    assert "id" not in values  # read-only fields are never sent
    assert values["speed"] == "100"  # the API sent a string, so it gets a string back
    assert values["price"] == 12.5
    assert values["active"] == "1"
    assert values["labels"] == ["a", "b"]
    assert values["extra"] == {"k": 1}


def test_every_bad_field_gets_its_own_message() -> None:
    raw = {"name": "", "speed": "fast", "price": "1,5", "active": "maybe", "born": "23/11/2026",
           "seen": "yesterday", "tech": "dsl", "labels": "a, z", "extra": "{bad"}
    _, errors = validate_form(SCHEMA, raw)
    assert errors["name"] == ["is required"]
    assert errors["speed"] == ["must be a whole number"]
    assert errors["price"] == ["must be a number, e.g. 12.50"]
    assert errors["active"] == ["must be yes or no"]
    assert errors["born"] == ["must be a date like 2026-11-23"]
    assert "date and time" in errors["seen"][0]
    assert errors["tech"] == ["must be one of: gpon, adsl"]
    assert errors["labels"] == ["not a choice: z"]
    assert errors["extra"][0].startswith("not valid JSON")


def test_schema_limits_are_enforced_by_the_pydantic_model() -> None:
    _, errors = validate_form(SCHEMA, {"name": "x" * 11, "speed": "5000"})
    assert "at most 10 characters" in errors["name"][0]
    assert "less than or equal to 1000" in errors["speed"][0]


def test_zero_dates_pass_through() -> None:
    values, errors = validate_form(SCHEMA, {"name": "a", "born": "0000-00-00"})
    assert errors == {} and values["born"] == "0000-00-00"
