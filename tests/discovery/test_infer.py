from __future__ import annotations

import pytest

from isptui.discovery import infer_schema
from isptui.errors import MalformedResponse
from isptui.model import FieldType

from .conftest import deep, load

T = FieldType


def _types(schema: object) -> dict[str, FieldType]:
    return {f.name: f.type for f in schema.fields}  # type: ignore[attr-defined]


def test_krill_cpe_sample_skips_links_and_services() -> None:
    schema = infer_schema([load("krill_cpe")])
    assert schema.inferred and schema.source == "inferred from 1 record"
    assert all(f.inferred for f in schema.fields)
    assert "_links" not in schema.names and "_services" not in schema.names
    assert schema.names[:4] == ("id", "cpename", "external_id", "realm")
    types = _types(schema)
    assert (types["id"], types["customer"], types["latitude"], types["created"], types["updated"],
            types["active"], types["notes"]) == (T.INTEGER, T.INTEGER, T.DECIMAL, T.DATETIME, T.DATETIME,
                                                 T.BOOLEAN, T.STRING)
    assert schema.field("id").read_only and not schema.field("cpename").read_only
    assert schema.field("pppoe_password").secret
    assert schema.field("notes").multiline


def test_splynx_strings_zero_dates_and_merging() -> None:
    records = [
        {"id": "1", "deposit": "7412.0000", "date_add": "2024-01-02", "end_date": "0000-00-00",
         "last_online": "", "zip_code": "01234", "mixed": 1, "when": "2024-01-02", "labels": []},
        {"id": "2", "deposit": "0.0000", "date_add": "0000-00-00", "end_date": "2025-12-31",
         "last_online": "0000-00-00 00:00:00", "zip_code": "SW1A", "mixed": 2.5, "when": "2024-01-02 10:11:12",
         "labels": [{"id": 1, "label": "VIP", "color": "red"}], "extra": None},
    ]
    types = _types(infer_schema(records))
    assert types == {"id": T.STRING, "deposit": T.DECIMAL, "date_add": T.DATE, "end_date": T.DATE,
                     "last_online": T.DATETIME, "zip_code": T.STRING, "mixed": T.DECIMAL, "when": T.DATETIME,
                     "labels": T.LIST, "extra": T.STRING}
    labels = infer_schema(records).field("labels")
    item = labels.children[0]
    assert item.type is T.OBJECT and [c.name for c in item.children] == ["id", "label", "color"]


def test_carbon_fk_expansion_nests() -> None:
    rows = load("carbon_filter")["result"]
    schema = infer_schema(rows)
    fields = schema.field("fields")
    assert [c.name for c in fields.children] == ["name", "is_folder", "balance", "tarif_id", "tarif",
                                                 "tarif_next_date"]
    nested = {c.name: c for c in fields.children}
    assert nested["balance"].type is T.DECIMAL
    assert nested["tarif_next_date"].type is T.DATETIME  # a date in one row, a datetime in the other
    assert nested["tarif"].type is T.OBJECT and nested["tarif"].children[0].name == "pk"


def test_disagreeing_and_odd_values() -> None:
    types = _types(infer_schema([{"a": 1, "b": {"x": 1}, "c": "2024-02-30", "d": "12:00", "e": True},
                                 {"a": "one", "b": "flat", "c": "2024-02-28", "d": None, "e": 0}]))
    assert types == {"a": T.STRING, "b": T.STRING, "c": T.STRING, "d": T.STRING, "e": T.STRING}


def test_sample_limit_and_non_objects() -> None:
    rows = [{"first": 1}] + [{"late": i} for i in range(100)]
    assert infer_schema(rows, sample=1).names == ("first",)
    assert infer_schema(rows, sample=0).names == ("first",)
    schema = infer_schema(["x", 1, None, {"ok": True}])
    assert schema.names == ("ok",) and schema.source == "inferred from 1 record"
    assert infer_schema([]).fields == ()


@pytest.mark.parametrize("bad", [None, "x", {"a": 1}, 5])
def test_wrong_types_raise(bad: object) -> None:
    with pytest.raises(MalformedResponse, match="sample records"):
        infer_schema(bad)


def test_deep_and_huge_input_is_bounded() -> None:
    nested = deep(10_000, lambda inner: {"x": inner})
    schema = infer_schema([{"deep": nested, "huge": "9" * 1_000_000 + ".5"}])
    assert schema.field("huge").type is T.STRING
    level = schema.field("deep")
    depth = 0
    while level.children:
        level, depth = level.children[0], depth + 1
    assert level.type is T.OBJECT and depth == 6
