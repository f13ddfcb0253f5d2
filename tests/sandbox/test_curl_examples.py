"""The README's curl examples, run with the real ``curl`` against ``isptui sandbox serve`` on 127.0.0.1.

Each example is the exchange in the "Example exchanges" (§A.n) of the vendor pages in docs/ (Splynx HEAD count, Krill cpes with ``_links``
and ``attrs``/``joins``, Trisul body auth, Carbon method chains), sent exactly as a user would type it. The
expected answers come from the dataset (seed 1, 200 customers), not from copies of the sandbox's output.
``EXAMPLES`` is also what the README shows, with the port the docs use (8765).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from isptui.sandbox.dataset import DEFAULT_CUSTOMERS, subscriber

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(CURL is None, reason="curl is not installed on this machine")
DOCS_URL = "http://127.0.0.1:8765"
SEED = 1
TRISUL_AUTH = '{"api_token":"sandbox-token","username":"sandbox","contextname":"default"}'


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Example:
    """One curl command as the README shows it (``{url}``, ``{token}`` filled in when run)."""

    title: str
    argv: tuple[str, ...]
    check: Callable[[Answer], None]


def _sub(n: int) -> Any:
    return subscriber(SEED, n)


def _check_head_count(answer: Answer) -> None:
    active = sum(1 for n in range(1, DEFAULT_CUSTOMERS + 1) if _sub(n).status == "active")
    assert answer.status == 204
    assert answer.headers["x-total-count"] == str(active)
    assert answer.headers["access-control-expose-headers"].lower() == "x-total-count"


def _check_splynx_list(answer: Answer) -> None:
    rows = answer.json()
    assert answer.status == 200 and isinstance(rows, list) and len(rows) == 2
    assert [str(r["id"]) for r in rows] == ["1", "2"] and rows[0]["login"] == _sub(1).login


def _check_cpe_links(answer: Answer) -> None:
    page = answer.json()
    assert answer.status == 200 and page["count"] == 1 and page["next"] is None
    cpe = page["results"][0]
    assert cpe["id"] == 74 and cpe["cpename"] == _sub(74).cpe_name
    assert {"reboot", "factory", "unprovision"} <= set(cpe["_links"]["actions"])
    assert cpe["_links"]["links"]["customer"].endswith("/isp/cpes/74/customer")


def _check_attrs(answer: Answer) -> None:
    assert answer.status == 200 and answer.json() == {"cpename": _sub(74).cpe_name, "id": 74}


def _check_joins(answer: Answer) -> None:
    doc = answer.json()
    assert answer.status == 200 and set(doc) == {"id", "customer", "potses"}
    assert doc["customer"]["id"] == 74 and doc["customer"]["surname"] == _sub(74).last_name
    assert len(doc["potses"]) == _sub(74).pots_lines and doc["potses"][0]["lineid"] == f"{_sub(74).cpe_name}-1"


def _check_trisul_list(answer: Answer) -> None:
    rows = answer.json()
    assert answer.status == 200 and len(rows) == DEFAULT_CUSTOMERS
    assert rows[0]["UserID"] == _sub(1).user_id and rows[0]["Name"] == _sub(1).name


def _check_trisul_bad_token(answer: Answer) -> None:
    # Documented: Trisul refuses a token with HTTP 200 and an error body (docs/trisul.md §4.3).
    assert answer.status == 200 and answer.json() == {"status": "ERROR", "message": "Invalid API token"}


def _check_carbon_get(answer: Answer) -> None:
    assert answer.status == 200
    assert answer.json() == {"call": "/rest_api/v2/Abonents/",
                             "result": {"pk": 45, "model": "Abonents", "fields": {"tarif_id": _sub(45).tariff_id}}}


def _check_carbon_filter(answer: Answer) -> None:
    doc = answer.json()
    assert answer.status == 200 and doc["call"] == "/rest_api/v2/Abonents/"
    assert len(doc["result"]) == DEFAULT_CUSTOMERS
    assert doc["result"][0] == {"pk": 1, "model": "Abonents",
                                "fields": {"name": f"{_sub(1).last_name} {_sub(1).first_name}"}}


def _check_carbon_chain(answer: Answer) -> None:
    doc = answer.json()
    assert answer.status == 200 and "error" not in doc
    assert doc["result"]["pk"] == 45 and doc["result"]["fields"]["tarif_next_date"] == "2027-03-01"


KRILL_LOGIN = ("curl", "-s", "-X", "POST", "{url}/api/v2/auth/login/", "-d", "username=operator",
               "-d", "password=sandbox")
EXAMPLES: tuple[Example, ...] = (
    Example("Splynx: count active customers with HEAD (X-total-count)",
            ("curl", "-sg", "-I", "-u", "sandbox-key:sandbox-secret",
             "{url}/api/2.0/admin/customers/customer?main_attributes[status]=active"), _check_head_count),
    Example("Splynx: one page of customers (Basic auth)",
            ("curl", "-s", "-u", "sandbox-key:sandbox-secret",
             "{url}/api/2.0/admin/customers/customer?limit=2&offset=0"), _check_splynx_list),
    Example("Krill: a CPE found by name, with its _links",
            ("curl", "-s", "-H", "Authorization: Bearer {token}", "{url}/api/v2/isp/cpes/?cpename=isp00074"),
            _check_cpe_links),
    Example("Krill: only some attributes (attrs)",
            ("curl", "-s", "-H", "Authorization: Bearer {token}", "{url}/api/v2/isp/cpes/74/?attrs=id,cpename"),
            _check_attrs),
    Example("Krill: related objects inline (joins)",
            ("curl", "-s", "-H", "Authorization: Bearer {token}",
             "{url}/api/v2/isp/cpes/74/?attrs=id&joins=customer,potses"), _check_joins),
    Example("Trisul: credentials in the JSON body, even on GET",
            ("curl", "-s", "-X", "GET", "{url}/api/ipdrcustomers", "-H", "Content-Type: application/json",
             "-d", TRISUL_AUTH), _check_trisul_list),
    Example("Trisul: a wrong token is refused with HTTP 200",
            ("curl", "-s", "-X", "GET", "{url}/api/ipdrcustomers", "-H", "Content-Type: application/json",
             "-d", TRISUL_AUTH.replace("sandbox-token", "wrong-token")), _check_trisul_bad_token),
    Example("Carbon: objects.get with fields",
            ("curl", "-s", "{url}/rest_api/v2/Abonents/", "--data-urlencode", "method1=objects.get",
             "--data-urlencode", 'arg1={"id":"45"}', "--data-urlencode", 'fields=["tarif_id"]'), _check_carbon_get),
    Example("Carbon: objects.filter",
            ("curl", "-s", "{url}/rest_api/v2/Abonents/", "--data-urlencode", "method1=objects.filter",
             "--data-urlencode", 'arg1={"is_folder":0}', "--data-urlencode", 'fields=["name"]'),
            _check_carbon_filter),
    Example("Carbon: a method chain, get -> set -> save",
            ("curl", "-s", "{url}/rest_api/v2/Abonents/", "--data-urlencode", "method1=objects.get",
             "--data-urlencode", 'arg1={"id":45}', "--data-urlencode", "method2=set",
             "--data-urlencode", 'arg2={"tarif_next_id":"2","tarif_next_date":"2027-03-01"}',
             "--data-urlencode", "method3=save", "--data-urlencode", "arg3={}"), _check_carbon_chain),
)


def run_curl(argv: tuple[str, ...], **fill: str) -> Answer:
    """Run one example with real curl; status and headers come from ``-D -`` (headers first, then body)."""
    args = list(argv)
    for name, value in fill.items():  # not str.format: the JSON arguments have braces of their own
        args = [a.replace("{" + name + "}", value) for a in args]
    args[0] = str(CURL)
    args[1:1] = ["-D", "-", "--max-time", "10"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=20, check=False)
    assert done.returncode == 0, done.stderr
    head, _, body = done.stdout.replace("\r\n", "\n").partition("\n\n")
    status_line, *header_lines = head.splitlines()
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return Answer(int(status_line.split()[1]), headers, body)


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """``isptui sandbox serve --port 0`` in a subprocess; the URL is read from its first line."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "isptui", "sandbox", "serve", "--port", "0", "--customers",
                             str(DEFAULT_CUSTOMERS), "--seed", str(SEED)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert match, f"no URL in the banner: {first!r}"
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def krill_token(served: str) -> str:
    answer = run_curl(KRILL_LOGIN, url=served)
    assert answer.status == 200
    return str(answer.json()["access"])


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.title.split(":")[0] + "-" + str(i) for i, e in
                                                    enumerate(EXAMPLES)])
def test_readme_curl_example_gets_the_documented_answer(example: Example, served: str, krill_token: str) -> None:
    example.check(run_curl(example.argv, url=served, token=krill_token))
