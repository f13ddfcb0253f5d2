"""The edit flow through the explorer, on the real adapters against the in-process sandbox (80x24).

Each test drives keys (e, n, d, ctrl+s, tab, enter) and asserts what the sandbox received and stored.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from textual.pilot import Pilot

from isptui.errors import NotFound
from isptui.model import Record, ResourceRef
from isptui.sandbox import Sandbox
from isptui.ui.app import IspApp
from isptui.ui.edit import ConfirmActionScreen, DiffPreviewScreen, RecordFormScreen
from isptui.ui.launch import demo_credentials
from isptui.ui.places import Place
from isptui.ui.screens.explorer import ExplorerScreen
from isptui.ui.widgets.record_view import RecordView
from tests.stall import no_loop_stalls
from tests.ui.conftest import SIZE, settle
from tests.ui.edit.conftest import field_input, reach, type_into, wait_for
from tests.ui.screen_text import screen_text

READS = ("GET", "HEAD", "OPTIONS")


@pytest.fixture(autouse=True)
def journal_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every journal of these tests goes to a tmp dir, never the user's data dir."""
    monkeypatch.setenv("ISPTUI_DATA_DIR", str(tmp_path))
    return tmp_path


def explorer(app: IspApp) -> ExplorerScreen:
    screens = [s for s in app.screen_stack if isinstance(s, ExplorerScreen)]
    assert screens, f"no explorer; screen:\n{screen_text(app)}"
    return screens[-1]


async def open_ref(pilot: Pilot[Any], ref: ResourceRef, title: str = "") -> ExplorerScreen:
    """Open a record or collection in the explorer as the user would after choosing it."""
    await settle(pilot)
    screen = explorer(pilot.app)  # type: ignore[arg-type]
    kind = "record" if ref.is_record else "collection"
    screen.open_place(Place(kind, title or ref.label(), ref=ref))
    await settle(pilot)
    return screen


def writes(sandbox: Sandbox, backend: str) -> list[Any]:
    """Requests the sandbox received that were not reads (logins excluded); Carbon reads are POSTs too."""
    found = [r for r in sandbox.received if r.method not in READS and "login" not in r.path
             and "auth" not in r.path and "token" not in r.path]
    if backend == "carbon":
        found = [r for r in found if any(m in unquote_plus(r.body.decode()) for m in ("=set", "=save", "=delete",
                                                                                      "create", "add_payment"))]
    return found


def notices(app: IspApp) -> str:
    """Every notification shown so far, as one text (toasts may have left the screen already)."""
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


def journal_text(app: IspApp) -> str:
    """The journal's entries as JSON lines (the SQLite file itself is checked in tests/test_journal.py)."""
    return "\n".join(json.dumps(asdict(e), ensure_ascii=False) for e in explorer(app).editor.journal.entries())


