"""The Carbon Billing adapter: RPC method chains over form posts, pk-window paging, object-method actions.

Large models are paged without reading every row: a count gives the total, and a page is the rows of a pk
window. The first page is the window below a pk (no lower bound, so a pk 0 or below is not missed); each
page remembers where the next one starts. A page reached by offset alone starts at ``o+1`` when pks run
1..total without gaps; otherwise its start pk is found with a few windowed counts above the lowest pk.
Pks that are not integers (or numeric strings) cannot be windowed: such a model is listed whole.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from isptui.backends.base import BackendSettings, WriteRequest
from isptui.backends.carbon import mapping
from isptui.backends.carbon.actions import ACTIONS
from isptui.backends.carbon.chain import Chain, dumps
from isptui.backends.carbon.descriptor import DESCRIPTOR
from isptui.backends.carbon.guard import API_POSTS, ReadOnlyChains
from isptui.backends.carbon.links import Decorator
from isptui.backends.http_backend import HttpBackend, maybe_json
from isptui.discovery import infer_schema
from isptui.errors import (
    AuthFailed,
    BackendError,
    ConnectionFailed,
    MalformedResponse,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    ServerError,
    ValidationFailed,
)
from isptui.http import json_body
from isptui.model import Action, Capabilities, EntryPoint, FilterSpec, Link, Page, PageRequest, Record, ResourceRef, Schema

API_PATH = "/rest_api/v2/"
FORM = "application/x-www-form-urlencoded"
LOCAL_MAX = 500
"""Filtered or sorted results up to this size are fetched in one call and paged here."""
MAX_WINDOWS = 24
Key = tuple[str, str]


class CarbonBackend(HttpBackend):
    """Carbon Billing 5, REST API v2 (``{url}/rest_api/v2/<Model>/``); no credentials (network-restricted)."""

    descriptor = DESCRIPTOR
    # No auth calls; every API call is a POST method chain, allowed only when ReadOnlyChains finds it all reads.
    READ_ONLY_READ_CALLS = (API_POSTS,)
    vendor = "Carbon"
    api_path = API_PATH

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.models: dict[str, mapping.ModelInfo] = {}
        self.listed = False
        self._decorator = Decorator(self.base_url, self.models)
        self._probed: set[str] = set()
        self._schemas: dict[str, Schema] = {}
        self._totals: dict[Key, int] = {}
        self._dense: dict[Key, bool] = {}
        self._anchors: dict[Key, dict[int, int]] = {}
        self._rows: dict[Key, list[dict[str, Any]]] = {}
        self._no_count: set[str] = set()  # models whose server refused count: listed by objects.filter only
        self._no_windows: set[str] = set()  # models with pks that are not integers: listed whole as well
        self._no_order: set[str] = set()  # models whose server refused order_by: sorted here, listed whole
        self._unanswered: dict[str, str] = {}  # model -> the server's refusal of objects.filter on it

    # -- connection -------------------------------------------------------------------------------
    def _make_auth(self) -> httpx.Auth | None:
        if not self.settings.read_only:
            return None
        return ReadOnlyChains(self._redactor, lambda: self.settings.writes_refused)

    async def _probe(self) -> None:
        """Read the model listing (or, where it is not JSON, ask ``Version``) to prove this is Carbon."""
        await self._load_listing()

    async def _load_listing(self) -> None:
        response = await self._send("GET", self.base_url, check=False)
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            raise self._error(response)
        listing: dict[str, mapping.ModelInfo] = {}
        if response.status_code < 400:
            try:
                doc = json_body(response, self._redactor)
                # The documented envelope puts the listing under "result"; a bare listing is read as well.
                bare = isinstance(doc, dict) and "result" not in doc and not {"call", "error"} & doc.keys()
                listing = mapping.parse_listing(doc if bare or isinstance(doc, list) else
                                                doc.get("result") if isinstance(doc, dict) else None)
            except MalformedResponse:
                listing = {}  # the page is meant for a browser (docs/carbon.md §5.4): fall back below
        if listing:
            self.models, self.listed = listing, True
            return
        await self._version()
        self.models = {name: mapping.ModelInfo(name=name) for name in mapping.CATALOGUE}

    async def _version(self) -> Any:
        """``POST Version/ get_version=True``: the documented liveness call (docs/carbon.md §5.2)."""
        response = await self._send("POST", self.base_url + "Version/", check=False, content="get_version=True",
                                    headers={"Content-Type": FORM})
        return self._result(response, "Version")

    # -- one call ---------------------------------------------------------------------------------
    def _info(self, model: str) -> mapping.ModelInfo:
        return self.models.get(model) or mapping.ModelInfo(name=model)

    def _result(self, response: httpx.Response, model: str) -> Any:
        where = self._where(response)
        if response.status_code >= 500 or response.status_code == 429:
            raise self._error(response)
        doc = json_body(response, self._redactor) if response.status_code < 400 else maybe_json(response)
        error = doc.get("error") if isinstance(doc, dict) else None
        if error not in (None, "", False, [], {}):
            # A non-empty "error" is the failure (docs/carbon.md §5.2), whatever the status says.
            text = self._redactor.message(error if isinstance(error, str) else json.dumps(error), 300)
            known = tuple(f.name for f in self._info(model).fields)
            raise mapping.error_for(text, model=model, fields=known, where=where)
        if response.status_code >= 400:
            raise self._error(response)
        if not isinstance(doc, dict) or "result" not in doc:
            raise MalformedResponse("Carbon answered without a result or an error", **where)
        return doc["result"]

    async def run(self, chain: Chain) -> Any:
        """Send one method chain to its model and return ``result`` (or raise the typed error)."""
        response = await self._send("POST", self.base_url + chain.model + "/", check=False,
                                    content=urlencode(chain.form()), headers={"Content-Type": FORM})
        return self._result(response, chain.model)

    def record_of(self, result: Any, chain: Chain) -> Record:
        """The Record for an object a chain returned, with its links and actions."""
        return self._records([result], chain.model)[0]

    def _records(self, objects: list[Any], model: str) -> list[Record]:
        """Records of ``model`` objects with their links and actions; what is per model is worked out once."""
        if self._decorator.models is not self.models:
            self._decorator = Decorator(self.base_url, self.models)  # a new listing: new templates
        url = self._redactor.url(self.base_url + model + "/")
        caps = self.capabilities(ResourceRef(collection=model))
        return [mapping.to_record(obj, model=model, url=url, caps=caps, decorate=self._decorator)
                for obj in objects]

    # -- where things are -------------------------------------------------------------------------
    def _model_of(self, ref: ResourceRef) -> tuple[str, dict[str, Any]]:
        """The model a ref names and the lookups its href carries (links to filtered collections)."""
        lookups: dict[str, Any] = {}
        model = ref.collection
        if ref.href:
            parts = urlsplit(ref.href)
            model = model or parts.path.rstrip("/").rsplit("/", 1)[-1]
            lookups = {k: mapping._value(v) for k, v in parse_qsl(parts.query)}
        if not model or not model.isidentifier() or model in mapping.NOT_MODELS:
            raise NotFound(f"{ref.label()} names no Carbon model")
        if self.listed and model not in self.models:
            raise NotFound(f"Carbon lists no model {model!r}; choose one of {', '.join(list(self.models)[:8])}…")
        return model, lookups

    # -- reading ----------------------------------------------------------------------------------
    async def discover(self) -> list[EntryPoint]:
        """The listed models, or (no listing) the built-in catalogue, each probed once with an empty
        ``objects.filter`` (``pk__in=[]``: Django answers it without a query) so models this server does
        not have are marked, not offered as if they worked. A listed model that fails on open is marked too."""
        if not self.listed:
            await asyncio.gather(*(self._probe_model(name) for name in self.models if name not in self._probed))
        entries = []
        for name, info in self.models.items():
            title, group = mapping.CATALOGUE.get(name, (name, "Other"))
            entries.append(EntryPoint(key=name, title=title, group=group, ref=ResourceRef(collection=name),
                                      capabilities=mapping.capabilities(info), description=f"{API_PATH}{name}/",
                                      unavailable=self._unanswered.get(name, "")))
        return entries

    async def _probe_model(self, model: str) -> None:
        try:
            await self.run(Chain(model).filter(pk__in=[]))
        except (ConnectionFailed, RequestTimeout, RateLimited, AuthFailed, PermissionDenied, ServerError):
            return  # the network or the server's mood, not the model: leave it unmarked, try again later
        except BackendError as exc:
            self._unanswered[model] = exc.message
        self._probed.add(model)

    def _unanswered_error(self, model: str, exc: BackendError) -> BackendError:
        """A refusal of ``objects.filter`` on a model, said as what it means: the server lacks it."""
        if isinstance(exc, NotFound | NotSupported) or type(exc) is BackendError:
            self._unanswered[model] = exc.message
            return NotFound(f"{model} is not answered by this server ({exc.message})", method=exc.method,
                            url=exc.url, status=exc.status)
        return exc

    def capabilities(self, ref: ResourceRef) -> Capabilities:
        return mapping.capabilities(self._info(ref.collection or ""))

    def filter_spec(self, ref: ResourceRef) -> FilterSpec:
        info = self._info(ref.collection or "")
        names = tuple(f.name for f in info.fields) or (self._schemas[ref.collection].names
                                                        if ref.collection in self._schemas else ())
        return FilterSpec(server_side=True, fields=names,
                          hint=mapping.FILTER_HINT.format(field=mapping.search_field(info) or "nothing"))

    def _list_fields(self, info: mapping.ModelInfo) -> list[str] | None:
        wanted = mapping.LIST_FIELDS.get(info.name)
        if not wanted or (info.fields and not all(info.has(f) for f in wanted)):
            return None  # unknown model, or a server whose model differs: ask for every field
        return list(wanted)

    def _query(self, model: str, lookups: Mapping[str, Any], excludes: Mapping[str, Any],
               **window: Any) -> Chain:
        chain = Chain(model)
        lookups = dict(lookups)
        if any(k in lookups for k in window):
            chain, lookups = chain.filter(**lookups), {}
        chain = chain.filter(**lookups, **window)
        return chain.call("exclude", dict(excludes)) if excludes else chain

    async def _count(self, model: str, lookups: Mapping[str, Any], excludes: Mapping[str, Any],
                     **window: Any) -> int:
        result = await self.run(self._query(model, lookups, excludes, **window).count())
        if isinstance(result, bool) or not isinstance(result, int):
            raise MalformedResponse(f"Carbon's count of {model} is not a number", method="POST",
                                    url=self._redactor.url(self.base_url + model + "/"))
        return result

    def forget(self) -> None:
        """Drop every cached total, window and row list (after a write, or to refresh)."""
        for cache in (self._totals, self._dense, self._anchors, self._rows):
            cache.clear()

    async def list(self, ref: ResourceRef, request: PageRequest | None = None) -> Page:
        request = request or PageRequest()
        model, lookups = self._model_of(ref)
        try:
            return await self._list(ref, model, lookups, request)
        except BackendError as exc:
            if request.filter or request.order_by or lookups:
                raise  # the filter or the order was refused, not the model
            raise self._unanswered_error(model, exc) from exc

    async def _list(self, ref: ResourceRef, model: str, lookups: dict[str, Any], request: PageRequest) -> Page:
        info = self._info(model)
        own, excludes = mapping.parse_filter(request.filter, mapping.search_field(info))
        lookups = {**lookups, **own}
        key: Key = (model, dumps([lookups, excludes]))
        offset, start = request.offset, None
        if request.cursor:
            head, _, tail = request.cursor.partition(":")
            if head.isdigit() and _pk_int(tail) is not None:
                offset, start = int(head), _pk_int(tail)
        elif request.offset == 0:
            for cache in (self._totals, self._dense, self._anchors, self._rows):
                cache.pop(key, None)  # the first page is a (re)load: count again
        if model in self._no_count or model in self._no_windows:
            return await self._list_documented(ref, model, lookups, excludes, info, request)
        if key not in self._totals:
            try:
                self._totals[key] = await self._count(model, lookups, excludes)
            except NotSupported:
                # count (like exists and order_by) is not among the chain methods the vendor documents, and
                # this server refuses it: list with objects.filter alone, from now on, for this model.
                self._no_count.add(model)
                return await self._list_documented(ref, model, lookups, excludes, info, request)
        total = self._totals[key]
        fields = self._list_fields(info)
        if request.order_by and model in self._no_order:
            return await self._list_documented(ref, model, lookups, excludes, info, request)
        if request.order_by or ((lookups or excludes) and total <= LOCAL_MAX):
            try:
                rows = (await self._all(key, model, lookups, excludes, fields, request))[offset:offset + request.limit]
            except BackendError as exc:
                if not request.order_by or not _refused(exc) or total > LOCAL_MAX:
                    raise
                # order_by is not among the documented chain methods, and this server refuses it: every row
                # through objects.filter, sorted here, from now on for this model.
                self._no_order.add(model)
                return await self._list_documented(ref, model, lookups, excludes, info, request)
        else:
            if start is None and offset > 0:
                start = await self._start_pk(key, model, lookups, excludes, offset, total)
            try:
                rows = await self._window(model, lookups, excludes, fields, start,
                                          max(0, min(request.limit, total - offset)))
            except _NotWindowable:
                self._no_windows.add(model)
                return await self._list_documented(ref, model, lookups, excludes, info, request)
            if rows:
                self._anchors.setdefault(key, {})[offset + len(rows)] = _pk_int(rows[-1]["pk"]) + 1  # type: ignore[operator]
        items = tuple(self._records(rows, model))
        end = offset + len(items)
        cursor = f"{end}:{_pk_int(rows[-1]['pk']) + 1}" if rows and end < total else None  # type: ignore[operator]
        return Page(items=items, offset=offset, total=total, next_cursor=cursor)

    async def _list_documented(self, ref: ResourceRef, model: str, lookups: Mapping[str, Any],
                               excludes: Mapping[str, Any], info: mapping.ModelInfo, request: PageRequest) -> Page:
        """Every matching row through the documented ``objects.filter`` only; pk order (or the asked sort)
        made here, and kept (``keep_unpaged``): the pages are cut from them, say it is the whole (and, when it
        was sorted here, that it was sorted locally)."""
        chain = self._query(model, lookups, excludes).fields(self._list_fields(info))
        rows = self._objects(await self.run(chain), model)
        rows.sort(key=lambda r: _sortable(r.get("pk")))
        if request.order_by:
            rows = _nulls_last(rows, request.order_by, sort=True, descending=request.descending)
        return self.keep_unpaged(ref, request, rows, lambda row: self._records([row], model)[0],
                                 sorted_locally=bool(request.order_by))

    async def _all(self, key: Key, model: str, lookups: Mapping[str, Any], excludes: Mapping[str, Any],
                   fields: list[str] | None, request: PageRequest) -> list[dict[str, Any]]:
        """Every matching row in one call (small results, or a sort, which needs them all)."""
        total = self._totals[key]
        if total > LOCAL_MAX:
            raise NotSupported(f"sorting {total} {model} rows would fetch every one; filter first (at most "
                               f"{LOCAL_MAX})")
        order = ("-" if request.descending else "") + request.order_by if request.order_by else None
        cache_key = (key[0], key[1] + (order or ""))
        if cache_key not in self._rows:
            chain = self._query(model, lookups, excludes)
            if order:
                chain = chain.call("order_by", [order])
            rows = self._objects(await self.run(chain.fields(fields)), model)
            if request.order_by:
                # The server's order, with its nulls moved last (a database may put them first).
                rows = _nulls_last(rows, request.order_by, sort=False, descending=request.descending)
            self._rows[cache_key] = rows
        return self._rows[cache_key]

    def _objects(self, result: Any, model: str) -> list[dict[str, Any]]:
        if not isinstance(result, list) or not all(mapping.is_object(r) for r in result):
            raise MalformedResponse(f"Carbon sent something other than a list of {model} objects",
                                    method="POST", url=self._redactor.url(self.base_url + model + "/"))
        return result

    async def _start_pk(self, key: Key, model: str, lookups: Mapping[str, Any], excludes: Mapping[str, Any],
                        offset: int, total: int) -> int:
        """The smallest pk of the row at ``offset`` (pk order), cheaply.

        Pks are distinct integers not below the lowest one, ``floor``, so at most ``offset`` rows lie below
        ``floor + offset``; each windowed count tells how many gaps lie below the guess, and the guess moves
        up by that many. With no gaps (checked once: nothing below pk 1 and nothing above pk ``total``) no
        count is needed at all.
        """
        if not lookups and not excludes:
            if key not in self._dense:
                beyond = await self.run(self._query(model, {}, {}, pk__gt=total).call("exists"))
                below = await self.run(self._query(model, {}, {}, pk__lt=1).call("exists")) \
                    if beyond is False else True
                self._dense[key] = beyond is False and below is False
            if self._dense[key]:
                return offset + 1
        anchors = self._anchors.get(key, {})
        if offset in anchors:
            return anchors[offset]
        guess = await self._floor(model, lookups, excludes) + offset
        for _ in range(MAX_WINDOWS):
            below = await self._count(model, lookups, excludes, pk__lt=guess)
            if below >= offset:
                break
            guess += offset - below
        return guess

    async def _floor(self, model: str, lookups: Mapping[str, Any], excludes: Mapping[str, Any]) -> int:
        """A pk no row lies below: 1 on most servers, 0 where an auto-increment started at 0."""
        floor = 1
        for _ in range(MAX_WINDOWS):
            if await self._count(model, lookups, excludes, pk__lt=floor) == 0:
                return floor
            floor = floor * 2 - 1 if floor < 1 else 0  # 1, 0, -1, -3, -7 …
        raise NotSupported(f"Carbon's {model} pks reach too far below 0 to page by pk windows")

    async def _window(self, model: str, lookups: Mapping[str, Any], excludes: Mapping[str, Any],
                      fields: list[str] | None, start: int | None, need: int) -> list[dict[str, Any]]:
        """``need`` rows from pk ``start`` up (from the lowest pk when None), through pk windows that widen
        while rows are sparse. The first window of a first page has no lower bound: pks may start at 0."""
        rows: list[dict[str, Any]] = []
        low, width, empty = start, max(need, 1), 0
        for _ in range(MAX_WINDOWS):
            if len(rows) >= need:
                break
            high = (1 if low is None else low) + width
            bounds = {"pk__lt": high} if low is None else {"pk__gte": low, "pk__lt": high}
            chain = self._query(model, lookups, excludes, **bounds).fields(fields)
            found = self._objects(await self.run(chain), model)
            keys = [_pk_int(r["pk"]) for r in found]
            if None in keys:
                raise _NotWindowable(model)
            rows += [r for _, r in sorted(zip(keys, found, strict=True), key=lambda pair: pair[0])]
            low, width = high, width * 2
            empty = 0 if found else empty + 1
            if empty >= 2 and await self.run(self._query(model, lookups, excludes, pk__gte=low).call("exists")) \
                    is not True:
                break
        return rows[:need]

    async def get(self, ref: ResourceRef) -> Record:
        model, lookups = self._model_of(ref)
        if ref.id is None and "pk" not in lookups:
            raise NotFound(f"{ref.label()} is a collection, not a record")
        pk = ref.id if ref.id is not None else lookups["pk"]
        chain = Chain(model).get(pk=pk)
        try:
            return self.record_of(await self.run(chain), chain)
        except NotFound as exc:
            # Carbon's own text ("matching query does not exist") does not say which record was asked for.
            raise NotFound(f"{model} {pk} does not exist on the server ({exc.message})", method=exc.method,
                           url=exc.url, status=exc.status) from exc

    async def follow(self, link: Link) -> Record | Page:
        return await self._follow_target(link)

    async def schema(self, ref: ResourceRef) -> Schema:
        model, _ = self._model_of(ref)
        if model not in self._schemas:
            schema = mapping.schema(self._info(model))
            if schema is None:
                result = await self.run(self._query(model, {}, {}, pk__lte=20))
                sample = [dict(obj["fields"]) for obj in self._objects(result, model)]
                schema = infer_schema(sample)
            self._schemas[model] = schema
        return self._schemas[model]

    # -- writing ----------------------------------------------------------------------------------
    def _writable(self, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Values as Django's create and set take them: an FK by its attname (``tarif`` -> ``tarif_id``)."""
        attnames = self._info(model).attnames()
        out: dict[str, Any] = {}
        for name, value in values.items():
            if mapping.is_object(value):
                value = value["pk"]
            out[attnames.get(name, name)] = value
        return out

    def _write_chain(self, method: str, ref: ResourceRef, values: Mapping[str, Any]) -> Chain:
        model, _ = self._model_of(ref)
        if method == "POST":
            return Chain(model).create(**self._writable(model, values))
        if ref.id is None:
            raise NotFound(f"{ref.label()} names no record")
        found = Chain(model).get(pk=ref.id)
        if method == "DELETE":
            return found.delete()
        return found.set(**self._writable(model, values)).save()

    def prepare(self, kind: str, ref: ResourceRef, values: Mapping[str, Any] | None = None, *,
                partial: bool = True, action: Action | None = None, record: Record | None = None,
                method: str | None = None) -> WriteRequest:
        """Every Carbon write is one POST of a chain (``objects.get → set → save`` …) to the model's URL.

        ``body`` is the Chain itself, so ``execute`` runs exactly the chain the preview listed. Object
        methods (``add_payment``, ``set_password``, Recalculate …) are previewed by name and parameters
        (secrets masked) and run by ``execute`` through the same path, after the same confirmation.
        """
        values = dict(values or {})
        if kind == "action":
            if action is None or record is None or record.ref.collection is None or record.id is None \
                    or action.name not in ACTIONS:
                return super().prepare(kind, ref, values, partial=partial, action=action, record=record,
                                       method=method)
            model = record.ref.collection
            url = self.base_url + model + "/"
            params = dumps(self._redactor.data(self.mask_params(action, values)))
            preview = (f"POST {self._redactor.url(url)}  ({model} {record.id}: {action.name} {params})",
                       f"Content-Type: {FORM}")
            return WriteRequest(kind, "POST", url, record.ref, values, None, preview, partial, action, record)
        chain = self._write_chain({"create": "POST", "update": "PATCH", "delete": "DELETE"}[kind], ref, values)
        url = self.base_url + chain.model + "/"
        target = f"{chain.model} {ref.id}" if kind != "create" else chain.model
        lines = [f"POST {self._redactor.url(url)}  ({target}: {chain.describe()})", f"Content-Type: {FORM}"]
        for name, value in chain.form():
            if value[:1] in "{[":
                value = dumps(self._redactor.data(json.loads(value)))
            lines.append(f"{name}={value}")
        return WriteRequest(kind, "POST", url, ref, values, chain, tuple(lines), partial)

    @staticmethod
    def mask_params(action: Action, values: Mapping[str, Any]) -> dict[str, Any]:
        """Action parameters for the preview: secret ones (a new password) shown as ***."""
        secret = {spec.name for spec in action.parameters if spec.secret}
        return {k: ("***" if k in secret and v not in (None, "") else v) for k, v in values.items()}

    async def execute(self, request: WriteRequest) -> Any:
        if request.kind == "action":
            run = ACTIONS.get(request.action.name) if request.action is not None else None
            if run is None or request.record is None:
                return await super().execute(request)
            result = await run(self, request.record, dict(request.values))
            self.forget()
            return result
        chain = request.body
        assert isinstance(chain, Chain)
        result = await self.run(chain)
        self.forget()
        if request.kind == "delete":
            return None
        if mapping.is_object(result):
            return self.record_of(result, chain)
        if request.kind == "update":
            return await self.read_back(request.ref, request.values)
        # Unknown (docs/carbon.md §7.7): the shape of objects.create's result; a bare pk is read back.
        pk = result.get("pk") if isinstance(result, dict) else result
        if isinstance(pk, int | str) and not isinstance(pk, bool) and str(pk).isdigit():
            return await self.read_back(ResourceRef(collection=chain.model, id=str(pk)), request.values)
        raise MalformedResponse(f"Carbon created the {chain.model} record but sent no pk to read it back",
                                method="POST", url=self._redactor.url(self.base_url + chain.model + "/"))

    async def create(self, ref: ResourceRef, values: Mapping[str, Any]) -> Record:
        return await self.execute(self.prepare("create", ref, values))  # type: ignore[no-any-return]

    async def update(self, ref: ResourceRef, values: Mapping[str, Any], *, partial: bool = True) -> Record:
        """``objects.get → set → save``: ``set`` changes only the given fields, so every update is partial."""
        return await self.execute(self.prepare("update", ref, values))  # type: ignore[no-any-return]

    async def delete(self, ref: ResourceRef) -> None:
        """``objects.get → delete`` (Django cascades to dependent rows, as the server's models say)."""
        await self.execute(self.prepare("delete", ref))

    async def invoke(self, record: Record, action: Action, params: Mapping[str, Any] | None = None) -> Any:
        """Run one of the object methods offered as actions (``add_payment``, ``set_password``, …)."""
        return await self.execute(self.prepare("action", record.ref, params, action=action, record=record))


