"""The plug-in contract: what each backend declares about itself, and the registry that finds them.

A backend is a package that publishes a :class:`BackendDescriptor` under the ``isptui.backends`` entry
point group (``name = "package.module:DESCRIPTOR"``). Everything the rest of isptui knows about a backend
comes from here: the command line builds its credential flags from ``credentials``, the config validates
backend names and credential keys against it and reads its environment variables, the picker shows its
title and description, the read-only guard lets its ``read_only_auth_calls`` through, and the sandbox lists
its quirk variants. No module outside the backend's package names it.

This module is imported before the first paint of the picker, so it imports neither httpx nor pydantic
nor the adapter: the adapter class is named by a string and imported by :meth:`BackendDescriptor.load`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from isptui.backends.entry_points import EntryPointLike, entry_points

if TYPE_CHECKING:
    from isptui.backends.base import Backend

ENTRY_POINT_GROUP = "isptui.backends"

LoginCall = tuple[str, str]
"""``(METHOD, path pattern)``: ``*`` matches one path segment (``("DELETE", "/api/2.0/admin/auth/tokens/*")``)."""


@dataclass(frozen=True)
class CredentialField:
    """One credential a backend takes: its config key, its ``isptui open`` flag, its environment variable.

    ``key`` is the config.toml key and the flag's name (``api_key`` ↔ ``--api-key``); ``setting`` is the
    key in ``BackendSettings.credentials`` when the adapter calls it something else (``splynx_auth`` →
    ``auth``). Two backends may share a field (``username``) if they declare it alike.
    """

    key: str
    env: str | None = None
    secret: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    default: str | None = None
    """Used when neither flag, environment nor file gives a value (Trisul's ``context``)."""
    setting: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")

    @property
    def setting_key(self) -> str:
        return self.setting or self.key


@dataclass(frozen=True)
class SearchWay:
    """How a server can search one kind of Find query (``isptui find``, ``ctrl+f``).

    The search goes through the adapter's own filtered ``list()``: ``filter`` is the adapter's filter text
    with ``{value}`` where the query's value goes (``"email={value}"``, ``"mac~{value}"``, or ``"{value}"``
    for the server's plain-text search). ``by_id``: the value is the record's id and is read with ``get()``.
    ``keys`` names the fields of this collection's records that hold each key kind (``{"ip": ("ipv4",)}``);
    Find reads them to group records of different systems into one subscriber; the name ``pk`` is the
    record's own id (for APIs that keep it outside the fields, as Carbon does).
    """

    collection: str
    filter: str = ""
    match: str = "exact"
    """``exact`` or ``contains`` (the server matches a substring; Find keeps only records whose key equals
    the query after normalising)."""
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    by_id: bool = False
    server_side: bool = True
    """False when the server cannot filter and the adapter filters the complete list it sends in one
    response (Trisul): still one request, said so in the README's table."""
    note: str = ""

    def __post_init__(self) -> None:
        if self.match not in ("exact", "contains"):
            raise ValueError(f"SearchWay.match must be 'exact' or 'contains', not {self.match!r}")
        if not self.by_id and "{value}" not in self.filter:
            raise ValueError("SearchWay.filter needs a {value} placeholder (or by_id=True)")

    def filter_text(self, value: str) -> str:
        """The filter text for ``value`` (commas would split the filter into terms, so they are dropped)."""
        return self.filter.replace("{value}", value.replace(",", " ").strip())


@dataclass(frozen=True)
class ScanWay:
    """A kind the server cannot search, but whose records carry it: the collection isptui may read page by
    page and compare locally — only when asked (``isptui find --scan N``, ``s`` on the Find screen), and at
    most N records. ``keys`` as in :class:`SearchWay`."""

    collection: str
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class CatalogueEntry:
    """A collection the backend is known to offer before any request: what the explorer's tree paints
    first (issue 15: paint from what is known, connect after). Discovery then confirms or corrects it."""

    key: str
    """The entry point's key, as ``discover()`` will return it (``customers``, ``isp/cpes``)."""
    title: str
    group: str = ""
    listable: bool = True


@dataclass(frozen=True)
class BackendDescriptor:
    """Everything isptui needs to know about a backend without importing its adapter."""

    name: str
    """Registry key, profile ``backend = …``, ``isptui open NAME``: lower case, no spaces."""
    title: str
    description: str
    adapter: str
    """``"package.module:Class"``, a :class:`~isptui.backends.base.Backend` subclass, imported on use."""
    url_env: str | None = None
    """The environment variable whose presence makes an implicit ``env-NAME`` profile (``SPLYNX_URL``)."""
    credentials: tuple[CredentialField, ...] = ()
    read_only_auth_calls: tuple[LoginCall, ...] = ()
    requires: tuple[tuple[str, ...], ...] = ()
    """Credential keys a connection cannot do without: alternatives, any one set complete is enough
    (Splynx: an API key and secret, or an administrator login and password). Missing ones are a usage
    error before any request, not a failed login."""
    """Writes that only log in or out; a read-only connection still sends them (the guard lets them by)."""
    filter_help: str = ""
    """The filter prompt's hint: what the server understands (``field=value``, a search word…); ``{field}`` is
    replaced by the collection's search field where the adapter knows it."""
    docs: str = ""
    """The wire-notes page in ``docs/`` for this backend."""
    extra: Mapping[str, str] = field(default_factory=dict)
    search: Mapping[str, SearchWay] = field(default_factory=dict)
    """Find: query kind (``id``, ``email``, ``mac``, ``ip``, ``phone``, ``login``, ``name``) -> how this
    server searches it. A kind not declared is "not searchable on this server": Find says so instead of
    scanning."""
    scan: Mapping[str, ScanWay] = field(default_factory=dict)
    """Find: for kinds not in ``search``, the collection whose records carry that key, which a bounded local
    scan reads when the user asks for one (``ScanWay``). Nothing is ever scanned unasked."""
    catalogue: tuple[CatalogueEntry, ...] | str = ()
    """The collections known without asking the server, for the explorer's first paint: the entries, or
    ``"package.module:NAME"`` naming them (a sequence, or a function returning one) in a module as light
    as this one. Empty for a backend whose collections only discovery can tell (the tree then waits)."""

    def first_paint(self) -> tuple[CatalogueEntry, ...]:
        """The declared catalogue; empty (never an error) when the named module cannot give one."""
        if not isinstance(self.catalogue, str):
            return self.catalogue
        module_name, _, attr = self.catalogue.partition(":")
        try:
            found = getattr(importlib.import_module(module_name), attr)
            entries = tuple(found() if callable(found) else found)
        except (ImportError, AttributeError, TypeError):
            return ()
        return tuple(e for e in entries if isinstance(e, CatalogueEntry))

    def load(self) -> type[Backend]:
        """The adapter class; ImportError/AttributeError when it cannot be had.

        ``isptui.backends.base.load_backend`` checks that it is a Backend (base imports this module).
        """
        module_name, _, attr = self.adapter.partition(":")
        return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]

    def missing(self, credentials: Mapping[str, str | None]) -> str | None:
        """What a profile lacks to connect (``--username and --password``), or None when nothing is."""
        if not self.requires or any(all(credentials.get(k) for k in keys) for keys in self.requires):
            return None
        def named(keys: tuple[str, ...]) -> str:
            return " and ".join(f"{c.flag}" + (f" (or {c.env})" if c.env else "")
                                for k in keys if (c := self.credential(k)) is not None)
        return " or ".join(named(keys) for keys in self.requires)

    def credential(self, key: str) -> CredentialField | None:
        return next((f for f in self.credentials if f.key == key), None)

    @property
    def secret_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.credentials if f.secret)

    @property
    def quirks(self) -> tuple[str, ...]:
        """The sandbox's quirk variants for this backend (``isptui sandbox quirks``)."""
        from isptui.sandbox.quirks import quirks_for

        return tuple(q.name for q in quirks_for(self.name))


