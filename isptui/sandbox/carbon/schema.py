"""Carbon Billing models over the shared dataset: field definitions and the generated base rows.

Rows are keyed by Django attname (``tarif_id`` for the ``tarif`` foreign key). Base pks follow the
dataset: Abonents, Users, UsersUsluga, FinanceOperations and AdminAccounts N all belong to subscriber N,
which lets a filter on the owner FK be answered without scanning (see ``ModelDef.identity``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from isptui.sandbox.dataset import TARIFFS, Dataset, Subscriber

if TYPE_CHECKING:
    from isptui.sandbox.carbon.db import Database

Row = dict[str, Any]

# Django field class names, shown in the model listing.
DJANGO_TYPES = {
    "auto": "AutoField", "int": "IntegerField", "str": "CharField", "text": "TextField",
    "decimal": "DecimalField", "date": "DateField", "datetime": "DateTimeField", "fk": "ForeignKey",
}


@dataclass(frozen=True)
class Field:
    """One model field. ``kind`` drives coercion of filter values and validation on save."""

    name: str
    kind: str
    null: bool = False
    required: bool = False
    default: Any = None
    unique: bool = False
    target: str | None = None  # referenced model, for "fk" and for plain integer references
    choices: tuple[Any, ...] = ()
    read_only: bool = False
    hidden: bool = False  # stored but never serialised or filterable (passwords)
    computed: Callable[[Database, Row], Any] | None = None

    @property
    def attname(self) -> str:
        """The row key: ``tarif_id`` for the ``tarif`` foreign key, the name otherwise."""
        return f"{self.name}_id" if self.kind == "fk" else self.name

    def describe(self) -> dict[str, Any]:
        """This field as the model listing shows it."""
        out: dict[str, Any] = {"type": DJANGO_TYPES[self.kind], "null": self.null, "required": self.required}
        if self.kind == "fk":
            out.update(to=self.target, attname=self.attname)
        elif self.target:
            out["references"] = self.target
        if self.choices:
            out["choices"] = list(self.choices)
        if self.unique:
            out["unique"] = True
        if self.read_only or self.computed or self.kind == "auto":
            out["read_only"] = True
        return out


@dataclass(frozen=True)
class ModelDef:
    """A Carbon model: its fields, its generated base rows and the object methods it offers."""

    name: str
    fields: tuple[Field, ...]
    base_count: Callable[[Dataset], int]
    generate: Callable[[Dataset, int], Row]
    # Attnames whose value equals the pk in every untouched base row: pk windows and owner filters
    # (``abonent__pk``) map straight to base pks instead of a scan.
    identity: tuple[str, ...] = ("id",)
    # Attname -> function giving the only base pk that can hold that value (unique keys like login).
    key_hints: dict[str, Callable[[Any], int | None]] = field(default_factory=dict)
    object_methods: tuple[str, ...] = ()

    def field(self, name: str) -> Field | None:
        """The field called ``name`` or whose attname is ``name``; hidden fields are not found."""
        for f in self.fields:
            if (f.name == name or f.attname == name) and not f.hidden:
                return f
        return None

    @property
    def visible(self) -> tuple[Field, ...]:
        """Fields a client may see, filter on and request."""
        return tuple(f for f in self.fields if not f.hidden)

    def choices_text(self) -> str:
        """The field names Django lists after "Choices are:" in a FieldError."""
        return ", ".join(sorted({f.name for f in self.visible} | {"pk"}))


def _dt(d: Any, hour: int = 10) -> str:
    # Carbon's documented parameter format; used for output too (unknown, but clients parse it back).
    return f"{d.isoformat()} {hour:02d}:00:00"


def _tariff(tarif_id: int) -> dict[str, Any]:
    return TARIFFS[tarif_id - 1]


def pay_sums(cost: float, balance: float) -> tuple[float, float]:
    """(recomend_pay_sum, minimal_pay_sum): what tops the balance up to a month, and what clears debt."""
    return round(max(0.0, cost - balance), 2), round(max(0.0, -balance), 2)


def _abonent(ds: Dataset, n: int) -> Row:
    sub = ds.subscriber(n)
    balance = float(sub.balance)
    recomend, minimal = pay_sums(float(str(_tariff(sub.tariff_id)["price"])), balance)
    return {
        "id": n, "name": f"{sub.last_name} {sub.first_name}", "is_folder": 0, "tarif_id": sub.tariff_id,
        "tarif_next_id": None, "tarif_next_date": None, "contract_number": f"C-{n:06d}", "sms": sub.phone,
        "email": sub.email,
        "a_home_number": str(n * 7 % 120 + 1), "own_disabled_start": None, "own_disabled_end": None,
        "promise_pay": 0, "promise_date_end": None, "recomend_pay_sum": recomend, "minimal_pay_sum": minimal,
        "allow_internet": 1 if sub.status == "active" else 0, "balance": balance, "need_recalc": 0,
        "comment": sub.note, "create_date": _dt(sub.date_add),
    }


def _user(ds: Dataset, n: int) -> Row:
    sub: Subscriber = ds.subscriber(n)
    return {"id": n, "login": sub.login, "abonent_id": n, "ip": sub.ipv4, "sms": sub.phone,
            "debit": 0.0, "password": sub.password}


def _users_usluga(ds: Dataset, n: int) -> Row:
    sub = ds.subscriber(n)
    return {"id": n, "abonent_id": n, "usluga_id": 1, "comment": _tariff(sub.tariff_id)["title"],
            "create_date": _dt(sub.date_add), "end_time": None}


def _finance(ds: Dataset, n: int) -> Row:
    sub = ds.subscriber(n)
    price = float(str(_tariff(sub.tariff_id)["price"]))
    return {"id": n, "abonent_id": n, "storno": 0, "op_date": _dt(sub.date_add + timedelta(days=1), 12),
            "op_summa": price, "usluga_id": 1, "summ": price, "comment": "Initial payment"}


USLUGI: tuple[Row, ...] = (
    {"id": 1, "name": "Internet", "comments": "Monthly internet access", "cost": 0.0, "periodic": 1},
    {"id": 2, "name": "Static IP", "comments": "", "cost": 5.0, "periodic": 1},
    {"id": 3, "name": "Promised payment", "comments": "Обещанный платёж, 3 days", "cost": 0.0, "periodic": 0},
    {"id": 4, "name": "IPTV [basic]", "comments": "", "cost": 7.5, "periodic": 1},
    {"id": 5, "name": "Router rent", "comments": "", "cost": 3.0, "periodic": 1},
)

PK = Field("id", "auto")
FLAG = (0, 1)


def _abonent_balance(db: Database, row: Row, attname: str) -> float | None:
    abonent = db.store("Abonents").get(row.get(attname))
    return None if abonent is None else abonent["balance"]


MODELS: dict[str, ModelDef] = {m.name: m for m in (
    ModelDef("Abonents", (
        PK, Field("name", "str", required=True), Field("is_folder", "int", default=0, choices=FLAG),
        Field("tarif", "fk", target="Tarif", required=True), Field("tarif_next", "fk", target="Tarif", null=True),
        Field("tarif_next_date", "date", null=True), Field("contract_number", "str", null=True, unique=True),
        Field("sms", "str", default=""), Field("email", "str", default=""), Field("a_home_number", "str", default=""),
        Field("own_disabled_start", "date", null=True), Field("own_disabled_end", "date", null=True),
        Field("promise_pay", "int", default=0, choices=FLAG), Field("promise_date_end", "datetime", null=True),
        Field("recomend_pay_sum", "decimal", default=0.0, read_only=True),
        Field("minimal_pay_sum", "decimal", default=0.0, read_only=True),
        Field("allow_internet", "int", default=1, choices=FLAG),
        # Money only moves through add_payment (which also writes FinanceOperations), never by set.
        Field("balance", "decimal", default=0.0, read_only=True),
        Field("need_recalc", "int", default=0, choices=FLAG), Field("comment", "text", null=True),
        Field("create_date", "datetime", null=True),
    ), lambda ds: ds.customers, _abonent,
        key_hints={"contract_number": lambda v: _number(v, "C-")},
        object_methods=("set", "save", "delete", "add_payment", "get_balance_until_date")),
    ModelDef("Users", (
        PK, Field("login", "str", required=True, unique=True), Field("abonent", "fk", target="Abonents", required=True),
        Field("ip", "str", default=""), Field("sms", "str", default=""),
        Field("ostatok", "decimal", computed=lambda db, row: _abonent_balance(db, row, "abonent_id")),
        Field("debit", "decimal", default=0.0), Field("password", "str", default="", hidden=True),
    ), lambda ds: ds.customers, _user, identity=("id", "abonent_id"),
        key_hints={"login": lambda v: _number(v, "isp")},
        object_methods=("set", "save", "delete", "set_password", "check_pass")),
    ModelDef("Tarif", (
        PK, Field("name", "str", required=True), Field("cost", "decimal", default=0.0),
        Field("speed_in", "int", default=0), Field("speed_out", "int", default=0), Field("comment", "text", default=""),
    ), lambda ds: len(TARIFFS), lambda ds, n: {
        "id": n, "name": _tariff(n)["title"], "cost": float(str(_tariff(n)["price"])),
        "speed_in": _tariff(n)["down"], "speed_out": _tariff(n)["up"], "comment": ""},
        object_methods=("set", "save", "delete")),
    ModelDef("Usluga", (
        PK, Field("name", "str", required=True), Field("comments", "text", default=""),
        Field("cost", "decimal", default=0.0), Field("periodic", "int", default=1, choices=FLAG),
    ), lambda ds: len(USLUGI), lambda ds, n: dict(USLUGI[n - 1]), object_methods=("set", "save", "delete")),
    ModelDef("UsersUsluga", (
        PK, Field("abonent", "fk", target="Abonents", required=True), Field("usluga", "fk", target="Usluga", required=True),
        Field("comment", "text", default=""), Field("create_date", "datetime", null=True),
        Field("end_time", "datetime", null=True),
    ), lambda ds: ds.customers, _users_usluga, identity=("id", "abonent_id"),
        object_methods=("set", "save", "delete")),
    ModelDef("FinanceOperations", (
        PK, Field("abonent", "fk", target="Abonents", required=True), Field("storno", "int", default=0, choices=FLAG),
        Field("op_date", "datetime", null=True), Field("op_summa", "decimal", required=True),
        Field("usluga", "fk", target="Usluga", null=True), Field("summ", "decimal", default=0.0),
        Field("comment", "text", default=""),
    ), lambda ds: ds.customers, _finance, identity=("id", "abonent_id"),
        object_methods=("set", "save", "delete")),
    ModelDef("AdminAccounts", (
        PK, Field("account_id_abonents", "int", target="Abonents", required=True),
        Field("balance", "decimal", computed=lambda db, row: _abonent_balance(db, row, "account_id_abonents")),
    ), lambda ds: ds.customers, lambda ds, n: {"id": n, "account_id_abonents": n},
        identity=("id", "account_id_abonents"), object_methods=("set", "save", "delete")),
)}


def _number(value: Any, prefix: str) -> int | None:
    text = str(value)
    if text.startswith(prefix) and text[len(prefix):].isdigit():
        return int(text[len(prefix):])
    return None
