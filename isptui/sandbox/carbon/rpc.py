"""Carbon's method chain: ``method1=objects.get&arg1={…}&method2=set&arg2={…}&method3=save&arg3={}``.

Each method applies to the previous result, as the server's ``getattr`` chain does; errors are the text
of the Python exception the real server would stringify (AttributeError, FieldError, DoesNotExist, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from isptui.sandbox.carbon.db import CarbonError, Database, QuerySet, coerce, compile_lookup
from isptui.sandbox.carbon.schema import MODELS, Field, ModelDef, Row, pay_sums

MANAGER_METHODS = ("objects.all", "objects.filter", "objects.exclude", "objects.get", "objects.create",
                   "objects.count")
SUM_FIELD = Field("SUM_IN", "decimal")
MAX_GET_RESULTS = 21  # Django stops counting there: "it returned more than 20!"
QUERYSET_METHODS = ("all", "filter", "exclude", "order_by", "get", "count", "exists", "first", "last", "delete")


@dataclass
class Instance:
    """A model object in flight: ``row`` holds unsaved ``set`` changes until ``save``."""

    model: ModelDef
    row: Row


# What the vendor documents (docs/carbon.md §5): objects.filter/get/create first, then object methods. Quirk
# carbon-minimal-chain serves only these; count, exists, order_by, all, exclude, first, last are refused.
DOCUMENTED = frozenset({"objects.filter", "objects.get", "objects.create", "filter", "get"})


def run_chain(db: Database, model: ModelDef, steps: list[tuple[str, Any]], *, minimal: bool = False) -> Any:
    """The result of applying each (method, arg) in turn, starting at the model class."""
    current: Any = model
    for name, arg in steps:
        args, kwargs = (arg, {}) if isinstance(arg, list) else ([], arg)
        if minimal and not isinstance(current, Instance) and name not in DOCUMENTED:
            owner = "Manager" if isinstance(current, ModelDef) else "QuerySet"
            raise CarbonError(f"'{owner}' object has no attribute '{name.removeprefix('objects.')}'")
        if isinstance(current, ModelDef):
            current = _manager(db, current, name, args, kwargs)
        elif isinstance(current, QuerySet):
            current = _queryset(db, current, name, args, kwargs)
        elif isinstance(current, Instance):
            current = _object(db, current, name, args, kwargs)
        else:
            raise CarbonError(f"'{type(current).__name__}' object has no attribute '{name}'")
    return current


def _manager(db: Database, model: ModelDef, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if name not in MANAGER_METHODS:
        head = name.split(".", 1)[0]
        if head == "objects":
            raise CarbonError(f"'Manager' object has no attribute '{name.split('.', 1)[1]}'")
        raise CarbonError(f"type object '{model.name}' has no attribute '{head}'")
    if name == "objects.create":
        _kwargs_only(name, args)
        return _create(db, model, kwargs)
    return _queryset(db, QuerySet(model), name.split(".", 1)[1], args, kwargs)


def _kwargs_only(name: str, args: list[Any]) -> None:
    if args:
        raise CarbonError(f"{name.rsplit('.', 1)[-1]}() takes keyword arguments only (pass a JSON object)")


def _queryset(db: Database, qs: QuerySet, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if name not in QUERYSET_METHODS:
        raise CarbonError(f"'QuerySet' object has no attribute '{name}'")
    if name == "order_by":
        for key in args:
            compile_lookup(db, qs.model, str(key).lstrip("-"), None)  # unknown field fails now
        return QuerySet(qs.model, qs.filters, qs.excludes, tuple(str(a) for a in args))
    _kwargs_only(name, args)
    conds = [compile_lookup(db, qs.model, key, value) for key, value in kwargs.items()]
    if name in ("filter", "exclude", "get", "all"):
        filters = qs.filters + [conds] if conds and name != "exclude" else qs.filters
        excludes = qs.excludes + [conds] if conds and name == "exclude" else qs.excludes
        qs = QuerySet(qs.model, filters, excludes, qs.ordering)
        return _get(db, qs) if name == "get" else qs
    if name == "count":
        return qs.count(db)
    rows = qs.rows(db)
    if name == "exists":
        return next(rows, None) is not None
    if name == "first":
        row = next(rows, None)
        return None if row is None else Instance(qs.model, row)
    if name == "last":
        found = None
        for found in rows:  # noqa: B007 - the loop keeps the last row
            pass
        return None if found is None else Instance(qs.model, found)
    total: dict[str, int] = {}
    for row in list(rows):
        _cascade(db, qs.model, row["id"], total)
    return [sum(total.values()), total]


def _get(db: Database, qs: QuerySet) -> Instance:
    rows = qs.rows(db)
    first = next(rows, None)
    if first is None:
        raise CarbonError(f"{qs.model.name} matching query does not exist.")
    found = 1 + sum(1 for _, _row in zip(range(MAX_GET_RESULTS - 1), rows, strict=False))
    if found > 1:
        many = f"more than {MAX_GET_RESULTS - 1}" if found >= MAX_GET_RESULTS else str(found)
        raise CarbonError(f"get() returned more than one {qs.model.name} -- it returned {many}!")
    return Instance(qs.model, first)


def _assign(db: Database, model: ModelDef, row: Row, values: dict[str, Any], creating: bool) -> None:
    for key, value in values.items():
        f = model.field("id" if key == "pk" else key)
        if f is None:
            if creating:
                raise CarbonError(f"{model.name}() got unexpected keyword arguments: '{key}'")
            raise CarbonError(f"{model.name} has no field named '{key}'")
        if f.computed or f.read_only or f.kind == "auto":
            hint = "; use add_payment" if f.name == "balance" and model.name == "Abonents" else ""
            raise CarbonError(f"Field '{f.name}' of {model.name} is read-only{hint}")
        row[f.attname] = db.stored_id(f.target, value)  # a reference as the client sent it (pk-zero)


def _create(db: Database, model: ModelDef, values: dict[str, Any]) -> Instance:
    # Unknown (docs/carbon.md §7.7): objects.create's result; Django returns the saved instance, so the
    # sandbox answers with the object like objects.get does.
    row: Row = {f.attname: f.default for f in model.fields if f.kind != "auto" and not f.computed}
    _assign(db, model, row, values, creating=True)
    if "create_date" in row and row["create_date"] is None:
        row["create_date"] = _now()  # auto_now_add, as billing records carry their creation time
    return _save(db, Instance(model, row))


def _save(db: Database, obj: Instance) -> Instance:
    """Validate like model.full_clean() plus the database constraints, then store."""
    model, store = obj.model, db.store(obj.model.name)
    clean: Row = {}
    for f in model.fields:
        if f.computed:
            continue
        value = obj.row.get(f.attname, f.default)
        if f.kind != "auto":
            value = coerce(f, value)
        if value is None and f.kind != "auto" and not f.null:
            if f.required or f.default is None:
                raise CarbonError(f"{model.name}: field '{f.name}' cannot be null.")
            value = f.default
        if f.required and isinstance(value, str) and not value.strip():
            raise CarbonError(f"{model.name}: field '{f.name}' cannot be blank.")
        if f.choices and value not in f.choices:
            raise CarbonError(f"{model.name}: value {value!r} is not a valid choice for '{f.name}'.")
        if f.target and value is not None and db.store(f.target).get(value) is None:
            raise CarbonError(f"{f.target} matching query does not exist. ({model.name}.{f.attname}={value})")
        if f.unique and value is not None:
            clash = QuerySet(model, [[compile_lookup(db, model, f.attname, value, wire=False)]]).rows(db)
            if any(other["id"] != obj.row.get("id") for other in clash):
                raise CarbonError(f"{model.name} with this {f.name} already exists.")
        clean[f.attname] = value
    if model.name == "Abonents":
        _recalc(db, clean, store.get(clean["id"]))
    obj.row = store.save(clean)
    return obj


def _recalc(db: Database, row: Row, before: Row | None) -> None:
    """Carbon flags abonents for recalculation when their tariff changes (need_recalc) and a background
    pass recomputes what they should pay. The sandbox runs that pass at once on save, and leaves the
    flag at 1 so a client can see a recalculation was requested; setting need_recalc=1 forces one."""
    if before is not None and before["tarif_id"] != row["tarif_id"]:
        row["need_recalc"] = 1
    if before is None or row["need_recalc"]:
        cost = db.store("Tarif").get(row["tarif_id"])
        row["recomend_pay_sum"], row["minimal_pay_sum"] = pay_sums(cost["cost"] if cost else 0.0, row["balance"])


def _object(db: Database, obj: Instance, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if name not in obj.model.object_methods:
        raise CarbonError(f"'{obj.model.name}' object has no attribute '{name}'")
    _kwargs_only(name, args)
    if name == "set":
        _assign(db, obj.model, obj.row, kwargs, creating=False)
        return obj
    if name == "save":
        return _save(db, obj)
    saved = db.store(obj.model.name).get(obj.row.get("id"))
    if saved is None:
        raise CarbonError(f"{obj.model.name} object can't be used before it is saved.")
    if name == "delete":
        # Unknown (docs/carbon.md §7.7): delete's result; Django's Model.delete() return value
        # (count, {model: count}) is chosen, serialised as a JSON array. Related rows cascade (old Django
        # default); a referenced Tarif or Usluga is protected.
        total: dict[str, int] = {}
        _cascade(db, obj.model, saved["id"], total)
        return [sum(total.values()), total]
    return OBJECT_METHODS[name](db, Instance(obj.model, saved), kwargs)


def _cascade(db: Database, model: ModelDef, pk: int, total: dict[str, int]) -> None:
    for other in MODELS.values():
        for f in other.fields:
            if f.target != model.name:
                continue
            refs = QuerySet(other, [[compile_lookup(db, other, f.attname, pk, wire=False)]]).rows(db)
            if model.name in ("Tarif", "Usluga"):
                if next(refs, None) is not None:
                    raise CarbonError(
                        f"Cannot delete some instances of model '{model.name}' because they are referenced "
                        f"through a protected foreign key: '{other.name}.{f.name}'"
                    )
                continue
            for ref in list(refs):
                _cascade(db, other, ref["id"], total)
    db.store(model.name).delete(pk)
    total[model.name] = total.get(model.name, 0) + 1


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def _add_payment(db: Database, obj: Instance, kwargs: dict[str, Any]) -> Instance:
    """Book a payment: a FinanceOperations row, then the abonent's balance and pay sums move."""
    if "SUM_IN" not in kwargs:
        raise CarbonError("add_payment() missing 1 required argument: 'SUM_IN'")
    amount = coerce(SUM_FIELD, kwargs["SUM_IN"])
    if amount is None or amount == 0:
        raise CarbonError("add_payment(): SUM_IN must be a non-zero amount")
    db.store("FinanceOperations").save({
        "id": None, "abonent_id": obj.row["id"], "storno": 0, "op_date": _now(), "op_summa": amount,
        "usluga_id": None, "summ": amount, "comment": str(kwargs.get("comment", "Payment via API")),
    })
    row = dict(obj.row)
    row["balance"] = round(row["balance"] + amount, 2)
    tarif = db.store("Tarif").get(row["tarif_id"])
    row["recomend_pay_sum"], row["minimal_pay_sum"] = pay_sums(tarif["cost"] if tarif else 0.0, row["balance"])
    return Instance(obj.model, db.store("Abonents").save(row))


