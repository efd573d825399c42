"""Issue 12, finding 1 (imports): no work before the session check, parsing off the event loop, sheet limits.

The attacks: a 1.5 MB .xlsx whose sharedStrings.xml unpacked to 1.5 GB took 3 GB of memory
and blocked every user for 15 s, and the import handlers read and parsed it before asking
who was calling. The handlers are called here the way Reflex calls them (the state's
handler function with a list of uploads), with an upload that records every read.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
import zipfile
from dataclasses import replace

import pytest
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader
from reflex.istate.data import SessionData
from sqlalchemy import func, select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session
from jewelerp.errors import JewelError
from jewelerp.spreadsheets import MB, UnsafeFile
from jewelerp.ui.state import AppState
from modules.billing import importer as rate_importer
from modules.billing.pages import RateImportState
from modules.clienteling import import_page
from modules.clienteling import importer as customer_importer
from modules.clienteling.import_page import ImportState
from modules.clienteling.models import Customer

CLIENT_IP = "203.0.113.7"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
READERS = [customer_importer.read_rows, rate_importer.read_rows]
PAGES = [(ImportState, "Customers.xlsx"), (RateImportState, "rates.xlsx")]


class RecordingUpload:
    """Stands in for ``rx.UploadFile``: remembers every ``read``."""

    def __init__(self, name: str, content: bytes):
        self.name = self.filename = name
        self.content = content
        self.reads: list[int] = []

    async def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        return self.content if size < 0 else self.content[:size]


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_shared_strings(unpacked: int) -> bytes:
    """A real workbook plus a registered sharedStrings.xml of ``unpacked`` bytes of one repeated letter."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["Name", "Date", "Metal", "Purity", "Rate"], ["Asha"]])))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            bomb.writestr(member.filename, data)
        head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"><si><t>'
        bomb.writestr("xl/sharedStrings.xml", head + b"A" * unpacked + b"</t></si></sst>")
    return out.getvalue()


@pytest.fixture
def openpyxl_must_not_parse(monkeypatch):
    """Fails the test if openpyxl starts reading a workbook."""

    def refuse(*_args, **_kwargs):
        pytest.fail("openpyxl parsed a workbook that should have been refused first")

    monkeypatch.setattr(ExcelReader, "read", refuse)


def _page(state_class: type[AppState]) -> AppState:
    state = state_class(_reflex_internal_init=True)
    state.router = replace(state.router, session=SessionData(client_ip=CLIENT_IP))
    return state


def _signed_in(monkeypatch, actor) -> None:
    monkeypatch.setattr(AppState, "_actor", lambda _self: actor)


def _upload(state: AppState, *files: RecordingUpload) -> None:
    asyncio.run(type(state).handle_upload.fn(state, list(files)))


def _refusals() -> list[AuditLog]:
    with read_session() as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.record_type == "security")))


def _customers() -> int:
    with read_session() as session:
        return session.execute(select(func.count()).select_from(Customer)).scalar_one()


# --- the shared reader's limits ------------------------------------------------------------------


@pytest.mark.parametrize("read_rows", READERS)
def test_a_shared_strings_bomb_is_refused_from_the_zip_directory_without_parsing(read_rows, openpyxl_must_not_parse):
    bomb = _with_shared_strings(60 * MB)
    assert len(bomb) < 500_000  # 60 MB of text packs into a small upload
    started = time.perf_counter()
    with pytest.raises(UnsafeFile, match="unpacks to more than 50 MB, so it was not opened"):
        read_rows("prices.xlsx", bomb)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("read_rows", READERS)
def test_a_workbook_that_unpacks_a_hundredfold_is_refused(read_rows, openpyxl_must_not_parse):
    bomb = _with_shared_strings(5 * MB)  # under 50 MB, but no saved sheet packs this tightly
    with pytest.raises(UnsafeFile, match="more than 100 times its size"):
        read_rows("prices.xlsx", bomb)


def test_rows_past_the_limit_are_refused_even_when_no_known_column_is_filled():
    content = "Name,Junk\n" + ",x\n" * 20_001  # before: every row was read and skipped, without a limit
    with pytest.raises(JewelError, match="more than 20,000 rows. Split it"):
        customer_importer.read_rows("c.csv", content.encode())
    rates = "Date,Metal,Purity,Rate,Junk\n" + ",,,,x\n" * 5_001
    with pytest.raises(JewelError, match="more than 5,000 rows"):
        rate_importer.read_rows("r.csv", rates.encode())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("read_rows", READERS)
def test_more_than_50_columns_are_refused(read_rows, suffix):
    header = ["Name", "Date", "Metal", "Purity", "Rate"] + [f"Extra {i}" for i in range(46)]
    content = ",".join(header).encode() + b"\n" if suffix == ".csv" else _xlsx([header])
    with pytest.raises(JewelError, match="Row 1 has more than 50 columns"):
        read_rows(f"wide{suffix}", content)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("read_rows", READERS)