async def save_and_confirm(pilot: Pilot[Any]) -> None:
    """ctrl+s → the diff preview (Back focused) → tab to Confirm → enter; wait until the form is gone."""
    app = pilot.app
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the diff preview")
    await pilot.press("tab", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after saving")
    await settle(pilot)


# -- edit, per backend ------------------------------------------------------------------------------
EDITS = {
    # backend: (record, field, new value, method and path of the write)
    "splynx": (ResourceRef(collection="customers", id="1"), "city", "Galway",
               ("PUT", "/api/2.0/admin/customers/customer/1")),
    "krill": (ResourceRef(collection="isp/cpes", id="1"), "city", "Galway", ("PATCH", "/api/v2/isp/cpes/1/")),
    "ispcrm": (ResourceRef(collection="users", id="1"), "address", "1 Galway Road", ("PATCH", None)),
    "trisul": (ResourceRef(collection="ipdrcustomers", id="isp00001"), "Address", "1 Galway Road",
               ("PATCH", "/api/ipdrcustomers")),
    "carbon": (ResourceRef(collection="Abonents", id="1"), "comment", "moved to Galway",
               ("POST", "/rest_api/v2/Abonents/")),
}


@pytest.mark.parametrize("backend", list(EDITS))
async def test_e_edits_the_record_and_the_view_shows_what_the_server_stored(demo_app, backend: str) -> None:
    ref, name, value, (method, path) = EDITS[backend]
    app, sandbox = demo_app(backend, customers=20)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ref(pilot, ref)
        before = screen.record
        assert before is not None and before.fields[name] != value
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the edit form")
        await type_into(pilot, field_input(app, name), value)
        sandbox.clear_received()
        await save_and_confirm(pilot)
        sent = writes(sandbox, backend)
        assert sent and {r.method for r in sent} == {method}
        if path is not None:
            assert all(r.path.startswith(path) for r in sent)
        body = unquote_plus(sent[-1].body.decode())
        assert value in body and before.fields.get("name", "\0") not in body.replace(value, "")
        if backend == "carbon":  # the get → set → save chain, in one form post
            assert "objects.get" in body and "method2=set" in body and "method3=save" in body
        view = screen.query_one(RecordView)
        assert view.record.fields[name] == value  # the reloaded view, not the form's copy
        assert value in screen_text(app)
        stored = await app.backend.get(ref)  # type: ignore[union-attr]
        assert stored.fields[name] == value
        journal = journal_text(app)
        entry = json.loads(journal.splitlines()[-1])
        assert entry["kind"] == "update" and entry["after"][name] == value
        for secret in demo_credentials(backend, sandbox).values():
            if len(secret) >= 4 and secret not in ("basic", "default", "operator"):
                assert secret not in journal



async def test_the_diff_preview_opens_without_blocking_the_loop_over_50_ms(demo_app) -> None:
    """Ctrl+S on an ordinary one-field edit: the preview's opening (the plan, the push, its first paint and
    the layout after it) never blocks the event loop over PRODUCT.md's 50 ms, and it shows the change and the
    request. On the old code the first paint was one callback of 52-61 ms quiet (80-109 ms on a busy machine):
    Textual drew the edit form under the translucent preview and tinted it, and laid the dialog and the form
    out again in the same callback."""
    app, _ = demo_app("krill", customers=20)
    async with app.run_test(size=SIZE) as pilot:
        await open_ref(pilot, ResourceRef(collection="isp/customers", id="1"))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the edit form")
        await type_into(pilot, field_input(app, "city"), "Galway")
        await pilot.pause()
        # Opened three times (Back in between) and judged by the median: one opening on a machine whose other
        # core is busy can cost a few ms more than the budget without the preview having got slower.
        worst: list[float] = []
        limits: list[float] = []
        for attempt in range(3):
            async with no_loop_stalls(check=False) as watch:
                await pilot.press("ctrl+s")
                await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the diff preview")
                await pilot.pause()
            worst.append(watch.worst)
            limits.append(watch.limit)  # 50 ms, scaled up on a machine slower than usual (tests/stall.py)
            text = screen_text(app)
            if attempt < 2:
                await pilot.press("enter")  # Back (focused first): to the form, nothing sent
                await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the form again")
        print("diff preview opened, worst loop block " + ", ".join(f"{w * 1000:.1f}" for w in worst) + " ms")
        assert "city: " in text and "→ Galway" in text, text
        assert "PATCH " in text and '"city": "Galway"' in text, text
        assert "Back" in text and "Confirm" in text, text
    assert sorted(worst)[1] <= max(limits), [f"{w * 1000:.0f} ms" for w in worst] + [f"limit {max(limits) * 1000:.0f}"]


# -- create and delete, per backend -----------------------------------------------------------------
CREATES = {
    "splynx": (ResourceRef(collection="customers"),
               {"name": "Flow Test", "partner_id": "1", "location_id": "1", "category": "person",
                "login": "flow-test"}),
    "krill": (ResourceRef(collection="isp/customers"),
              {"name": "Flow", "surname": "Test", "external_id": "flow-test", "city": "Leeds"}),
    "ispcrm": (ResourceRef(collection="users"),
               {"username": "flow-test", "fullname": "Flow Test", "profile_id": "1", "email": "flow@example.net"}),
    "trisul": (ResourceRef(collection="ipdrcustomers"), {"UserID": "FT0001", "Name": "Flow Test"}),
    "carbon": (ResourceRef(collection="Usluga"), {"name": "Flow Test", "comments": "made by the flow test"}),
}


async def fill(pilot: Pilot[Any], values: dict[str, str]) -> None:
    """Set fields as a user who went down to each would: the fields are on screen first (``reach``; a field
    not yet built takes its shown value as its starting point when it is, so a value set before is no change)."""
    await reach(pilot)
    for name, value in values.items():
        field_input(pilot.app, name).value = value
    await pilot.pause()


@pytest.mark.parametrize("backend", list(CREATES))
async def test_n_creates_and_d_deletes_a_record(demo_app, backend: str) -> None:
    collection, values = CREATES[backend]
    app, sandbox = demo_app(backend, customers=20)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ref(pilot, collection)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the create form")
        await fill(pilot, values)
        sandbox.clear_received()
        await save_and_confirm(pilot)
        assert writes(sandbox, backend), "nothing was sent"
        await wait_for(pilot, lambda: screen.record is not None, "the created record")
        created = screen.record
        assert created is not None and created.id is not None
        label = next(iter(values.values()))
        assert str(created.fields[next(iter(values))]) == label and label in screen_text(app)

        sandbox.clear_received()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), "the delete confirmation")
        assert app.focused is not None and "Cancel" in str(app.focused.render())
        await pilot.press("tab", "enter")  # Cancel → Delete
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after deleting")
        await settle(pilot)
        assert writes(sandbox, backend), "no delete was sent"
        with pytest.raises(NotFound):
            await app.backend.get(created.ref)  # type: ignore[union-attr]
        kinds = [json.loads(line)["kind"] for line in journal_text(app).splitlines()]
        assert kinds == ["create", "delete"]


