"""Carbon result objects: ``{"pk", "model", "fields"}`` with the ``fields=[...]`` selection applied."""

from __future__ import annotations

from typing import Any

from isptui.sandbox.carbon.db import CarbonError, Database, QuerySet
from isptui.sandbox.carbon.rpc import Instance
from isptui.sandbox.carbon.schema import MODELS, Field, ModelDef, Row


def serialize(db: Database, result: Any, fields: list[str] | None) -> Any:
    """The JSON ``result`` of a chain; ``fields`` applies to the object(s) the last method returned."""
    if isinstance(result, QuerySet):
        return [to_object(db, result.model, row, fields) for row in result.rows(db)]
    if isinstance(result, Instance):
        return to_object(db, result.model, result.row, fields)
    if isinstance(result, ModelDef):
        raise CarbonError(f"type object '{result.name}' is not JSON serializable (call a method)")
    return result


def to_object(db: Database, model: ModelDef, row: Row, fields: list[str] | None) -> dict[str, Any]:
    """One object. Without ``fields``: every field, a foreign key as its pk under the field name
    (Django's serializer); with ``fields``: ``tarif`` nests the whole object, ``tarif_id`` gives the pk
    and ``tarif__name`` nests the object reduced to ``name``."""
    if fields is None:
        out = {f.name: _value(db, model, f, row) for f in model.visible if f.kind != "auto"}
    else:
        out = {}
        for name in fields:
            _put(db, model, row, name.split("__"), out)
    return {"pk": db.wire_id(model.name, row["id"]), "model": model.name, "fields": out}


def _value(db: Database, model: ModelDef, f: Field, row: Row) -> Any:
    if f.computed:
        return f.computed(db, row)
    value = row.get(f.attname)
    # A pk, or a reference to one, as the wire shows ids (quirks pk-zero, string-ids).
    return db.wire_id(model.name if f.kind == "auto" else f.target, value)


def _put(db: Database, model: ModelDef, row: Row, parts: list[str], out: dict[str, Any]) -> None:
    name = parts[0]
    f = model.field("id" if name == "pk" else name)
    if f is None:
        raise CarbonError(f"{model.name} has no field named '{name}'")
    related = f.kind == "fk" and name == f.name
    if len(parts) > 1 and not related:
        raise CarbonError(f"{model.name}.{name} is not a relation; cannot follow '{parts[1]}'")
    if not related:
        out[name] = _value(db, model, f, row)
        return
    assert f.target is not None
    target = db.store(f.target).get(row.get(f.attname))
    if target is None:
        out[name] = None
    elif len(parts) == 1:
        out[name] = to_object(db, MODELS[f.target], target, None)
    else:
        nested = out.get(name)
        if not isinstance(nested, dict):
            nested = out[name] = {"pk": db.wire_id(f.target, target["id"]), "model": f.target, "fields": {}}
        _put(db, MODELS[f.target], target, parts[1:], nested["fields"])
