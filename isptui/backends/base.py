"""The async Backend contract and the registry that finds adapters by entry point.

The UI talks only to this class. Every method may raise a ``BackendError`` subclass and nothing else for an
expected failure. Vendor differences live in the adapters; here are only the shapes the UI relies on.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from isptui.backends import registry
from isptui.backends.registry import BackendDescriptor
from isptui.errors import BackendError, NotSupported, WriteUnconfirmed
from isptui.model import (
    Action,
    Capabilities,
    EntryPoint,
    FilterSpec,
    Link,
    Page,
    PageRequest,
    Record,
    ResourceRef,
    Schema,
)

if TYPE_CHECKING:
    import httpx

    from isptui.http.log import RequestLog

@dataclass
class Elevation:
    """Whether a read-only profile was elevated for this session; shared by the HTTP guards and the UI.

    Mutable on purpose: the guard asks on every request, so elevating reaches the HTTP layer without
    rebuilding the client (and without logging in again).
    """

    elevated: bool = False


@dataclass(frozen=True)
class BackendSettings:
    """Everything an adapter needs to connect. Secrets are plain strings here, held only in memory.

    ``credentials`` keys are per backend, as its descriptor declares them (``CredentialField.setting_key``).
    ``transport`` lets tests and the demo inject ``httpx.ASGITransport(app=sandbox)``.
    """

    url: str
    credentials: Mapping[str, str] = field(default_factory=dict)
    read_only: bool = False
    verify: bool | str = True
    timeout: float = 15.0
    transport: httpx.AsyncBaseTransport | None = None
    request_log: RequestLog | None = None
    retries: int = 2
    profile_name: str = ""
    elevation: Elevation = field(default_factory=Elevation, compare=False)

    @property
    def writes_refused(self) -> bool:
        """Read-only and not elevated: what every read-only guard checks, request by request."""
        return self.read_only and not self.elevation.elevated

    def secrets(self) -> list[str]:
        """Values that must never reach the screen, logs or the journal."""
        return registry.secret_values(self.credentials)


class Backend(abc.ABC):
    """An ISP system as seen by isptui: discover, list, get, follow, schema, write, act."""

    descriptor: ClassVar[BackendDescriptor | None] = None
    """What the backend declares about itself (``isptui.backends.registry``); name and title come from it."""
    name: str = ""
    """Registry key: ``splynx``, ``krill``, …"""
    title: str = ""
    """What the UI shows: ``Splynx``, ``Krill (Phicus)``, …"""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # One source for name and title: a subclass that sets a descriptor gets them from it.
        if cls.descriptor is not None:
            cls.name = cls.name or cls.descriptor.name
            cls.title = cls.title or cls.descriptor.title

    def __init__(self, settings: BackendSettings) -> None:
        self.settings = settings

    @property
    def read_only(self) -> bool:
        """Whether writes are refused right now (a read-only profile, not elevated)."""
        return self.settings.writes_refused

    def elevate(self) -> None:
        """Allow writes for the rest of this session; the HTTP guard sees it on the next request."""
        self.settings.elevation.elevated = True

    # -- connection -------------------------------------------------------------------------------
    @abc.abstractmethod
    async def connect(self) -> None:
        """Authenticate and check that the server is the system we think it is."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the HTTP client (and log out where the API has a logout)."""

    async def __aenter__(self) -> Backend:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- reading ----------------------------------------------------------------------------------
    @abc.abstractmethod
    async def discover(self) -> list[EntryPoint]:
        """Top-level collections, with titles and groups, in the order the UI should show them."""

    @abc.abstractmethod
    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        """One page of a collection. ``Page.total`` is set when the API can tell."""

    @abc.abstractmethod
    async def get(self, ref: ResourceRef) -> Record:
        """One record with its links and actions."""

    async def follow(self, link: Link) -> Record | Page:
        """Fetch what a link points at: a record, or the first page of a collection."""
        raise NotSupported(f"{self.title} cannot follow link {link.rel!r}")

    @abc.abstractmethod
    async def schema(self, ref: ResourceRef) -> Schema:
        """The fields of records in a collection (cached per connection by the adapter)."""

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        """What a collection allows, as far as known without a request."""
        return Capabilities()

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        """How a collection can be filtered; ``server_side=False`` means the UI filters locally."""
        return FilterSpec()

    # -- writing ----------------------------------------------------------------------------------
    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        raise NotSupported(f"{self.title} cannot create records in {ref.label()}")

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        raise NotSupported(f"{self.title} cannot update {ref.label()}")

    async def delete(self, ref: ResourceRef) -> None:
        raise NotSupported(f"{self.title} cannot delete {ref.label()}")

    async def invoke(self, record: Record, action: Action, params: Mapping[str, Any] | None = None) -> Any:
        raise NotSupported(f"{self.title} has no action {action.name!r}")

    async def read_back(self, ref: ResourceRef, sent: Mapping[str, Any]) -> Record:
        """The record after a write the server accepted; a failed read becomes WriteUnconfirmed."""
        try:
            return await self.get(ref)
        except BackendError as exc:
            raise WriteUnconfirmed(
                f"the server accepted the write to {ref.label()}, but reading it back failed ({exc.message}); "
                "press r to refresh before changing it again", ref=ref, sent=dict(sent),
                method=exc.method, url=exc.url, status=exc.status) from exc

    async def confirm_deleted(self, ref: ResourceRef) -> None:
        """After an accepted DELETE: a record still readable was archived, not removed; say so.

        A failed confirming read is not a failed delete, so only a successful read is reported.
        """
        try:
            await self.get(ref)
        except BackendError:
            return
        raise WriteUnconfirmed(f"the server accepted the delete of {ref.label()} but still returns it "
                               "(archived rather than removed?)", ref=ref, sent={})

    def describe_write(self, method: str, ref: ResourceRef, values: Mapping[str, Any]) -> list[str]:
        """The exact request lines a write would send (secrets redacted), for the diff preview."""
        return [f"{method} {ref.label()}"]


def load_backend(name: str) -> type[Backend]:
    """The adapter class for ``name``, found through the registry (the ``isptui.backends`` entry points).

    ``KeyError`` naming the known backends when there is none or it cannot be imported: a broken
    third-party package must not crash the app with a traceback.
    """
    try:
        cls = registry.descriptor(name).load()
    except registry.RegistryError as exc:
        raise KeyError(str(exc)) from exc
    except (ImportError, AttributeError) as exc:
        raise KeyError(f"backend {name!r} could not be loaded ({type(exc).__name__}: {exc})") from exc
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise TypeError(f"backend {name!r}: {registry.descriptor(name).adapter} is not a Backend subclass")
    return cls