# -- undo -------------------------------------------------------------------------------------------
async def press_undo_and_confirm(pilot: Pilot[Any], expect: str) -> None:
    app = pilot.app
    await pilot.press("u")
    # Undo re-reads the record and previews the request it will send, Back focused.
    await wait_for(pilot, lambda: isinstance(app.screen, DiffPreviewScreen), "the undo preview")
    assert expect in screen_text(app)
    await pilot.press("tab", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after undo")
    await settle(pilot)


async def test_u_undoes_an_update_a_create_and_a_delete(demo_app) -> None:
    app, sandbox = demo_app("trisul", customers=20)
    ref = ResourceRef(collection="ipdrcustomers", id="isp00002")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ref(pilot, ref)
        backend = app.backend
        assert backend is not None
        original: Record = await backend.get(ref)

        await pilot.press("u")  # nothing written yet in this session
        await settle(pilot)
        assert "Nothing to undo" in notices(app)

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the edit form")
        await type_into(pilot, field_input(app, "Name"), "Renamed Person")
        await save_and_confirm(pilot)
        assert (await backend.get(ref)).fields["Name"] == "Renamed Person"
        await press_undo_and_confirm(pilot, f"Name: Renamed Person → {original.fields['Name']}")
        assert (await backend.get(ref)).fields["Name"] == original.fields["Name"]
        assert screen.query_one(RecordView).record.fields["Name"] == original.fields["Name"]

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), "the delete confirmation")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer after deleting")
        await settle(pilot)
        with pytest.raises(NotFound):
            await backend.get(ref)
        await press_undo_and_confirm(pilot, "re-created")
        restored = await backend.get(ref)
        for name in ("UserID", "Name", "Address", "Email"):
            assert restored.fields[name] == original.fields[name]

        await open_ref(pilot, ResourceRef(collection="ipdrcustomers"))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordFormScreen), "the create form")
        await fill(pilot, {"UserID": "UNDO0001", "Name": "Undo Me"})
        await save_and_confirm(pilot)
        new_ref = ResourceRef(collection="ipdrcustomers", id="UNDO0001")
        assert (await backend.get(new_ref)).fields["Name"] == "Undo Me"
        await press_undo_and_confirm(pilot, "will be deleted")
        with pytest.raises(NotFound):
            await backend.get(new_ref)
        undos = [json.loads(line) for line in journal_text(app).splitlines() if json.loads(line)["undo_of"]]
        assert len(undos) == 3
