"""The resource model types.

A ``ResourceRef`` names something an adapter can fetch: either an ``href`` (a link the server gave us) or a
``collection`` key with an optional ``id`` (what an adapter's catalogue knows). Adapters accept both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticUndefined

JSON = Any
"""Any value that came out of ``json.loads``."""

# Per model class: (defaults in field order, required names, default factories), built on first use.
_Plan = tuple[dict[str, Any], tuple[str, ...], tuple[tuple[str, Callable[[], Any]], ...]]
_PLANS: dict[type, _Plan] = {}
_set = object.__setattr__
_new = object.__new__


def _plan(cls: type[BaseModel]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        template: dict[str, Any] = {}
        required: list[str] = []
        factories: list[tuple[str, Callable[[], Any]]] = []
        for name, info in cls.model_fields.items():
            template[name] = info.default
            if info.default_factory is not None:
                factories.append((name, info.default_factory))  # type: ignore[arg-type]
            elif info.default is PydanticUndefined:
                required.append(name)
        plan = _PLANS[cls] = (template, tuple(required), tuple(factories))
    return plan


class Lazy(Sequence[Any]):
    """A tuple built on first use: a listed record's links and actions, which only an opened record needs.

    Why: a page of 500 Splynx customers built five links and five refs per row that no one looked at
    (36% of listing time). An adapter passes ``Lazy(make, *args)`` as ``links``/``actions`` to
    ``Record.trusted``; ``make(*args)`` runs the first time anything reads it. It reads like the tuple it
    stands for: iteration, ``len``, indexing, ``bool``, ``==`` and ``+`` against tuples.
    """

    __slots__ = ("_args", "_items", "_make")

    def __init__(self, make: Callable[..., Iterable[Any]], *args: Any) -> None:
        self._make: Callable[..., Iterable[Any]] | None = make
        self._args = args
        self._items: tuple[Any, ...] | None = None

    def _get(self) -> tuple[Any, ...]:
        if self._items is None:
            assert self._make is not None
            self._items = tuple(self._make(*self._args))
            self._make, self._args = None, ()
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        return self._get() == (tuple(other) if isinstance(other, Sequence) and not isinstance(other, str) else other)

    def __hash__(self) -> int:
        return hash(self._get())

    def __add__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        return self._get() + tuple(other)

    def __radd__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(other) + self._get()

    def __repr__(self) -> str:
        return repr(self._get())


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """An instance of values the caller built itself and vouches for, made without validation.

        Why: a listed page builds a Record, its ref, its links and their targets for every row.
        Validation is cheap for the small ones but copies a record's ``fields`` key by key, and
        ``model_construct`` is slower than either. The result equals what the constructor would build
        from the same values (defaults filled, field order and fields set kept); an unknown or missing
        required name is a TypeError. Model validators do not run, so the caller keeps their rules (a
        ResourceRef needs an href or a collection). Values typed by the server go through the constructor.
        """
        plan = _PLANS.get(cls)
        template, required, factories = plan if plan is not None else _plan(cls)
        data = template.copy()
        data.update(values)  # known names keep the template's (field) order
        if len(data) != len(template):
            unknown = ", ".join(sorted(set(values) - set(template)))
            raise TypeError(f"{cls.__name__} has no field {unknown}")
        for name in required:
            if name not in values:
                raise TypeError(f"{cls.__name__} needs {name}")
        for name, factory in factories:
            if name not in values:
                data[name] = factory()
        obj = _new(cls)
        # What pydantic's own model_construct sets, without its per-field alias handling.
        _set(obj, "__dict__", data)
        _set(obj, "__pydantic_fields_set__", set(values))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj


class ResourceRef(_Frozen):
    """A pointer to a collection or a record: an href, or a collection key plus an optional id."""

    href: str | None = None
    collection: str | None = None
    id: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ResourceRef:
        if self.href is None and self.collection is None:
            raise ValueError("a ResourceRef needs an href or a collection")
        return self

    @property
    def is_record(self) -> bool:
        return self.id is not None

    def label(self) -> str:
        """A short human label: ``customers/42`` or the href."""
        if self.collection is not None:
            return self.collection if self.id is None else f"{self.collection}/{self.id}"
        return self.href or ""


class Link(_Frozen):
    """A relation from one resource to another, as the server (or the adapter's knowledge) declares it."""

    rel: str
    href: str
    title: str | None = None
    method: str = "GET"
    # Links to another origin are never followed silently; the UI asks first.
    external: bool = False
    # Adapters may resolve a link to a collection key they know, so the UI can show it as a table.
    target: ResourceRef | None = None


class Action(_Frozen):
    """Something a record can do that is not plain CRUD (Krill reboot, Carbon add_payment)."""

    name: str
    method: str = "POST"
    href: str | None = None
    title: str | None = None
    dangerous: bool = False
    parameters: tuple[FieldSpec, ...] = ()

    @property
    def writes(self) -> bool:
        """Whether running it changes the server: anything but GET, HEAD or OPTIONS (hidden when read-only)."""
        return self.method.upper() not in ("GET", "HEAD", "OPTIONS")


class FieldType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    MULTI_CHOICE = "multi-choice"
    OBJECT = "object"
    LIST = "list"


class FieldSpec(_Frozen):
    """One field of a schema: enough to build a form widget and validate input before any request."""

    name: str
    label: str | None = None
    type: FieldType = FieldType.STRING
    required: bool = False
    read_only: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    """(value, display name) pairs for choice and multi-choice fields."""
    max_length: int | None = None
    min_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    help: str | None = None
    secret: bool = False
    multiline: bool = False
    inferred: bool = False
    """True when the type was guessed from sample records rather than declared by the server."""
    children: tuple[FieldSpec, ...] = ()

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


class Schema(_Frozen):
    """The fields of a collection's records, for forms, column choice and validation."""

    fields: tuple[FieldSpec, ...] = ()
    inferred: bool = False
    source: str = ""
    """Where it came from, for the UI: ``OPTIONS``, ``catalogue``, ``inferred from 20 records``."""

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)


