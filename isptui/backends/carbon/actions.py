"""Carbon object methods offered as record actions, with the parameter forms the UI shows.

The methods are the ones real clients call (docs/carbon.md §5.5): Abonents ``add_payment {SUM_IN}`` and
``get_balance_until_date``, Users ``set_password {psw, dontshow}``; a recalculation is ``need_recalc=1``
saved on the abonent, and a promised payment is a UsersUsluga row for the "promised payment" service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from isptui.backends.carbon.chain import Chain
from isptui.backends.carbon.mapping import ModelInfo, is_object
from isptui.errors import NotFound, ValidationFailed
from isptui.model import Action, FieldSpec, FieldType, Record

if TYPE_CHECKING:
    from isptui.backends.carbon.adapter import CarbonBackend

Run = Callable[["CarbonBackend", Record, dict[str, Any]], Awaitable[Any]]
PROMISED_WORDS = ("promis", "обещ")
"""How the promised-payment service is recognised by name when no ``usluga_id`` is given."""

ADD_PAYMENT = Action(name="add_payment", title="Add payment", parameters=(
    FieldSpec(name="SUM_IN", label="Amount", type=FieldType.DECIMAL, required=True,
              help="Booked as a finance operation; the balance moves by this amount"),
    FieldSpec(name="comment", label="Comment"),
))
RECALC = Action(name="recalculate", title="Recalculate charges (need_recalc)")
PROMISED = Action(name="promised_payment", title="Promised payment", parameters=(
    FieldSpec(name="end_time", label="Until", type=FieldType.DATETIME, required=True,
              help="YYYY-MM-DD HH:MM:SS; three days from now if left empty"),
    FieldSpec(name="usluga_id", label="Service pk", type=FieldType.INTEGER,
              help="The promised-payment service; found by name when empty"),
    FieldSpec(name="comment", label="Comment"),
))
BALANCE_UNTIL = Action(name="get_balance_until_date", title="Balance lasts until…")
SET_PASSWORD = Action(name="set_password", title="Set password", parameters=(
    FieldSpec(name="psw", label="New password", required=True, secret=True, min_length=1),
    FieldSpec(name="dontshow", label="Hide from the web cabinet", type=FieldType.BOOLEAN),
))


def actions_for(info: ModelInfo, models: set[str]) -> list[Action]:
    """The actions a record of ``info``'s model offers, as far as the listing says the methods exist."""
    found: list[Action] = []
    if info.name == "Abonents":
        if info.can("add_payment"):
            found.append(ADD_PAYMENT)
        if info.can("save") and (not info.fields or info.has("need_recalc")):
            found.append(RECALC)
        if "UsersUsluga" in models:
            found.append(PROMISED)
        if info.can("get_balance_until_date"):
            found.append(BALANCE_UNTIL)
    if info.name == "Users" and info.can("set_password"):
        found.append(SET_PASSWORD)
    return found


def decimal_text(value: Any) -> str:
    """A money amount as the user typed it: text kept (stripped), a number without float noise.

    ``str(100.0)`` is ``"100.0"`` and ``str(0.1 + 0.2)`` is ``"0.30000000000000004"``; the server parses the
    text as a Decimal, so the shortest text that round-trips is sent, and an integral float loses its ``.0``.
    """
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


async def _add_payment(backend: CarbonBackend, record: Record, params: dict[str, Any]) -> Record:
    amount = params.get("SUM_IN")
    if amount in (None, ""):
        raise ValidationFailed("enter the amount to book", field_errors={"SUM_IN": ["is required"]})
    arg = {"SUM_IN": decimal_text(amount)} | ({"comment": str(params["comment"])} if params.get("comment") else {})
    chain = Chain(record.ref.collection or "Abonents").get(pk=record.id).call("add_payment", arg)
    return backend.record_of(await backend.run(chain), chain)


async def _recalculate(backend: CarbonBackend, record: Record, params: dict[str, Any]) -> Record:
    chain = Chain(record.ref.collection or "Abonents").get(pk=record.id).set(need_recalc=1).save()
    return backend.record_of(await backend.run(chain), chain)


async def _promised_usluga(backend: CarbonBackend) -> int:
    for word in PROMISED_WORDS:
        found = await backend.run(Chain("Usluga").filter(name__icontains=word).fields(["name"]))
        if isinstance(found, list) and found and is_object(found[0]):
            return int(found[0]["pk"])
    raise NotFound("Carbon has no service named like a promised payment; enter its pk in 'Service pk'")


async def _promised_payment(backend: CarbonBackend, record: Record, params: dict[str, Any]) -> Record:
    usluga = params.get("usluga_id")
    usluga_id = int(usluga) if usluga not in (None, "") else await _promised_usluga(backend)
    until = params.get("end_time") or (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    values = {"abonent_id": record.id, "usluga_id": usluga_id, "end_time": str(until),
              "comment": str(params.get("comment") or "Promised payment (isptui)")}
    chain = Chain("UsersUsluga").create(**values)
    return backend.record_of(await backend.run(chain), chain)


async def _balance_until(backend: CarbonBackend, record: Record, params: dict[str, Any]) -> Any:
    return await backend.run(Chain(record.ref.collection or "Abonents").get(pk=record.id)
                             .call("get_balance_until_date"))


async def _set_password(backend: CarbonBackend, record: Record, params: dict[str, Any]) -> None:
    psw = params.get("psw")
    if not isinstance(psw, str) or not psw:
        raise ValidationFailed("enter the new password", field_errors={"psw": ["is required"]})
    backend.redactor.add(psw)
    arg: dict[str, Any] = {"psw": psw}
    if params.get("dontshow") not in (None, ""):
        arg["dontshow"] = 1 if params["dontshow"] in (True, 1, "1", "true") else 0
    await backend.run(Chain(record.ref.collection or "Users").get(pk=record.id).call("set_password", arg))


ACTIONS: dict[str, Run] = {
    ADD_PAYMENT.name: _add_payment,
    RECALC.name: _recalculate,
    PROMISED.name: _promised_payment,
    BALANCE_UNTIL.name: _balance_until,
    SET_PASSWORD.name: _set_password,
}
