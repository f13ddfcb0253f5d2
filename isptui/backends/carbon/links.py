"""A Carbon record's links and actions, from templates worked out once per model listing.

A record links to what its foreign keys (and pk-valued reference fields) point at, and to the rows of
other models that point at it. Which fields those are, their titles, the URL up to the pk and the actions
depend only on the model, so they are computed once per model, not for every listed row; what is left per
record is the pk in the URL, the way a listing of thousands of rows can afford.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from isptui.backends.carbon import mapping
from isptui.backends.carbon.actions import actions_for
from isptui.discovery import title_for
from isptui.model import Action, Link, ResourceRef


def query_value(value: str) -> str:
    """``value`` as ``urlencode`` writes it in a query; digits, the usual pk, need no encoding."""
    return value if value.isascii() and value.isdigit() else quote_plus(value)


@dataclass(frozen=True)
class _Outgoing:
    """A field of this model naming another model's pk: the link goes to that record."""

    name: str
    target: str
    title: str
    prefix: str
    """The link's URL up to the pk: ``{base}{target}/?pk=``."""


@dataclass(frozen=True)
class _Incoming:
    """Another model's field naming this model's pk: the link lists that model's rows for this record."""

    model: str
    title: str
    prefix: str
    """The link's URL up to the pk: ``{base}{model}/?{lookup}=``."""


@dataclass(frozen=True)
class _Template:
    outgoing: tuple[_Outgoing, ...]
    incoming: tuple[_Incoming, ...]
    actions: tuple[Action, ...]


class Decorator:
    """Links and actions of records, per model; built for one model listing (``models``)."""

    def __init__(self, base_url: str, models: Mapping[str, mapping.ModelInfo]) -> None:
        self.base_url = base_url
        self.models = models
        self._templates: dict[str, _Template] = {}

    def _template(self, model: str) -> _Template:
        found = self._templates.get(model)
        if found is not None:
            return found
        info = self.models.get(model) or mapping.ModelInfo(name=model)
        outgoing = tuple(
            _Outgoing(name, target, title_for(name), f"{self.base_url}{target}/?pk=")
            for name, target in {**info.fks(), **info.references()}.items())
        incoming: list[_Incoming] = []
        for other in self.models.values():
            fks = other.fks()
            for name, target in {**fks, **other.references()}.items():
                if target != model:
                    continue
                lookup = f"{name}__pk" if name in fks else name
                incoming.append(_Incoming(other.name, mapping.CATALOGUE.get(other.name, (other.name, ""))[0],
                                          f"{self.base_url}{other.name}/?{quote_plus(lookup)}="))
        found = _Template(outgoing, tuple(incoming), tuple(actions_for(info, set(self.models))))
        self._templates[model] = found
        return found

    def __call__(self, model: str, pk: str | None,
                 fields: Mapping[str, Any]) -> tuple[tuple[Link, ...], tuple[Action, ...]]:
        """The links and actions of the record ``pk`` of ``model`` whose fields are ``fields``."""
        template = self._template(model)
        links: list[Link] = []
        for out in template.outgoing:
            value = fields[out.name] if out.name in fields else fields.get(f"{out.name}_id")
            if mapping.is_object(value):
                value = value["pk"]
            if isinstance(value, int | str) and not isinstance(value, bool) and str(value).isdigit():
                text = str(value)
                # Every value is made here from the listing and a checked pk: no validation needed.
                links.append(Link.trusted(rel=out.name, href=out.prefix + query_value(text),
                                          title=f"{out.title} ({out.target} {value})",
                                          target=ResourceRef.trusted(collection=out.target, id=text)))
        if pk is not None:
            encoded = query_value(pk)
            for inc in template.incoming:
                href = inc.prefix + encoded
                links.append(Link.trusted(rel=inc.model, href=href, title=inc.title,
                                          target=ResourceRef.trusted(collection=inc.model, href=href)))
        return tuple(links), template.actions
