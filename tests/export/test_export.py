"""Export over a real socket, compared with a listing of the same collection through the same adapter.

The ``isptui export`` command runs in this process (tests/cli_run.py: the same ``main()``, environment and
non-tty streams as ``python -m isptui export``) except for the Ctrl-C test, where the process is the point (a
real SIGINT, exit 130): it also covers the command as a process.
"""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from isptui.backends.base import Backend, BackendSettings, load_backend
from isptui.export import cell, export_collection, flatten, uncell
from isptui.mask import Masker
from isptui.model import PageRequest, Record, ResourceRef
from isptui.sandbox import create_sandbox
from isptui.sandbox.serve import serving
from tests.cli_run import run_cli

ROOT = Path(__file__).resolve().parents[2]
TARGETS: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "splynx": ("customers", {"api_key": "sandbox-key", "api_secret": "sandbox-secret", "auth": "basic"},
               ("--api-key", "sandbox-key", "--api-secret", "sandbox-secret")),
    "krill": ("isp/customers", {"username": "operator", "password": "sandbox"},
              ("--username", "operator", "--password", "sandbox")),
    "ispcrm": ("users", {"token": "sandbox-token"}, ("--token", "sandbox-token")),
    "trisul": ("ipdrcustomers", {"username": "sandbox", "api_token": "sandbox-token", "context": "default"},
               ("--username", "sandbox", "--api-token", "sandbox-token")),
    "carbon": ("Abonents", {}, ()),
}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving(create_sandbox("all", customers=60).app) as root:
        yield root


@pytest.fixture
async def connected(url: str) -> AsyncIterator[dict[str, Backend]]:
    backends: dict[str, Backend] = {}
    for name, (_, credentials, _) in TARGETS.items():
        backend = load_backend(name)(BackendSettings(url=url, credentials=credentials, retries=0))
        await backend.connect()
        backends[name] = backend
    yield backends
    for backend in backends.values():
        await backend.close()


async def listing(backend: Backend, ref: ResourceRef) -> list[Record]:
    records: list[Record] = []
    request = PageRequest(limit=37)  # a page size unlike the export's, so paging differences would show
    while True:
        page = await backend.list(ref, request)
        records.extend(page.items)
        if not page.items or not page.has_more:
            return records
        request = PageRequest(limit=37, offset=page.offset + len(page.items), cursor=page.next_cursor)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
async def test_every_backend_exports_what_it_lists(connected: dict[str, Backend], tmp_path: Path, fmt: str) -> None:
    for name, backend in connected.items():
        ref = ResourceRef(collection=TARGETS[name][0])
        expected = await listing(backend, ref)
        assert len(expected) == 60, name
        target = tmp_path / f"{name}.{fmt}"
        result = await export_collection(backend, ref, target, fmt=fmt, page_size=50)
        assert result.written == 60
        text = target.read_text(encoding="utf-8")
        if fmt == "jsonl":
            got = [json.loads(line) for line in text.splitlines()]
            assert got == [r.fields for r in expected], name
        elif fmt == "json":
            assert json.loads(text) == [r.fields for r in expected], name
        else:
            with target.open(newline="", encoding="utf-8") as stream:
                rows = list(csv.DictReader(stream))
            assert len(rows) == len(expected), name
            for row, record in zip(rows, expected, strict=True):
                flat = flatten(record.fields)
                assert set(flat) <= set(row), name
                for column, value in row.items():
                    assert value == cell(flat.get(column)), (name, column)
                    if isinstance(flat.get(column), str):
                        assert uncell(value) == flat[column], (name, column)
        assert list(tmp_path.glob(".*part")) == []