def test_a_cell_longer_than_1000_characters_is_refused(read_rows, suffix):
    rows = [["Name", "Date", "Metal", "Purity", "Rate"], ["Asha", "01-01-2026", "Gold", "22K", "9" * 1_001]]
    content = "\n".join(",".join(row) for row in rows).encode() if suffix == ".csv" else _xlsx(rows)
    with pytest.raises(JewelError, match="Cell E2 holds more than 1,000 characters"):
        read_rows(f"long{suffix}", content)


def test_a_csv_line_longer_than_any_row_is_refused_before_it_is_split():
    content = b"Name" + b"," * 2_000_000 + b"\nAsha\n"  # two million empty columns in one line
    with pytest.raises(JewelError, match="Line 1 of the file is longer than a row may be"):
        customer_importer.read_rows("c.csv", content)


# --- the handlers: session and permission first, parsing in a worker thread ----------------------


@pytest.mark.parametrize(("state_class", "filename"), PAGES)
def test_without_a_session_the_upload_is_not_read_and_the_refusal_is_logged(world, state_class, filename):
    state, upload = _page(state_class), RecordingUpload(filename, _with_shared_strings(60 * MB))
    _upload(state, upload)
    assert upload.reads == []  # before: read (and parsed) at once
    assert (state.message, state.message_ok) == ("Your session has ended. Sign in again.", False)
    assert state.previewed is False
    (refusal,) = _refusals()
    assert (refusal.record_id, refusal.action, refusal.user_id) == ("upload", "refused", None)
    assert json.loads(refusal.changes)["client_ip"] == [None, CLIENT_IP]


@pytest.mark.parametrize(("state_class", "filename"), PAGES)
def test_without_the_import_permission_the_upload_is_not_read(world, monkeypatch, state_class, filename):
    sales = world.actor("sales")
    _signed_in(monkeypatch, sales)
    state, upload = _page(state_class), RecordingUpload(filename, _xlsx([["Name"], ["Asha"]]))
    _upload(state, upload)
    assert upload.reads == []
    assert state.message == "You do not have permission to do this."
    (refusal,) = _refusals()
    assert (refusal.user_id, refusal.store_id) == (sales.user_id, sales.store_id)
    assert json.loads(refusal.changes)["client_ip"] == [None, CLIENT_IP]


def test_a_bomb_from_a_permitted_user_is_refused_and_logged(world, monkeypatch, openpyxl_must_not_parse):
    _signed_in(monkeypatch, world.actor("manager"))
    state, upload = _page(ImportState), RecordingUpload("customers.xlsx", _with_shared_strings(60 * MB))
    _upload(state, upload)
    assert upload.reads == [customer_importer.LIMITS.max_bytes + 1]  # read once, never past the limit
    assert "unpacks to more than 50 MB" in state.message and state.previewed is False
    (refusal,) = _refusals()
    assert "unpacks to more than 50 MB" in json.loads(refusal.changes)["reason"][1]


def test_the_file_is_parsed_in_a_worker_thread_while_the_event_loop_runs(world, monkeypatch):
    _signed_in(monkeypatch, world.actor("manager"))
    parsed_on: list[threading.Thread] = []

    def slow_read_rows(name: str, content: bytes):
        parsed_on.append(threading.current_thread())
        time.sleep(0.3)  # a big sheet
        return customer_importer.read_rows(name, content)

    monkeypatch.setattr(import_page, "read_rows", slow_read_rows)
    state = _page(ImportState)
    upload = RecordingUpload("c.csv", b"Name,Phone\nAsha Rao,9820033333\n")

    async def upload_while_ticking() -> int:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        ticker = asyncio.create_task(tick())
        await ImportState.handle_upload.fn(state, [upload])
        ticker.cancel()
        return ticks

    ticks = asyncio.run(upload_while_ticking())
    assert parsed_on and parsed_on[0] is not threading.main_thread()
    assert ticks >= 5  # before: the loop stood still while the sheet was parsed
    assert (state.previewed, state.total, state.good) == (True, 1, 1)


def test_a_normal_workbook_still_previews_and_imports(world, monkeypatch):
    _signed_in(monkeypatch, world.actor("manager"))
    rows = [["Name", "Mobile", "Email"], ["Asha Rao", 9820033333, "asha@example.in"], ["Chetan Shah", None, None]]
    content = _xlsx(rows)  # Chetan has neither phone nor email
    state, upload = _page(ImportState), RecordingUpload("customers.xlsx", content)
    _upload(state, upload)
    assert (state.previewed, state.total, state.good, state.bad) == (True, 2, 1, 1)
    assert _customers() == 0
    asyncio.run(ImportState.import_all.fn(state))
    assert (state.imported, state.imported_count, _customers()) == (True, 1, 1)
    assert _refusals() == []