class _NotWindowable(Exception):
    """A model whose pks are not integers: pk windows cannot page it."""


def _pk_int(value: Any) -> int | None:
    """A pk as an integer (ints, or strings of one, as under string ids); None for any other pk."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _refused(exc: BackendError) -> bool:
    """Whether the server refused a chain method itself (no such attribute, bad argument), not the request."""
    return isinstance(exc, NotSupported | ValidationFailed) or type(exc) is BackendError


def _sort_value(row: Mapping[str, Any], name: str) -> Any:
    """The value a row is sorted by: its field, its pk for ``pk``/``id``, a related object's pk."""
    fields = row.get("fields") or {}
    value = fields.get(name) if name in fields or name not in ("pk", "id") else row.get("pk")
    return value.get("pk") if mapping.is_object(value) else value


def _nulls_last(rows: list[dict[str, Any]], name: str, *, sort: bool, descending: bool) -> list[dict[str, Any]]:
    """``rows`` with those lacking ``name`` last, whichever the direction; ``sort``: order the others here
    (numbers, and numeric strings such as string ids, by value)."""
    present = [r for r in rows if _sort_value(r, name) is not None]
    missing = [r for r in rows if _sort_value(r, name) is None]
    if sort:
        present.sort(key=lambda r: _sortable(_sort_value(r, name)), reverse=descending)
    return present + missing


def _sortable(value: Any) -> tuple[int, float, str]:
    """A sort key for values of mixed kinds: numbers (ints or numeric strings) by value, then text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    text = str(value)
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text.casefold())