async def test_csv_defuses_formulas_and_keeps_quotes_and_newlines(tmp_path: Path) -> None:
    from tests.export.fakes import OneCollection

    backend = OneCollection([
        {"id": 1, "note": '=HYPERLINK("http://x")', "who": "@admin", "balance": "-12.50", "text": 'a "q"\nline'},
        {"id": 2, "note": "+1 555", "who": "-cmd", "balance": -3, "text": "plain", "nested": {"a": {"b": 1}}},
    ])
    target = tmp_path / "out.csv"
    await export_collection(backend, ResourceRef(collection="things"), target, fmt="csv")
    with target.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["id", "note", "who", "balance", "text", "nested.a.b"]  # a late extra column is appended
    assert rows[1] == ["1", "'=HYPERLINK(\"http://x\")", "'@admin", "-12.50", 'a "q"\nline', ""]
    assert rows[2] == ["2", "'+1 555", "'-cmd", "-3", "plain", "1"]


async def test_a_cancelled_export_leaves_no_file(connected: dict[str, Backend], tmp_path: Path) -> None:
    backend = connected["splynx"]
    first_page = asyncio.Event()
    target = tmp_path / "customers.csv"
    task = asyncio.create_task(export_collection(backend, ResourceRef(collection="customers"), target,
                                                 page_size=10, on_progress=lambda p: first_page.set()))
    await first_page.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert list(tmp_path.iterdir()) == []


async def test_a_failing_page_leaves_no_file_and_keeps_an_old_one(tmp_path: Path) -> None:
    from isptui.errors import ConnectionFailed
    from tests.export.fakes import OneCollection

    target = tmp_path / "things.jsonl"
    target.write_text("the previous export\n")
    backend = OneCollection([{"id": i} for i in range(30)], fail_at=20)
    with pytest.raises(ConnectionFailed):
        await export_collection(backend, ResourceRef(collection="things"), target, fmt="jsonl", page_size=10)
    assert [p.name for p in tmp_path.iterdir()] == ["things.jsonl"]
    assert target.read_text() == "the previous export\n"


async def test_masked_export_holds_no_personal_value(connected: dict[str, Backend], tmp_path: Path) -> None:
    backend = connected["ispcrm"]
    ref = ResourceRef(collection="users")
    everyone = await listing(backend, ref)
    target = tmp_path / "users.jsonl"
    await export_collection(backend, ref, target, fmt="jsonl", masker=Masker())
    text = target.read_text(encoding="utf-8")
    for record in everyone:
        for key in ("email", "phone", "ip", "mac", "fullname"):
            value = record.fields[key]
            assert not value or value not in text, key


async def test_filter_runs_locally_when_the_server_cannot(tmp_path: Path) -> None:
    from tests.export.fakes import OneCollection

    backend = OneCollection([{"id": i, "city": "Bristol" if i % 3 else "Leeds"} for i in range(25)])
    target = tmp_path / "things.jsonl"
    result = await export_collection(backend, ResourceRef(collection="things"), target, fmt="jsonl",
                                     filter_text="leeds", page_size=4)
    assert (result.written, result.scanned) == (9, 25)
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == list(range(0, 25, 3))


async def test_filter_goes_to_the_server_when_it_can(connected: dict[str, Backend], tmp_path: Path) -> None:
    backend = connected["splynx"]
    target = tmp_path / "c.json"
    await export_collection(backend, ResourceRef(collection="customers"), target, fmt="json",
                            filter_text="status=blocked")
    data = json.loads(target.read_text())
    assert data and {row["status"] for row in data} == {"blocked"}


def test_cli_export_with_profile_plain_progress_and_mask_env(url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.lab]\nbackend = "ispcrm"\nurl = "{url}"\ntoken = "env:LAB_TOKEN"\n')
    config.chmod(0o600)
    env = {"PATH": "/usr/bin:/bin", "ISPTUI_CONFIG": str(config), "LAB_TOKEN": "sandbox-token",
           "ISPTUI_MASK": "1", "HOME": str(tmp_path)}
    out = tmp_path / "users.json"
    result = run_cli("export", "--profile", "lab", "users", "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert "\r" not in result.stderr and "\x1b" not in result.stderr  # not a terminal: plain lines
    assert lines[-1].startswith(f"isptui export: 60 records to {out}") and "masked" in lines[-1]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) == 60 and "@" in data[0]["email"] and data[0]["email"].startswith("•••")


