"""A list's Export to Excel: the file is written in a worker thread while the page shows the rows written so far,
one export at a time, and a failure keeps no file and says so."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from jewelerp.core.pages.users import UsersTable
from jewelerp.core.tables import STAFF
from jewelerp.ui import datatable, table_query
from jewelerp.ui.export_job import EXPORT_FAILED
from tests.security.test_account_handlers import _page, _signed_in


@pytest.fixture
def exports(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    monkeypatch.setattr(table_query, "EXPORT_DIR", folder)
    return folder


def _export(state: UsersTable):
    return asyncio.run(UsersTable.export.fn(state))


def _files(folder) -> list:
    return sorted(folder.glob("*/*")) if folder.exists() else []


def test_the_export_writes_in_a_worker_thread_shows_progress_and_downloads(world, exports, monkeypatch):
    threads: list[threading.Thread] = []

    def slow_row(r, actor):
        threads.append(threading.current_thread())
        time.sleep(0.05)  # a long list
        return STAFF.row(r, actor)

    monkeypatch.setattr(UsersTable, "spec", replace(STAFF, row=slow_row))
    monkeypatch.setattr(datatable, "PROGRESS_SECONDS", 0.01)
    monkeypatch.setattr("jewelerp.xlsx_export.PROGRESS_EVERY", 1)
    shown: list[str] = []
    original = datatable.DataTableMixin._show_progress

    def recording(self, written):
        original(self, written)
        shown.append(self.export_status)

    monkeypatch.setattr(datatable.DataTableMixin, "_show_progress", recording)
    state = _page(UsersTable, cookie=_signed_in("admin@test.in"))
    state.filters = {"active": "yes"}
    event = _export(state)

    staff = len(world.users)  # every demo user is active
    assert (
        shown[0] == f"Exporting: 0 of {staff} rows written"
        and shown[-1] == f"Exporting: {staff} of {staff} rows written"
    )
    assert any(f"Exporting: {n} of" in s for s in shown for n in range(1, staff)), "no progress between 0 and done"
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert state.exporting is False and state.message == f"Exported {staff} rows; the download starts now."
    (path,) = _files(exports)
    assert path.parent.name in str(event)  # the browser fetches this one-time token
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Staff — Statuses: Active"
    assert [c.value for c in sheet[2]] == ["Name", "Email", "Phone", "Roles by store", "Status"]
    assert sheet.max_row == 2 + staff


def test_a_second_click_while_exporting_starts_nothing(world, exports):
    state = _page(UsersTable, cookie=_signed_in("admin@test.in"))
    state.exporting = True
    assert _export(state) is None
    assert _files(exports) == [] and state.exporting is True


def test_a_failed_export_keeps_no_file_and_says_so(world, exports, monkeypatch):
    def failing_row(r, actor):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(UsersTable, "spec", replace(STAFF, row=failing_row))
    state = _page(UsersTable, cookie=_signed_in("admin@test.in"))
    assert _export(state) is None
    assert (state.message, state.message_ok, state.exporting) == (EXPORT_FAILED, False, False)
    assert list(exports.iterdir()) == []  # neither the half file nor its token folder