def _balance_until(db: Database, obj: Instance, kwargs: dict[str, Any]) -> dict[str, Any]:
    tarif = db.store("Tarif").get(obj.row["tarif_id"])
    daily = (tarif["cost"] if tarif else 0.0) / 30
    days = int(obj.row["balance"] // daily) if daily and obj.row["balance"] > 0 else 0
    return {"enough_to_date": (date.today() + timedelta(days=days)).isoformat(), "days_until": days}


def _set_password(db: Database, obj: Instance, kwargs: dict[str, Any]) -> None:
    """Store a new password at once; ``dontshow`` hides it from the web cabinet (accepted, not shown)."""
    psw = kwargs.get("psw")
    if not isinstance(psw, str) or not psw:
        raise CarbonError("set_password() missing 1 required argument: 'psw'")
    # Unknown: set_password's result; Django's set_password returns None, so the result is null.
    db.store("Users").save({**obj.row, "password": psw})
    return None


def _check_pass(db: Database, obj: Instance, kwargs: dict[str, Any]) -> bool:
    if "passwd" not in kwargs:
        raise CarbonError("check_pass() missing 1 required argument: 'passwd'")
    return bool(obj.row.get("password")) and obj.row.get("password") == str(kwargs["passwd"])


OBJECT_METHODS = {
    "add_payment": _add_payment,
    "get_balance_until_date": _balance_until,
    "set_password": _set_password,
    "check_pass": _check_pass,
}
