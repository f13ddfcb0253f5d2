"""The bounded local scan (issue 17): never run unasked, offered where a backend declares one, and bounded.

ISPCRM cannot search by MAC (no parameter filters it); it declares a scan of its users. ``isptui find MAC
--profile env-ispcrm`` against a sandbox on 127.0.0.1 says "not searchable" and sends nothing; with
``--scan N`` it reads at most N users page by page and finds subscriber 42 by its MAC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from isptui.cli.main import main
from isptui.sandbox import Sandbox, create_sandbox
from isptui.sandbox.dataset import subscriber
from isptui.sandbox.serve import serving_each

SUB = subscriber(1, 42)
MAC = SUB.mac.upper().replace(":", "-")  # another notation than the server's


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = create_sandbox("ispcrm", customers=200)
    with serving_each([sandbox.app]) as urls:
        yield sandbox, urls[0].rstrip("/")


@pytest.fixture
def crm(served: tuple[Sandbox, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox, url = served
    monkeypatch.setenv("ISPTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("ISPCRM_URL", url)
    monkeypatch.setenv("ISPCRM_TOKEN", "sandbox-token")
    sandbox.clear_received()
    return sandbox


def _users_read(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.received if r.method == "GET" and "/users" in r.path]


def _jsonl(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["find", MAC, "--profile", "env-ispcrm", "--format", "jsonl", *args])
    return code, [json.loads(row) for row in capsys.readouterr().out.splitlines()]


def test_without_scan_a_mac_on_ispcrm_is_not_searchable_and_nothing_is_read(
        crm: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", MAC, "--profile", "env-ispcrm"]) == 1
    out = capsys.readouterr().out
    assert "not-searchable" in out and "cannot search by mac on this server" in out
    assert "--scan N reads at most N records" in out  # offered, not run
    assert _users_read(crm) == []


def test_with_scan_a_mac_on_ispcrm_is_found_by_scanning_at_most_n_records(
        crm: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = _jsonl(capsys, "--scan", "150")
    assert code == 0
    status = next(r for r in rows if "state" in r)
    assert status["state"] == "found" and status["message"] == "by scanning 150 records of users"
    hits = [h for r in rows if "subscriber" in r for h in r["hits"]]
    assert [(h["record_id"], h["keys"]["login"]) for h in hits] == [("42", SUB.login)]
    # Read page by page (100, then 50), never beyond the budget.
    pages = _users_read(crm)
    assert len(pages) == 2


def test_a_scan_that_does_not_reach_the_record_says_how_far_it_read(
        crm: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = _jsonl(capsys, "--scan", "20")
    assert code == 1
    status = next(r for r in rows if "state" in r)
    assert (status["state"], status["message"]) == ("none", "none in the first 20 records of users")
    assert len(_users_read(crm)) == 1


def test_scan_must_not_be_negative(crm: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", MAC, "--profile", "env-ispcrm", "--scan", "-1"]) == 2
    assert "--scan" in capsys.readouterr().err
