"""Where the user can be: a collection, a record or a link target; plus back/forward history of places."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pydantic: not imported before the explorer's first paint (issue 15)
    from isptui.model import Link, ResourceRef

PlaceKind = Literal["collection", "record", "link"]


@dataclass(frozen=True)
class Place:
    """A destination: what to fetch (a ref, or a link to follow) and what to call it in breadcrumbs."""

    kind: PlaceKind
    title: str
    ref: ResourceRef | None = None
    link: Link | None = None
    parent: str = ""
    """The breadcrumb of the place it was reached from (``Customers › 42``)."""
    group: str = ""
    """The entry-point group of a collection (Krill's ``isp`` or ``monitoring``), to tell twins apart."""
    entry: str = ""
    """The entry-point key of a collection from the backend's declared catalogue, known before connecting
    (no ``ref`` yet: the explorer resolves it against what discovery found, once connected)."""

    @property
    def key(self) -> str:
        """Identity for de-duplication in go-to and history."""
        if self.ref is not None:
            return f"{self.kind}:{self.ref.label()}"
        if self.entry:
            return f"{self.kind}:{self.entry}"  # what the ref made from this entry point will say
        return f"{self.kind}:{self.link.href if self.link else self.title}"

    @property
    def crumbs(self) -> list[str]:
        """Breadcrumb parts, from the first place reached down to this one."""
        return [*(p for p in self.parent.split(" › ") if p), self.title]


@dataclass
class History:
    """Browser-style history: visiting a place drops everything forward of the current one."""

    places: list[Place] = field(default_factory=list)
    index: int = -1
    limit: int = 200

    @property
    def current(self) -> Place | None:
        return self.places[self.index] if 0 <= self.index < len(self.places) else None

    def visit(self, place: Place) -> None:
        if self.current is not None and self.current.key == place.key:
            return
        del self.places[self.index + 1:]
        self.places.append(place)
        if len(self.places) > self.limit:
            del self.places[0]
        self.index = len(self.places) - 1

    def back(self) -> Place | None:
        if self.index > 0:
            self.index -= 1
            return self.current
        return None

    def forward(self) -> Place | None:
        if self.index + 1 < len(self.places):
            self.index += 1
            return self.current
        return None

    @property
    def can_back(self) -> bool:
        return self.index > 0

    @property
    def can_forward(self) -> bool:
        return self.index + 1 < len(self.places)