def test_cli_export_unknown_collection_is_one_line(url: str, tmp_path: Path) -> None:
    result = run_cli("export", "carbon", "--url", url, "Nope", "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no collection 'Nope'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_progress_redraws_one_line_on_a_terminal() -> None:
    import io

    from isptui.cli.export import StderrProgress
    from isptui.export import Progress

    stream = io.StringIO()
    show = StderrProgress(stream, tty=True, width=10)
    progress = Progress(total=1000)
    for done in (500, 1000):
        progress.scanned = progress.written = done
        show(progress)
    progress.done = True
    show(progress)
    text = stream.getvalue()
    assert text.count("\r\x1b[2K") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "[#####-----] 500/1,000 records" in text and "[##########] 1,000/1,000 records" in text


def test_cli_ctrl_c_leaves_no_file(tmp_path: Path) -> None:
    import os
    import signal

    # 50 pages of 100 ms each after the first: seconds for Ctrl-C to arrive before the export ends (at 25 ms a
    # page the export could finish first once the served sandbox stopped adding ~42 ms of Nagle delay a page).
    with serving(create_sandbox("all", customers=200, chaos="latency=100ms").app) as slow:
        # Krill pages on the server (Carbon, sorting locally, now reads its ≤ 500 rows at once and would be done).
        proc = subprocess.Popen([sys.executable, "-m", "isptui", "export", "krill", "--url", slow, "isp/customers",
                                 "--page-size", "4", "-o", str(tmp_path / "a.csv")], stderr=subprocess.PIPE,
                                text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                          "KRILL_USERNAME": "operator", "KRILL_PASSWORD": "sandbox"},
                                # A terminal's Ctrl-C: the default handler, whatever this worker ignores (a pytest-
                                # xdist worker may ignore SIGINT, and an ignored signal stays ignored across exec).
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        assert proc.stderr is not None
        assert "4/200 records" in proc.stderr.readline()  # the first page is written: stop it now
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == 130
    assert rest.strip().endswith("isptui export: cancelled; no file was written")
    assert "Traceback" not in rest
    assert list(tmp_path.iterdir()) == []


async def test_the_connections_secret_never_reaches_the_file(tmp_path: Path) -> None:
    from tests.export.fakes import OneCollection

    backend = OneCollection([{"id": 1, "note": 'echoed: Sup3r"secret', "ok": "fine"}])
    target = tmp_path / "out.jsonl"
    await export_collection(backend, ResourceRef(collection="things"), target, fmt="jsonl",
                            secrets=['Sup3r"secret'])
    text = target.read_text(encoding="utf-8")
    assert "Sup3r" not in text and json.loads(text)["note"] == "echoed: ***" and "fine" in text


async def test_an_export_from_a_server_that_ignores_offset_says_it_is_incomplete(tmp_path: Path) -> None:
    """Krill sandbox on quirk ignores-offset: the second page is the first again. The file holds the first
    page once (not the first page three times as 60 records) and the result says why it is short."""
    sandbox = create_sandbox("krill", customers=60, quirks="ignores-offset")
    name, credentials, _ = TARGETS["krill"]
    backend = load_backend("krill")(BackendSettings(url="http://sandbox.local", credentials=credentials,
                                                    transport=sandbox.transport(), retries=0))
    await backend.connect()
    try:
        result = await export_collection(backend, ResourceRef(collection=name), tmp_path / "c.jsonl",
                                         fmt="jsonl", page_size=25)
    finally:
        await backend.close()
    ids = [json.loads(line)["id"] for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert result.written == len(ids) == len(set(ids)) == 25
    assert result.incomplete == "the server ignores offset: only its first 25 of 60 records could be read"