class Capabilities(_Frozen):
    """What a collection or record allows; the UI hides what is not allowed instead of failing on 405."""

    can_list: bool = True
    can_get: bool = True
    can_create: bool = False
    can_update: bool = False
    can_delete: bool = False
    partial_update: bool = True
    """Whether an update may send only the changed fields."""


class FilterSpec(_Frozen):
    """How a collection can be filtered, so the UI can offer the right syntax and say where it runs."""

    server_side: bool = False
    fields: tuple[str, ...] = ()
    hint: str = ""


class EntryPoint(_Frozen):
    """A top-level collection the adapter discovered or knows from its catalogue."""

    key: str
    title: str
    group: str = ""
    ref: ResourceRef
    capabilities: Capabilities = Capabilities()
    description: str = ""
    unavailable: str = ""
    """Why the server does not answer this collection (the tree marks it); empty when it answers."""


class Record(_Frozen):
    """One record with its fields in server order, its links and actions, and the raw JSON as received."""

    ref: ResourceRef
    title: str
    fields: dict[str, JSON] = Field(default_factory=dict)
    links: tuple[Link, ...] = ()
    actions: tuple[Action, ...] = ()
    raw: JSON = None
    capabilities: Capabilities = Capabilities()

    @property
    def id(self) -> str | None:
        return self.ref.id


class PageRequest(_Frozen):
    """Which slice of a collection to fetch. ``cursor`` is an opaque next-page token from a previous Page."""

    offset: int = 0
    limit: int = 50
    cursor: str | None = None
    filter: str | None = None
    order_by: str | None = None
    descending: bool = False
    again: bool = False
    """A page of a walk already under way, asked for again (the table had it and let it go: Home after paging
    far): an adapter that kept the whole collection answers from it. An open or a refresh leaves it False,
    and offset 0 is then asked of the server anew."""


class Page(_Frozen):
    """A slice of a collection. ``total`` is None when the API cannot tell the size."""

    items: tuple[Record, ...] = ()
    offset: int = 0
    total: int | None = None
    next_cursor: str | None = None
    whole: bool = False
    """True when the server sent the entire collection in one answer (it ignored the paging asked for): the
    page was cut from what it sent (``Backend.keep_unpaged``), and the rest comes without another request."""
    offset_ignored: bool = False
    """True when the server answered a later page with the first page's rows again (it honours ``limit`` but
    ignores ``offset``): ``items`` keeps only the rows from ``offset`` on that are new, nothing more can be
    fetched, and ``total`` stays what the server counted, so the UI can say only the first rows can be shown."""
    sorted_locally: bool = False
    """True when the order asked was made by the adapter, over the entire collection it fetched (the server
    cannot sort), not by the server."""

    @property
    def has_more(self) -> bool:
        if self.offset_ignored:
            return False
        if self.total is not None:
            return self.offset + len(self.items) < self.total
        return self.next_cursor is not None


Action.model_rebuild()