def lazy_adapter(descriptor: BackendDescriptor) -> Callable[[str], Any]:
    """A package's module ``__getattr__`` that imports its adapter class on first use (PEP 562).

    ``from isptui.backends.splynx import SplynxBackend`` keeps working while importing the package
    (to read its ``DESCRIPTOR``) stays cheap.
    """
    class_name = descriptor.adapter.rsplit(":", 1)[-1]

    def __getattr__(name: str) -> Any:
        if name == class_name:
            return descriptor.load()
        raise AttributeError(name)

    return __getattr__


class RegistryError(LookupError):
    """A backend name that is not registered, or a package whose entry point is broken."""


@cache
def _entry_points() -> dict[str, EntryPointLike]:
    # Read once: scanning every installed distribution's metadata costs a few ms (~60 through
    # importlib.metadata: see isptui.backends.entry_points), and the command line asks for several
    # descriptors while it builds its flags. Sorted for a stable order; the first distribution wins when two publish the same name.
    found: dict[str, EntryPointLike] = {}
    for ep in sorted(entry_points(ENTRY_POINT_GROUP), key=lambda e: e.name):
        found.setdefault(ep.name, ep)
    return found


BUILTIN_ORDER = ("splynx", "krill", "ispcrm", "trisul", "carbon")
"""The order the built-in backends are shown in; plug-ins follow, by name."""


