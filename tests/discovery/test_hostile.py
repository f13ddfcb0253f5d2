"""Every parser, fed garbage: a clean result or a typed error with a bounded message, never anything else."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isptui.discovery import (
    ParsedPage,
    allow_to_capabilities,
    drf_options_to_schema,
    infer_schema,
    parse_link_header,
    parse_links,
    parse_page,
    parse_root_links,
    resolve,
    same_origin,
    splynx_options_to_schema,
    trisul_error,
    unwrap_carbon,
    unwrap_ispcrm,
)
from isptui.errors import BackendError
from isptui.model import Link, Schema

from .conftest import BASE, deep, json_values, small_json

PARSERS: dict[str, Callable[[Any], Any]] = {
    "resolve": lambda doc: resolve(doc, BASE),
    "parse_links": lambda doc: parse_links(doc, base_url=BASE),
    "parse_root_links": lambda doc: parse_root_links(doc, base_url=BASE),
    "parse_link_header": lambda doc: parse_link_header(doc, base_url=BASE),
    "drf_options_to_schema": drf_options_to_schema,
    "allow_to_capabilities": lambda doc: allow_to_capabilities(doc, detail=True),
    "splynx_options_to_schema": splynx_options_to_schema,
    "infer_schema": infer_schema,
    "parse_page": lambda doc: parse_page(doc, base_url=BASE),
    "unwrap_ispcrm": unwrap_ispcrm,
    "unwrap_carbon": unwrap_carbon,
    "trisul_error": trisul_error,
}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Derandomized: the same examples every run (no flaky CI); sized to keep each test near a second.
FAST = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SHAPED_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                           suppress_health_check=[HealthCheck.too_slow])


def check(name: str, doc: Any) -> Any:
    """Run one parser; a BackendError is fine if its message is short and printable, a result must be sane."""
    try:
        result = PARSERS[name](doc)
    except BackendError as exc:
        assert exc.message and len(exc.message) <= 400 and not CONTROL.search(exc.message)
        return None
    links: list[Any] = []
    if isinstance(result, tuple):  # parse_links
        links = [*result[0], *result[1]]
    elif isinstance(result, list):
        links = result
    for link in links:
        assert link.href.startswith(("http://", "https://")) and len(link.href) <= 8192
        if isinstance(link, Link):
            assert link.external is not same_origin(link.href, BASE)
    if isinstance(result, Schema):
        for spec in result.fields:
            assert 0 < len(spec.name) <= 256 and (spec.label is None or len(spec.label) <= 200)
    if isinstance(result, ParsedPage):
        assert all(isinstance(item, dict) for item in result.items)
        for url in (result.next, result.previous):
            assert url is None or same_origin(url, BASE)
    return result


@FAST
@given(doc=json_values)
def test_random_json(doc: Any) -> None:
    # One document through every parser: generation is the slow part, so it is shared.
    for name in PARSERS:
        check(name, doc)


_scalarish = small_json | st.sampled_from(["1", "0", "true", "", "password", "x" * 300])
_choice_list = st.lists(small_json | st.fixed_dictionaries(
    {"value": small_json}, optional={"display_name": small_json, "id": small_json, "title": small_json}), max_size=4)
_drf_info = st.fixed_dictionaries({}, optional={
    "type": small_json | st.sampled_from(["list", "nested object", "choice", "multiple choice", "file upload",
                                          "time", "decimal"]),
    "required": _scalarish, "read_only": _scalarish, "label": _scalarish, "help_text": _scalarish,
    "min_length": _scalarish, "max_length": _scalarish, "min_value": _scalarish, "max_value": _scalarish,
    "choices": _choice_list | small_json, "style": small_json | st.fixed_dictionaries(
        {"input_type": _scalarish, "base_template": _scalarish}),
    "child": small_json | st.fixed_dictionaries({"type": _scalarish, "choices": _choice_list}),
    "children": st.dictionaries(st.text(max_size=6), small_json | st.fixed_dictionaries({"type": _scalarish})),
})
_splynx_entry = st.fixed_dictionaries({}, optional={
    "name": _scalarish, "title": _scalarish,
    "type": small_json | st.sampled_from(["select", "select_multiple", "password", "relation", "file", "float"]),
    "required": _scalarish, "is_required": _scalarish, "readonly": _scalarish, "disabled": _scalarish,
    "hidden": _scalarish, "module": _scalarish, "relation_module": _scalarish, "max_length": _scalarish,
    "select_values": _choice_list | small_json | st.dictionaries(st.text(max_size=5), small_json)
    | st.text(alphabet="ab,\n ", max_size=12),
})
_href = st.text(max_size=40) | st.sampled_from(["/a", "http://evil.example/x", "//x", "mailto:a@b", "a b"])
SHAPED: dict[str, st.SearchStrategy[Any]] = {
    "parse_links": st.fixed_dictionaries({"actions": st.dictionaries(st.text(max_size=10), _href | small_json),
                                          "links": st.dictionaries(st.text(max_size=10), _href | small_json)})
    | st.dictionaries(st.text(max_size=10), st.fixed_dictionaries(
        {"href": _href, "method": small_json | st.sampled_from(["post", "DELETE"]), "templated": small_json})),
    "parse_root_links": st.fixed_dictionaries({"success": small_json,
                                               "data": st.dictionaries(st.text(max_size=10), _href)}),
    "parse_link_header": st.text(alphabet='<>;,="\\ */:relnxtitl*UTF8%\'a', max_size=80),
    "drf_options_to_schema": st.fixed_dictionaries({"actions": st.fixed_dictionaries({"POST": st.dictionaries(
        st.text(max_size=8), _drf_info | small_json)})}),
    "splynx_options_to_schema": st.lists(_splynx_entry | small_json, max_size=6)
    | st.fixed_dictionaries({"attributes": st.lists(_splynx_entry), "additional_attributes": st.lists(_splynx_entry)}),
    "parse_page": st.fixed_dictionaries({"count": small_json, "next": _href | small_json,
                                         "results": st.lists(small_json | st.dictionaries(st.text(), small_json))})
    | st.fixed_dictionaries({"success": small_json, "data": small_json})
    | st.fixed_dictionaries({"call": st.text(), "result": small_json, "error": small_json}),
}


@pytest.mark.parametrize("name", list(SHAPED))
@SHAPED_SETTINGS
@given(data=st.data())
def test_shaped_garbage(name: str, data: st.DataObject) -> None:
    check(name, data.draw(SHAPED[name]))


MB = "x" * 1_000_000
DEEP_DICT = deep(10_000, lambda inner: {"a": inner})
DEEP_LIST = deep(10_000, lambda inner: [inner])
HOSTILE: list[tuple[str, Any]] = [
    ("resolve", "/" + MB),
    ("parse_links", {"links": {"a": "/" + MB, MB: "/a", "deep": DEEP_DICT}, "t": {"href": "/t", "title": MB},
                     "actions": DEEP_LIST}),
    ("parse_root_links", {"success": True, "data": {"a": DEEP_DICT, "b": "/" + MB, MB: "/b"}}),
    ("parse_link_header", MB),
    ("parse_link_header", ('</a>; rel="' + "x" * 60_000 + '"')),
    ("drf_options_to_schema", {"actions": {"POST": {"a": {"type": MB, "label": MB, "help_text": MB,
                                                          "choices": [{"value": MB, "display_name": MB}]},
                                                    "b": {"type": "list", "child": DEEP_LIST}}}}),
    ("allow_to_capabilities", "GET," * 250_000),
    ("splynx_options_to_schema", {"attributes": [{"name": "a", "title": MB, "type": MB},
                                                 {"name": "b", "type": "select", "module": "m",
                                                  "select_values": "a," * 500_000}, DEEP_DICT]}),
    ("splynx_options_to_schema", [{"name": "s", "type": "select", "module": "m", "select_values": DEEP_LIST}]),
    ("infer_schema", [{"a": DEEP_DICT, "b": DEEP_LIST, "c": MB, MB: 1}]),
    ("parse_page", {"count": 1, "next": "/" + MB, "results": []}),
    ("parse_page", {"count": 1, "results": [DEEP_DICT]}),
    ("parse_page", DEEP_LIST),
    ("parse_page", {"success": True, "data": DEEP_DICT}),
    ("unwrap_ispcrm", {"success": False, "message": MB}),
    ("unwrap_carbon", {"call": "/x/", "error": DEEP_LIST}),
    ("unwrap_carbon", {"call": "/x/", "error": {"a": DEEP_DICT, "b": MB}}),
    ("trisul_error", {"status": "ERROR", "message": MB}),
    ("trisul_error", {"status": DEEP_DICT, "message": DEEP_LIST}),
]


@pytest.mark.parametrize(("name", "doc"), HOSTILE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(HOSTILE)])
def test_huge_and_deep_inputs_are_handled_quickly(name: str, doc: Any) -> None:
    start = time.perf_counter()
    result = check(name, doc)
    assert time.perf_counter() - start < 2.0
    if name == "trisul_error" and result is not None:
        assert len(result) <= 300


def test_huge_values_come_back_bounded() -> None:
    links, _ = parse_links({"t": {"href": "/t", "title": MB}}, base_url=BASE)
    assert links[0].href == "http://127.0.0.1:8000/t" and len(links[0].title or "") <= 200
    schema = drf_options_to_schema({"actions": {"POST": {"a": {"type": "string", "label": MB, "help_text": MB}}}})
    spec = schema.fields[0]
    assert len(spec.label or "") <= 200 and len(spec.help or "") <= 1000