@cache
def names() -> tuple[str, ...]:
    """Registered backend names, without importing any of them."""
    found = _entry_points()
    return tuple(sorted(found, key=lambda n: (BUILTIN_ORDER.index(n) if n in BUILTIN_ORDER else 99, n)))


@cache
def descriptor(name: str) -> BackendDescriptor:
    """The descriptor for ``name``; RegistryError naming the known backends when there is none."""
    ep = _entry_points().get(name)
    if ep is None:
        raise RegistryError(f"unknown backend {name!r}; known: {', '.join(names()) or 'none'}")
    try:
        obj = _declared(ep)
    except (ImportError, AttributeError) as exc:
        # A broken third-party package must not crash the app with a traceback.
        raise RegistryError(f"backend {name!r} could not be loaded ({type(exc).__name__}: {exc})") from exc
    # An entry point may also name the adapter class, which then carries its descriptor.
    found = obj if isinstance(obj, BackendDescriptor) else getattr(obj, "descriptor", None)
    if not isinstance(found, BackendDescriptor):
        raise RegistryError(f"entry point {name!r} names neither a BackendDescriptor nor a Backend with one")
    if found.name != name:
        raise RegistryError(f"entry point {name!r} publishes a descriptor named {found.name!r}")
    return found


def _declared(ep: EntryPointLike) -> object:
    """What an entry point names. An install made before descriptors existed names the adapter class
    (``pkg:SplynxBackend``); when the package itself publishes ``DESCRIPTOR``, that is read instead, so
    the adapter (httpx and all) is not imported just to list backends."""
    if ep.attr:
        module = importlib.import_module(ep.module)
        found = getattr(module, "DESCRIPTOR", None)
        if isinstance(found, BackendDescriptor) and found.adapter.rsplit(":", 1)[-1] == ep.attr:
            return found
    return ep.load()


def descriptors() -> list[BackendDescriptor]:
    """Every backend that loads; broken plug-ins are left out (``descriptor(name)`` says why)."""
    out = []
    for name in names():
        try:
            out.append(descriptor(name))
        except RegistryError:
            continue
    return out


def credential_fields() -> dict[str, CredentialField]:
    """Every credential field of every backend, by key (the union the command line offers as flags)."""
    fields: dict[str, CredentialField] = {}
    for desc in descriptors():
        for cred in desc.credentials:
            fields.setdefault(cred.key, cred)
    return fields


def secret_values(credentials: Mapping[str, str]) -> list[str]:
    """The credential values that must never reach the screen, logs or the journal.

    A value is public only when a registered backend declares its key non-secret (``username``,
    ``admin_login``, ``splynx_auth``…); anything else, including keys nobody declared, is treated as secret.
    """
    public = {f.setting_key for f in credential_fields().values() if not f.secret}
    return [v for k, v in credentials.items() if v and k not in public]


def clear() -> None:
    """Forget what was found (tests that install a plug-in on the fly)."""
    _entry_points.cache_clear()
    names.cache_clear()
    descriptor.cache_clear()
